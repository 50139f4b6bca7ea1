"""Edit the content for people: award badges (one email or a CSV) and revoke awards.

The plaintext email is hashed here and never written anywhere; every row is checked before anything is
written, and existing files are edited as text so that their comments and layout survive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, Location, SitegenError
from sitegen.model import Site
from sitegen.recipients import EMAIL, hash_email, normalise_email
from sitegen.status import draw_award_ids

CSV_COLUMNS = {"email", "name", "show_name", "evidence_url", "evidence_name", "narrative", "issued_on", "expires"}
COLUMN_ALIASES = {"consent": "show_name"}  # the consent to be named is what show_name records
EXTRA_VALUES = "\0extra"  # DictReader's key for values beyond the header (Excel's trailing commas)
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "同意"}
FALSE_WORDS = {"", "0", "false", "no", "n", "いいえ"}


class AuthoringError(SitegenError):
    """A problem with the request; `problems` lists every bad row when there are several."""

    def __init__(self, message: str, problems: list[Diagnostic] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Recipient:
    email: str  # only in memory, for the mail-merge list
    name: str | None = None
    show_name: bool = False
    evidence_url: str | None = None
    evidence_name: str | None = None
    narrative: str | None = None
    issued_on: date | None = None
    expires: date | None = None
    source: Location | None = None  # its CSV row, for messages


@dataclass(frozen=True)
class Issued:
    award_id: str
    email: str
    name: str | None  # as given, for the mail merge; written to the repository only with show_name
    page_url: str
    name_dropped: bool = False  # a name was given without the consent to be named, so it was not written
    source: Location | None = None  # the CSV row, for messages


def dropped_names_message(issued: list[Issued]) -> str | None:
    """What the CLI says when names were given without consent: they were left out of the repository."""
    dropped = [item for item in issued if item.name_dropped]
    if not dropped:
        return None
    rows = [str(item.source) for item in dropped if item.source]
    where = f" ({', '.join(rows[:5])}{'…' if len(rows) > 5 else ''})" if rows else ""
    return (
        f"note: the name of {len(dropped)} recipient(s){where} was not written: a name enters the repository "
        "only when the recipient agreed to be named (--show-name, or show_name: yes in the CSV)"
    )


def _yaml_string(text: str) -> str:
    """A JSON string is a valid YAML double-quoted scalar: safe for any text, in any language."""
    return json.dumps(text, ensure_ascii=False)


def _parse_day(value: str) -> date:
    return datetime.strptime(value.strip(), "%Y-%m-%d").date()


def read_csv(path: Path) -> list[Recipient]:
    """Rows of a recipients CSV (header row required); every bad row is reported with its line number."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthoringError(f"cannot read {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text), restkey=EXTRA_VALUES)
    header = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    problems: list[Diagnostic] = []
    rel = str(path)
    if "email" not in header:
        raise AuthoringError(
            f"{Location(rel, 1)}: the header row needs an 'email' column (columns: {', '.join(sorted(CSV_COLUMNS))})"
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        problems.append(
            Diagnostic(
                Location(rel, 1),
                f"unknown column(s) {', '.join(unknown)} (columns: {', '.join(sorted(CSV_COLUMNS))})",
                "error",
                "csv.unknown-column",
            )
        )
    rows: list[Recipient] = []
    seen: dict[str, int] = {}
    line = reader.line_num + 1  # where the next record starts (a quoted value may span lines)
    for row in reader:
        extra = [v for v in row.pop(EXTRA_VALUES, []) if v.strip()]
        row = {k: (v or "").strip() for k, v in row.items()}
        bad = []
        if extra:
            bad.append(
                f"{len(header) + len(extra)} or more values but the header has {len(header)} columns "
                f"(extra: {', '.join(repr(v) for v in extra)})"
            )
        email = row.get("email", "")
        if not EMAIL.match(email):
            bad.append(f"'{email}' is not an email address" if email else "no email")
        elif normalise_email(email) in seen:
            bad.append(f"the same email as line {seen[normalise_email(email)]}")
        else:
            seen[normalise_email(email)] = line
        consent = row.get("show_name", "").lower()
        if consent not in TRUE_WORDS | FALSE_WORDS:
            bad.append(f"show_name must be yes or no, not '{row.get('show_name')}'")
        if consent in TRUE_WORDS and not row.get("name"):
            bad.append("show_name is yes but there is no name")
        if row.get("evidence_url") and not re.match(r"^https?://\S+$", row["evidence_url"]):
            bad.append(f"evidence_url must be an http(s) URL, not '{row['evidence_url']}'")
        dates = {}
        for key in ("issued_on", "expires"):
            if row.get(key):
                try:
                    dates[key] = _parse_day(row[key])
                except ValueError:
                    bad.append(f"{key} must be a date like 2026-04-01, not '{row[key]}'")
        if dates.get("expires") and dates.get("issued_on") and dates["expires"] <= dates["issued_on"]:
            bad.append("expires must be after issued_on")
        problems.extend(Diagnostic(Location(rel, line), message, "error", "csv.invalid-row") for message in bad)
        line_start, line = line, reader.line_num + 1
        if not bad:
            rows.append(
                Recipient(
                    email=email,
                    name=row.get("name") or None,
                    show_name=consent in TRUE_WORDS,
                    evidence_url=row.get("evidence_url") or None,
                    evidence_name=row.get("evidence_name") or None,
                    narrative=row.get("narrative") or None,
                    source=Location(rel, line_start),
                    **dates,
                )
            )
    if problems:
        raise AuthoringError(f"{len(problems)} problem(s) in {rel}; nothing was written", problems)
    if not rows:
        raise AuthoringError(f"{rel} has no recipients")
    return rows


def _award_lines(award_id: str, recipient: Recipient, salt: str, indent: str) -> list[str]:
    lines = [
        f"{indent}- id: {award_id}",
        f'{indent}  recipient: {{hash: "{hash_email(recipient.email, salt)}", salt: "{salt}"}}',
    ]
    if recipient.issued_on:
        lines.append(f"{indent}  issued_on: {recipient.issued_on.isoformat()}")
    if recipient.expires:
        lines.append(f"{indent}  expires: {recipient.expires.isoformat()}")
    if recipient.name and recipient.show_name:  # a name is written only with the consent to show it
        lines.append(f"{indent}  name: {_yaml_string(recipient.name)}")
        lines.append(f"{indent}  show_name: true")
    if recipient.narrative:
        lines.append(f"{indent}  narrative: {_yaml_string(recipient.narrative)}")
    if recipient.evidence_url:
        name = f", name: {_yaml_string(recipient.evidence_name)}" if recipient.evidence_name else ""
        lines.append(f"{indent}  evidence: [{{url: {_yaml_string(recipient.evidence_url)}{name}}}]")
    return lines


def issue(
    root: Path,
    badge: str,
    recipients: list[Recipient],
    *,
    issued_on: date,
    target: Path | None = None,
    expires: date | None = None,
    again: bool = False,
) -> tuple[Path, list[Issued]]:
    """Award `badge` to every recipient: a new file, or awards appended to `target` (a cohort file of that badge).

    The whole site is validated first, and again with the new awards before the file is kept. A recipient who
    already holds the badge (not revoked) is refused unless `again`: a CSV run twice must not award it twice.
    """
    root = root.absolute()
    site, _ = load_site(root)
    if badge not in site.badges:
        raise AuthoringError(f"unknown badge '{badge}' (badges: {', '.join(site.badges) or 'none yet'})")
    held = [] if again else already_held(site, badge, recipients)
    if held:
        raise AuthoringError(
            f"{len(held)} recipient(s) already hold '{badge}'; nothing was written (--again "
            "awards it to them once more)",
            held,
        )
    assertions = root / "content" / "assertions"
    ids = new_award_ids(site, site.badges[badge].issuer, len(recipients))
    if target is None:
        target = assertions / f"{issued_on:%Y}" / f"{badge}-{ids[0][:8]}.yaml"
    target = target if target.is_absolute() else (root / target)
    if not target.resolve().is_relative_to(assertions.resolve()):
        raise AuthoringError(f"{target} is not under content/assertions/")
    if target.exists():
        original = target.read_text(encoding="utf-8")
        indent = _check_appendable(original, badge, target)
        text = original if original.endswith("\n") else original + "\n"
    else:
        original, indent = None, "  "
        text = f"badge: {badge}\nissued_on: {issued_on.isoformat()}\n"
        if expires:
            text += f"expires: {expires.isoformat()}\n"
        text += "awards:\n"
    for award_id, recipient in zip(ids, recipients, strict=True):
        if original is not None:
            # The file's own defaults are another cohort's: write this request's dates on each award.
            recipient = Recipient(
                **{
                    **recipient.__dict__,
                    "issued_on": recipient.issued_on or issued_on,
                    "expires": recipient.expires or expires,
                }
            )
        text += "\n".join(_award_lines(award_id, recipient, secrets.token_hex(16), indent)) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    try:
        site, _ = load_site(root)
    except BuildError as exc:
        # Never leave the repository broken: put the file back as it was.
        if original is None:
            target.unlink()
        else:
            target.write_text(original, encoding="utf-8")
        raise AuthoringError(
            f"the new award(s) would not build, so {target.name} was left as it was", exc.diagnostics
        ) from None
    urls = site.urls
    issued = [
        Issued(
            award_id,
            r.email,
            r.name,
            urls.url(urls.assertion_page(award_id)),
            name_dropped=bool(r.name) and not r.show_name,
            source=r.source,
        )
        for award_id, r in zip(ids, recipients, strict=True)
    ]
    return target, issued


def already_held(site: Site, badge: str, recipients: list[Recipient]) -> list[Diagnostic]:
    """Recipients who hold `badge` already: an award neither revoked nor expired whose hash is of their email
    and its salt."""
    # Every recipient against every holder, salts differing: about 0.4 µs a pair (1,000 × 10,000 in 4 s).
    now = datetime.now(timezone.utc)  # an expired award may be renewed
    held = [
        (a.salt.encode("utf-8"), a.identity_hash.lower().removeprefix("sha256$"), a)
        for a in site.awards
        if a.badge == badge and not a.revoked and not (a.expires and a.expires <= now)
    ]
    problems = []
    for recipient in recipients:
        email = normalise_email(recipient.email).encode("utf-8")
        for salt, digest, award in held:
            if hashlib.sha256(email + salt).hexdigest() == digest:
                problems.append(
                    Diagnostic(
                        recipient.source or Location("--email"),
                        f"{recipient.email} already holds '{badge}' (award {award.id}, {award.source})",
                        "error",
                        "award.already-held",
                    )
                )
                break
    return problems


def new_award_ids(site: Site, issuer: str, count: int) -> list[str]:
    """Random award ids for the issuer that never share a status list entry with its awards (see
    model.draw_award_ids)."""
    return draw_award_ids(
        issuer, count, {site.status_position(a) for a in site.awards if site.badges[a.badge].issuer == issuer}
    )


def _check_appendable(text: str, badge: str, path: Path) -> str:
    """The indentation of the award list, if new awards can go at the end of this file."""
    if not re.search(rf"^badge:\s*{re.escape(badge)}\s*$", text, re.M):
        raise AuthoringError(f"{path} is not a file of badge '{badge}'")
    top_keys = re.findall(r"^([A-Za-z_]+):", text, re.M)
    if not top_keys or top_keys[-1] != "awards":
        raise AuthoringError(f"{path}: 'awards:' must be the last key of the file to append to it")
    item = re.search(r"^awards:\s*\n(?:\s*#.*\n)*( *)- ", text, re.M)
    return item.group(1) if item else "  "


def revoke(root: Path, award_id: str, *, reason: str, on: date) -> Path:
    """Mark an award revoked in its YAML file (the file is edited, never deleted)."""
    if not reason.strip():
        raise AuthoringError("a revocation needs a reason: it is published with the award")
    site, _ = load_site(root)
    award = next((a for a in site.awards if a.id == award_id), None)
    if award is None:
        raise AuthoringError(f"no award with id {award_id}")
    if award.revoked:
        raise AuthoringError(f"award {award_id} was already revoked on {award.revoked.on:%Y-%m-%d}")
    if on < award.issued_on.date():
        raise AuthoringError(
            f"award {award_id} was issued on {award.issued_on:%Y-%m-%d}; it cannot be revoked "
            f"before that ({on:%Y-%m-%d})"
        )
    rel = award.source.path
    path = root / rel
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    pattern = re.compile(rf"^(\s*)(- )?id:\s*['\"]?{re.escape(award_id)}['\"]?\s*$")
    for number, line in enumerate(lines):
        match = pattern.match(line)
        if match:
            indent = match.group(1) + ("  " if match.group(2) else "")
            lines.insert(
                number + 1, f"{indent}revoked: {{on: {on.isoformat()}, reason: {_yaml_string(reason.strip())}}}\n"
            )
            break
    else:
        raise AuthoringError(
            f"{rel}: cannot find the line 'id: {award_id}' to edit; add revoked: {{on, reason}} by hand"
        )
    path.write_text("".join(lines), encoding="utf-8")
    try:
        load_site(root)
    except BuildError:
        path.write_text(original, encoding="utf-8")
        raise
    return path
