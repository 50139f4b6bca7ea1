"""`sitegen import`: awards already issued elsewhere become ordinary content (an issuer file, a badge class file
with its image, one cohort file of awards per badge under content/assertions/imported/), each award with a new
id and this site's URLs, its recipient hash and salt and its issue date kept, and `imported_from:` saying where
it was first issued.

Every source is verified first (sitegen/commands/import_sources.py); nothing is written when any fails, the plan
is shown before anything is written, and an award whose original URL is in the content already is skipped, so an
import run twice adds nothing. The written files are checked like any content, and taken back if they would not
build.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from sitegen.commands.import_sources import (
    PLATFORMS,
    AwardRecord,
    BadgeRecord,
    IssuerRecord,
    OfflineFetcher,
    resolve,
    verify_all,
)
from sitegen.content.options import SLUG
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, SitegenError
from sitegen.messages import _, ngettext
from sitegen.model import Site
from sitegen.status import StatusPosition, draw_award_ids, status_position
from sitegen.verify.fetch import Fetcher

IMPORTED_FROM = re.compile(r"^# imported from: (\S+)\s*$", re.M)  # the marker line of an imported issuer or badge


class ImportFailed(SitegenError):
    """Nothing was written; `problems` names every source that failed, and why."""

    def __init__(self, message: str, problems: list[Diagnostic] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class PlannedFile:
    path: Path  # relative to the repository
    text: str | bytes
    new: bool = True  # False: awards appended to an existing cohort file


@dataclass
class Plan:
    """What an import creates, by file, before anything is written."""

    issuers: list[tuple[str, str, bool]] = field(default_factory=list)  # (slug, name, new)
    badges: list[tuple[str, str, bool]] = field(default_factory=list)
    awards: list[tuple[Path, int, int]] = field(default_factory=list)  # (cohort file, awards, of them revoked)
    skipped: list[str] = field(default_factory=list)  # original URLs already in the content
    hashed_here: int = 0  # plaintext emails hashed with a new salt
    did_key_issued: int = 0  # awards whose signature names no one (a did:key issuer)
    files: list[PlannedFile] = field(default_factory=list)
    issuer_records: dict[str, IssuerRecord] = field(default_factory=dict)  # the new issuers, by slug

    @property
    def empty(self) -> bool:
        return not self.awards


def plan_text(plan: Plan) -> str:
    """The plan as the CLI prints it, in the user's language."""
    lines = [_("Import plan:")]

    def state(new: bool) -> str:
        return _("new") if new else _("already in the site")

    lines.append(_("Issuers:"))
    lines += [f"  {slug} ({name}): {state(new)}" for slug, name, new in plan.issuers] or ["  -"]
    lines.append(_("Badges:"))
    lines += [f"  {slug} ({name}): {state(new)}" for slug, name, new in plan.badges] or ["  -"]
    lines.append(_("Awards, by file:"))
    for path, count, revoked in plan.awards:
        words = ngettext("{count} award", "{count} awards", count).format(count=count)
        if revoked:
            words += _(" ({count} revoked)").format(count=revoked)
        lines.append(f"  {path.as_posix()}: {words}")
    if not plan.awards:
        lines.append(_("  none: nothing to import"))
    if plan.skipped:
        lines.append(
            ngettext(
                "Skipped {count} award imported before (its original URL is in the content already)",
                "Skipped {count} awards imported before (their original URLs are in the content already)",
                len(plan.skipped),
            ).format(count=len(plan.skipped))
        )
    if plan.hashed_here:
        lines.append(
            ngettext(
                "{count} recipient was published as a plain email: it is hashed with a new salt and not stored",
                "{count} recipients were published as plain emails: they are hashed with new salts and not stored",
                plan.hashed_here,
            ).format(count=plan.hashed_here)
        )
    if plan.did_key_issued:
        # This site signs them anew as its own: whoever imports them vouches for their issuer from now on.
        lines.append(
            ngettext(
                "{count} award's issuer is identified by a did:key only: its signature proves the award unchanged, "
                "not who issued it; import it only if you trust where you got it from",
                "{count} awards' issuers are identified by a did:key only: their signatures prove the awards "
                "unchanged, not who issued them; import them only if you trust where you got them from",
                plan.did_key_issued,
            ).format(count=plan.did_key_issued)
        )
    return "\n".join(lines)


def import_awards(
    root: Path,
    sources: list[str],
    *,
    offline: Path | None = None,
    dry_run: bool = False,
    include_revoked: bool = False,
    platform: str | None = None,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> Plan:
    """Verify every source, plan the content, and write it unless `dry_run`. ImportFailed when any source fails
    (nothing is written then)."""
    root = root.absolute()
    if platform is not None and platform not in PLATFORMS:
        raise ImportFailed(
            _("unknown platform '{platform}' (platforms: {platforms})").format(
                platform=platform, platforms=", ".join(PLATFORMS)
            )
        )
    site, _warnings = load_site(root)
    found, problems, folders = resolve(sources)
    if offline is None and folders:
        offline = folders[0]  # a folder given as a source is a saved copy of the old site: read it, not the network
    if fetcher is None:
        fetcher = OfflineFetcher(offline) if offline is not None else Fetcher()
    verified = verify_all(found, fetcher, include_revoked=include_revoked, platform=platform, now=now)
    problems += verified.problems
    if problems:
        raise ImportFailed(
            ngettext(
                "{count} source cannot be imported; nothing was written",
                "{count} sources cannot be imported; nothing was written",
                len(problems),
            ).format(count=len(problems)),
            problems,
        )
    plan = make_plan(root, site, verified.awards, today or date.today())
    if not dry_run and not plan.empty:
        write_plan(root, plan)
    return plan


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _free_slug(wanted: str, fallback: str, taken: set[str]) -> str:
    base = wanted if SLUG.match(wanted or "-") else fallback
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _markers(folder: Path) -> dict[str, str]:
    """Original URL → slug, from the marker line of the files an earlier import wrote."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        for url in IMPORTED_FROM.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(url, path.stem)
    return found


def _one_line(key: str) -> str:
    """An original id for a marker comment: any space or line break in it escaped, so it stays one comment."""
    return re.sub(r"\s", lambda m: quote(m.group()), key)


def _yaml(text: str) -> str:
    """A JSON string is a valid YAML double-quoted scalar: safe for any text, in any language."""
    return json.dumps(text, ensure_ascii=False)


def make_plan(root: Path, site: Site, awards: list[AwardRecord], today: date) -> Plan:
    content = root / "content"
    plan = Plan()
    already = {a.imported_from.url for a in site.awards if a.imported_from}
    issuer_slugs = _markers(content / "issuers")
    badge_slugs = _markers(content / "badgeclasses")
    taken_issuers = set(site.issuers) | {p.stem for p in (content / "issuers").glob("*.yaml")}
    taken_badges = set(site.badges) | {p.stem for p in (content / "badgeclasses").glob("*.yaml")}
    by_badge: dict[str, list[AwardRecord]] = {}
    issuer_of_badge: dict[str, str] = {}
    for award in awards:
        if award.original_url in already:
            plan.skipped.append(award.original_url)
            continue
        issuer, badge = award.badge.issuer, award.badge
        issuer_key, badge_key = _one_line(issuer.key), _one_line(badge.key)  # as the marker lines say them
        same = _same_issuer(site, plan, issuer)
        if issuer_key not in issuer_slugs and same:
            issuer_slugs[issuer_key] = same  # Moodle gives each badge an issuer id of its own: one issuer all the same
        if issuer_key not in issuer_slugs:
            fallback = _slugify(urlhost(issuer.url or issuer.key)) or "imported-issuer"
            slug = _free_slug(_slugify(issuer.name), fallback, taken_issuers)
            issuer_slugs[issuer_key] = slug
            plan.issuers.append((slug, issuer.name, True))
            plan.issuer_records[slug] = issuer
            plan.files.append(PlannedFile(Path("content/issuers", f"{slug}.yaml"), _issuer_yaml(issuer, award)))
        elif not any(s == issuer_slugs[issuer_key] for s, _n, _new in plan.issuers):
            plan.issuers.append((issuer_slugs[issuer_key], issuer.name, False))
        if badge_key not in badge_slugs:
            slug = _free_slug(_slugify(badge.name), f"{award.platform}-badge", taken_badges)
            badge_slugs[badge_key] = slug
            plan.badges.append((slug, badge.name, True))
            image = Path("content/images/imported", f"{slug}.{badge.image_kind}")
            plan.files.append(PlannedFile(image, badge.image))
            plan.files.append(
                PlannedFile(
                    Path("content/badgeclasses", f"{slug}.yaml"),
                    _badge_yaml(badge, issuer_slugs[issuer_key], image.relative_to("content"), award),
                )
            )
        elif not any(s == badge_slugs[badge_key] for s, _n, _new in plan.badges):
            plan.badges.append((badge_slugs[badge_key], badge.name, False))
        by_badge.setdefault(badge_slugs[badge_key], []).append(award)
        issuer_of_badge[badge_slugs[badge_key]] = issuer_slugs[issuer_key]
        already.add(award.original_url)
        plan.hashed_here += award.hashed_here
        plan.did_key_issued += award.did_key_issuer
    used: dict[str, set[StatusPosition]] = {}  # per issuer: positions taken, by the site and by earlier cohorts here
    for badge_slug, cohort in by_badge.items():
        issuer_slug = issuer_of_badge[badge_slug]
        if issuer_slug not in used:
            used[issuer_slug] = {
                site.status_position(a) for a in site.awards if site.badges[a.badge].issuer == issuer_slug
            }
        ids = draw_award_ids(issuer_slug, len(cohort), used[issuer_slug])
        used[issuer_slug] |= {status_position(issuer_slug, award_id) for award_id in ids}
        rel = Path("content/assertions/imported", f"{badge_slug}.yaml")
        lines = [line for pair in zip(ids, cohort, strict=True) for line in _award_lines(*pair, today)]
        existing = root / rel
        if existing.exists():
            text = existing.read_text(encoding="utf-8")
            text = (text if text.endswith("\n") else text + "\n") + "\n".join(lines) + "\n"
            plan.files.append(PlannedFile(rel, text, new=False))
        else:
            header = [
                "# Awards imported by `sitegen import`: each keeps its recipient hash and its issue date as first",
                "# published, and says where it was first issued (imported_from). The ids and URLs are this site's.",
                f"badge: {badge_slug}",
                "awards:",
            ]
            plan.files.append(PlannedFile(rel, "\n".join(header + lines) + "\n"))
        plan.awards.append((rel, len(cohort), sum(1 for a in cohort if a.revoked is not None)))
    return plan


def _same_issuer(site: Site, plan: Plan, issuer: IssuerRecord) -> str | None:
    """The slug of an issuer of the site, or one planned here, with the same name and url (and email, when both
    say one)."""
    for slug, known in plan.issuer_records.items():
        if (known.name, known.url) == (issuer.name, issuer.url) and issuer.url:
            return slug
    for slug, existing in site.issuers.items():
        names = {text for _lang, text in existing.name.values}
        email_agrees = not issuer.email or existing.email == issuer.email
        if issuer.url and existing.url == issuer.url and issuer.name in names and email_agrees:
            return slug
    return None


def urlhost(url: str) -> str:
    match = re.match(r"^https?://([^/:?#]+)", url)
    return match.group(1) if match else url


def _issuer_yaml(issuer: IssuerRecord, award: AwardRecord) -> str:
    lines = [
        f"# imported from: {_one_line(issuer.key)}",
        "# Written by `sitegen import`: check it before you merge (the issuer's email must be one it reads).",
        f"name: {_yaml(issuer.name)}",
    ]
    url = issuer.url or f"https://{urlhost(award.original_url)}"
    lines.append(f"url: {_yaml(url)}")
    if issuer.email:
        lines.append(f"email: {_yaml(issuer.email)}")
    else:
        lines.append("# The original publishes no email for the issuer; sitegen needs one people can write to.")
        lines.append("email: ")
    if issuer.description:
        lines.append(f"description: {_yaml(issuer.description)}")
    return "\n".join(lines) + "\n"


def _badge_yaml(badge: BadgeRecord, issuer_slug: str, image: Path, award: AwardRecord) -> str:
    lines = [
        f"# imported from: {_one_line(badge.key)}",
        "# Written by `sitegen import` from the badge class first published there: check the wording before you merge.",
        f"issuer: {issuer_slug}",
        f"name: {_yaml(badge.name)}",
        f"description: {_yaml(badge.description)}",
        f"image: {image.as_posix()}",
    ]
    if badge.image_caption:
        lines.append(f"image_caption: {_yaml(badge.image_caption)}")
    else:
        lines.append("# The original gives no text for its image: describe the picture for people who cannot see it.")
        lines.append(f"image_caption: {_yaml(badge.name)}")
    lines.append(f"criteria: {_yaml(badge.criteria)}")
    if badge.tags:
        lines.append(f"tags: [{', '.join(_yaml(t) for t in badge.tags)}]")
    if badge.alignments:
        lines.append("alignment:")
        for entry in badge.alignments:
            lines.append("  - {" + ", ".join(f"{k}: {_yaml(v)}" for k, v in entry.items()) + "}")
    return "\n".join(lines) + "\n"


def _award_lines(award_id: str, award: AwardRecord, today: date) -> list[str]:
    recipient = f'{{hash: "{award.identity_hash}"' + (f', salt: "{award.salt}"}}' if award.salt else "}")
    lines = [
        f"  - id: {award_id}",
        f"    recipient: {recipient}",
        f"    issued_on: {_yaml(award.issued_on)}",
    ]
    if award.expires:
        lines.append(f"    expires: {_yaml(award.expires)}")
    if award.narrative:
        lines.append(f"    narrative: {_yaml(award.narrative)}")
    if award.evidence:
        entries = ", ".join("{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in e.items()) + "}" for e in award.evidence)
        lines.append(f"    evidence: [{entries}]")
    if award.revoked is not None:
        # The original does not say when it was revoked: the day of the import stands for it.
        lines.append(f"    revoked: {{on: {today.isoformat()}, reason: {_yaml(award.revoked)}}}")
    lines.append(f"    imported_from: {{url: {_yaml(award.original_url)}, platform: {award.platform}}}")
    return lines


def write_plan(root: Path, plan: Plan) -> None:
    """Write the planned files, then check the whole content; on any problem every file is put back as it was."""
    before: dict[Path, bytes | None] = {}
    for planned in plan.files:
        path = root / planned.path
        before[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(planned.text, bytes):
            path.write_bytes(planned.text)
        else:
            path.write_text(planned.text, encoding="utf-8")
    try:
        load_site(root)
    except BuildError as exc:
        for path, original in before.items():
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)
        raise ImportFailed(
            _("the imported content would not build, so nothing was written; fix the source or the content above"),
            exc.diagnostics,
        ) from None
