"""`sitegen check`: the pull-request gate.

Validate, build into a temporary folder, verify the built site, and compare it with the site built from
the base revision: a plan of what the change publishes, revokes and changes, as Markdown for the job
summary. A published URL must never disappear, and an award's id, badge and recipient never change.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import yaml

from sitegen.build.pipeline import BuildResult, build_site, signed_size_estimate, size_advice
from sitegen.build.write import limit_words
from sitegen.diagnostics import BuildError, Diagnostic, Location, SitegenError, severity_word
from sitegen.keyfiles import named_like_key, private_key_at
from sitegen.messages import _, message_language
from sitegen.microcredentials import BADGE, BY_KEY, DESCRIPTORS
from sitegen.model import Site
from sitegen.status import STATUS_LISTS, scattered_awards
from sitegen.urls import Urls
from sitegen.verify.inputs import verify_site

# Recipients are stored as salted hashes: an address in an award file, or a spreadsheet of recipients,
# would publish personal data in the repository's history for good.
# Internationalised addresses too (alice@exämple.de, 山田@例え.jp).
EMAIL_IN_TEXT = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
SPREADSHEETS = (".csv", ".tsv", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".numbers")


class GitError(SitegenError):
    pass


@dataclass
class Plan:
    base: str | None
    issued: list[str] = field(default_factory=list)  # award ids
    revoked: list[str] = field(default_factory=list)
    changed_awards: list[str] = field(default_factory=list)
    badges_added: list[str] = field(default_factory=list)
    badges_changed: list[str] = field(default_factory=list)
    issuers_added: list[str] = field(default_factory=list)
    issuers_changed: list[str] = field(default_factory=list)
    # Micro-credential descriptors of existing badges and issuers that change, one line each (by label)
    descriptor_changes: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # severity "error": each one fails the check
    other_files: list[str] = field(default_factory=list)  # changed outside content/: need a careful review
    notes: list[Diagnostic] = field(default_factory=list)  # severity "warning" or "note"
    files: int = 0
    bytes: int = 0
    compared: bool = False  # a base revision was built and compared: only then can the plan approve a merge

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.problems + self.notes

    def to_dict(self) -> dict:
        """What `sitegen check --json` prints of the plan (the diagnostics go beside it)."""
        return {
            "base": self.base,
            "compared": self.compared,
            "ok": self.ok,
            "issued": self.issued,
            "revoked": self.revoked,
            "changed_awards": self.changed_awards,
            "badges_added": self.badges_added,
            "badges_changed": self.badges_changed,
            "issuers_added": self.issuers_added,
            "issuers_changed": self.issuers_changed,
            "descriptor_changes": self.descriptor_changes,
            "other_files": self.other_files,
            "files": self.files,
            "bytes": self.bytes,
        }


NOWHERE = Location("")  # a problem of the change as a whole, or of several files


def _problem(code: str, message: str, where: Location = NOWHERE) -> Diagnostic:
    """A plan problem: it fails the check. `where` is the file when one is to blame."""
    return Diagnostic(where, message, "error", code)


def _warning(code: str, message: str) -> Diagnostic:
    return Diagnostic(NOWHERE, message, "warning", code)


def _note(code: str, message: str) -> Diagnostic:
    return Diagnostic(NOWHERE, message, "note", code)


def _git(root: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True).stdout
    except FileNotFoundError:
        raise GitError(_("git is not installed")) from None
    except subprocess.CalledProcessError as exc:
        problem = exc.stderr.decode(errors="replace").strip()
        raise GitError(_("git {command} failed: {problem}").format(command=" ".join(args), problem=problem)) from None


def default_base(root: Path) -> tuple[str, str] | None:
    """What a check without --base compares with: the merge base of the default branch (origin/HEAD, else main or
    master, local or at origin) and this commit, as (branch, commit); None when there is none (no repository, no
    such branch, no common history)."""
    candidates = []
    try:
        candidates.append(_git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD").decode().strip())
    except GitError:
        pass
    candidates += ["main", "master", "origin/main", "origin/master"]
    for branch in candidates:
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
            return branch, _git(root, "merge-base", "HEAD", branch).decode().strip()
        except GitError:
            continue
    return None


def resolve_revision(root: Path, revision: str) -> str:
    """The commit a revision names; an unknown one is a one-line error."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            _(
                "unknown revision '{revision}': give a branch, tag or commit of this repository "
                "(`git branch -a` lists the branches)"
            ).format(revision=revision)
        ) from None


def export_revision(root: Path, revision: str, target: Path) -> bool:
    """Write content/ and themes/ of `revision` into target; False when that revision has no content/."""
    commit = resolve_revision(root, revision)
    listing = _git(root, "ls-tree", "--name-only", commit).decode().split()
    paths = [p for p in ("content", "themes") if p in listing]
    if "content" not in paths:
        return False
    archive = _git(root, "archive", "--format=tar", commit, *paths)
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    except tarfile.TarError as exc:  # e.g. a link pointing out of the repository
        raise GitError(
            _("{revision} holds a file that cannot be exported safely: {problem}").format(
                revision=revision, problem=exc
            )
        ) from None
    return True


def changed_files(root: Path, revision: str) -> list[str]:
    """Files of the working tree that differ from `revision`, outside content/: themes, workflows, sitegen."""
    commit = _git(root, "rev-parse", "--verify", f"{revision}^{{commit}}").decode().strip()
    names = _git(root, "diff", "--name-only", "-z", commit).decode("utf-8", "replace").split("\0")
    return sorted(n for n in names if n and not n.startswith("content/"))


def _json_files(site: Path, folder: str) -> dict[str, dict]:
    out = {}
    for path in sorted((site / folder).glob("*.json")):
        out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _published(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def _published_models(site: Site | None) -> dict[str, dict]:
    """What the pages show of each award, badge and issuer, in every language: the published JSON holds
    the default language only, so a change of the English name alone is found here. The lines in the YAML,
    a name the recipient did not agree to show, and image paths are left out (the images are compared as
    published)."""
    if site is None:
        return {"awards": {}, "badges": {}, "issuers": {}}
    return {
        "awards": {a.id: replace(a, source=NOWHERE, name=a.public_name) for a in site.awards},
        # A comparison key, not a badge: its image is compared as published.
        "badges": {slug: replace(b, image=None) for slug, b in site.badges.items()},  # type: ignore[arg-type]
        "issuers": {slug: replace(i, image=None) for slug, i in site.issuers.items()},
    }


def _files_of(site: Path, folder: str, stem: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((site / folder).glob(f"{stem}.*")) if p.suffix in (".png", ".svg")}


def compare(
    base: Path, head: Path, plan: Plan, *, base_site: Site | None = None, head_site: Site | None = None
) -> None:
    """Fill `plan` with the differences between two built sites (and their models, for what only pages show)."""
    base_issuers, head_issuers = _json_files(base, "issuers"), _json_files(head, "issuers")
    base_url = next((d["id"].rsplit("/issuers/", 1)[0] for d in base_issuers.values()), None)
    head_url = next((d["id"].rsplit("/issuers/", 1)[0] for d in head_issuers.values()), None)
    if base_url and head_url and base_url != head_url:
        plan.problems.append(
            _problem(
                "check.base-url-changed",
                _(
                    "base_url changed from {old} to {new}: every published badge would stop "
                    "verifying. Keep the old base_url (a custom domain can be moved, a URL cannot). If "
                    "nothing was ever published from this repository (its first setup from the template), "
                    "commit this change to main directly: the check compares with what main publishes."
                ).format(old=base_url, new=head_url),
                Location("content/site.yaml"),
            )
        )
    for path in sorted(_published(base) - _published(head)):
        plan.problems.append(
            _problem(
                "check.unpublished",
                _(
                    "`{path}` was published and would disappear: revoke awards instead of deleting them, "
                    "and keep badge and issuer files"
                ).format(path=path),
            )
        )
    base_awards, head_awards = _json_files(base, "assertions"), _json_files(head, "assertions")
    base_models, head_models = _published_models(base_site), _published_models(head_site)
    for award_id, doc in head_awards.items():
        old = base_awards.get(award_id)
        if old is None:
            (plan.revoked if doc.get("revoked") else plan.issued).append(award_id)
            continue
        if old == doc:
            if base_models["awards"].get(award_id) != head_models["awards"].get(award_id):
                plan.changed_awards.append(award_id)  # what only its page shows: a name, another language
            continue
        if doc.get("revoked") and not old.get("revoked"):
            plan.revoked.append(award_id)
        elif old.get("revoked") and not doc.get("revoked"):
            plan.problems.append(
                _problem(
                    "check.reinstated",
                    _("award {award} was revoked and would be reinstated: issue a new award instead").format(
                        award=award_id
                    ),
                )
            )
        else:
            for key, message in (
                ("badge", _("award {award}: its badge would change; revoke it and issue a new award")),
                ("recipient", _("award {award}: its recipient would change; revoke it and issue a new award")),
            ):
                if old.get(key) != doc.get(key):
                    plan.problems.append(_problem("check.award-changed", message.format(award=award_id)))
            plan.changed_awards.append(award_id)
    for folder, added, changed in (
        ("badges", plan.badges_added, plan.badges_changed),
        ("issuers", plan.issuers_added, plan.issuers_changed),
    ):
        old_docs, new_docs = _json_files(base, folder), _json_files(head, folder)
        for slug, doc in new_docs.items():
            if slug not in old_docs:
                added.append(slug)
            elif (
                old_docs[slug] != doc
                or _files_of(base, folder, slug) != _files_of(head, folder, slug)
                or base_models[folder].get(slug) != head_models[folder].get(slug)
            ):
                changed.append(slug)  # the document, its pages in any language, or the image awards are baked into
    if head_site is not None:
        _check_rehoming(base_site, head_site, plan)
        _check_keys(base, head, base_site, plan)
        _check_new_keys(base_site, head_site, plan)
        _check_status_method(base_site, head_site, plan)
        _check_language_links(base_site, head_site, plan)
        _check_signed_paths(
            plan,
            base_site=base_site,
            base_published=_published(base),
            head_site=head_site,
            head_published=_published(head),
        )
        _check_names(base_site, head_site, plan)
        if base_site is not None:
            plan.descriptor_changes = descriptor_changes(base_site, head_site)


def descriptor_changes(base_site: Site, head_site: Site) -> list[str]:
    """What changes in the micro-credential descriptors of badges and issuers that exist on both sides, by
    label: a reviewer sees at once that a badge already awarded now claims other credits or another level."""
    awarded: dict[str, int] = {}
    for award in base_site.awards:
        awarded[award.badge] = awarded.get(award.badge, 0) + 1
    lines = []
    for slug, badge in head_site.badges.items():
        old = base_site.badges.get(slug)
        if old is None:
            continue
        added, changed, removed = [], [], []
        for descriptor in DESCRIPTORS:
            if descriptor.where != BADGE:
                continue
            # no block and an empty value are the same: nothing given
            before = getattr(old.microcredential, descriptor.key, None) or None
            after = getattr(badge.microcredential, descriptor.key, None) or None
            if before == after:
                continue
            label = _label(descriptor)
            if before is None:
                added.append(label)
            elif after is None:
                removed.append(label)
            else:
                changed.append(label)
        said = _("; ").join(
            what.format(labels=_(", ").join(labels))
            for what, labels in (
                (_("added {labels}"), added),
                (_("changed {labels}"), changed),
                (_("removed {labels}"), removed),
            )
            if labels
        )
        if said:
            count = awarded.get(slug, 0)
            if count:
                line = _("badge `{badge}` after {count} award(s) were issued: {changes}")
            else:
                line = _("badge `{badge}`: {changes}")
            lines.append(line.format(badge=slug, count=count, changes=said))
    label = _label(BY_KEY["country"])
    for slug, issuer in head_site.issuers.items():
        old_issuer = base_site.issuers.get(slug)
        if old_issuer is not None and old_issuer.country != issuer.country:
            if old_issuer.country is None:
                line = _("issuer `{issuer}`: added {label} ({old} → {new})")
            elif issuer.country is None:
                line = _("issuer `{issuer}`: removed {label} ({old} → {new})")
            else:
                line = _("issuer `{issuer}`: changed {label} ({old} → {new})")
            lines.append(
                line.format(issuer=slug, label=label, old=old_issuer.country or "—", new=issuer.country or "—")
            )
    return lines


def _label(descriptor) -> str:
    """A descriptor's label in the language of the messages (the pages' labels)."""
    return descriptor.label_ja if message_language() == "ja" else descriptor.label_en


def _awards_by_issuer(site: Site) -> dict[str, int]:
    counts: dict[str, int] = {}
    for award in site.awards:
        issuer = site.badges[award.badge].issuer
        counts[issuer] = counts.get(issuer, 0) + 1
    return counts


def _check_rehoming(base_site: Site | None, head_site: Site, plan: Plan) -> None:
    """Awards stay with their issuer: an award's status list entry, revocation list and issuer profile all
    follow its badge's issuer, and every copy of its credential names them (signed)."""
    if base_site is None:
        return
    awarded = {a.badge for a in base_site.awards}
    for slug in sorted(awarded):
        old, new = base_site.badges[slug].issuer, head_site.badges.get(slug)
        if new is not None and new.issuer != old:
            plan.problems.append(
                _problem(
                    "check.rehomed-issuer",
                    _(
                        "badge `{badge}` has published awards and would move from issuer `{old}` to `{new}`: their "
                        "credentials name the status lists and revocation lists of the issuer that issued them, so a "
                        "revocation would no longer reach them. Keep the badge with its issuer; make a new badge for "
                        "the other issuer"
                    ).format(badge=slug, old=old, new=new.issuer),
                    Location(f"content/badgeclasses/{slug}.yaml"),
                )
            )
    for slug, count in sorted(_awards_by_issuer(base_site).items()):
        if slug not in head_site.issuers:
            plan.problems.append(
                _problem(
                    "check.issuer-removed",
                    _(
                        "issuer `{issuer}` has {count} published award(s) and would disappear (a renamed issuer file "
                        "renames its URLs): keep content/issuers/{issuer}.yaml under its name; its display name may "
                        "change"
                    ).format(issuer=slug, count=count),
                )
            )


def _json_or_none(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_keys(base: Path, head: Path, base_site: Site | None, plan: Plan) -> None:
    """The public keys that signed published credentials stay published, unchanged and with the same owner:
    credentials in wallets are checked against them. Rotation adds a key and marks the old one retired."""
    if base_site is None or not base_site.awards:
        return  # nothing was signed yet
    advice = _(
        "to replace a key, add the new one to `keys:` in content/site.yaml and mark the old one `retired: true` "
        "(for ob2_signing: keep it; a new OB 2.0 key cannot take over assertions signed with the old one)"
    )
    for old_path in sorted((base / "keys").glob("*.json")):
        rel = f"keys/{old_path.name}"
        old, new = _json_or_none(old_path), _json_or_none(head / rel)
        if old is None or old == new:
            continue
        if new is None:
            plan.problems.append(
                _problem(
                    "check.key-changed",
                    _(
                        "the public key `{key}` signed published credentials and would be removed: they "
                        "would stop verifying; {advice}"
                    ).format(key=rel, advice=advice),
                    Location("content/site.yaml"),
                )
            )
            continue
        key_fields = ("publicKeyMultibase", "publicKeyPem", "type")
        if any(old.get(k) != new.get(k) for k in key_fields):
            plan.problems.append(
                _problem(
                    "check.key-changed",
                    _(
                        "the public key `{key}` signed published credentials and would change: they "
                        "would stop verifying; {advice}"
                    ).format(key=rel, advice=advice),
                    Location("content/site.yaml"),
                )
            )
        elif old.get("owner") != new.get("owner"):
            plan.problems.append(
                _problem(
                    "check.key-changed",
                    _(
                        "the OB 2.0 signing key `{key}` would change its owner from `{old}` to `{new}`: assertions "
                        "signed with it name the old owner and would stop verifying. The key belongs to the site's "
                        "first issuer by file name: give a new issuer a file name that sorts after `{first}`"
                    ).format(
                        key=rel,
                        old=old.get("owner"),
                        new=new.get("owner"),
                        first=str(old.get("owner", "")).rsplit("/", 1)[-1].removesuffix(".json"),
                    ),
                    Location("content/site.yaml"),
                )
            )
        else:
            plan.problems.append(
                _problem(
                    "check.key-changed",
                    _(
                        "the public key document `{key}` signed published credentials and would change "
                        "(its controller or id): they would stop verifying; {advice}"
                    ).format(key=rel, advice=advice),
                    Location("content/site.yaml"),
                )
            )
    did_path = base_site.urls.did_document()
    old_did, new_did = _json_or_none(base / did_path), _json_or_none(head / did_path)
    if old_did is None or new_did is None:
        return  # a base_url change or a removed keys: list is reported already
    new_methods = {m.get("id"): m for m in new_did.get("verificationMethod", [])}
    for method in old_did.get("verificationMethod", []):
        if new_methods.get(method.get("id")) != method or method.get("id") not in new_did.get("assertionMethod", []):
            plan.problems.append(
                _problem(
                    "check.key-changed",
                    _(
                        "the key `{key}` of `{document}` signed published credentials and "
                        "would be changed or removed: they would stop verifying; {advice}"
                    ).format(key=method.get("id"), document=did_path, advice=advice),
                    Location("content/site.yaml"),
                )
            )


def _check_new_keys(base_site: Site | None, head_site: Site, plan: Plan) -> None:
    """Every key of the DID document is trusted to have signed for the issuer, retired or not. A key added by a
    pull request must therefore be the one the deploy build signs with, whose private half the deploy proves it
    holds: a key added as retired, or behind the active one, is one nobody has to prove, and credentials forged
    with it would verify."""
    if base_site is None:
        return
    known = {(key.id, key.multibase) for key in base_site.config.keys}
    active = head_site.config.active_key
    for key in head_site.config.keys:
        if (key.id, key.multibase) in known:
            continue
        if key is not active:
            if key.retired:
                state = _("the new key `{key}` in content/site.yaml is retired")
            else:
                state = _("the new key `{key}` in content/site.yaml is not the first key in use")
            plan.problems.append(
                _problem(
                    "check.unproven-key",
                    _(
                        "{state}: the DID document would list it as a key of the issuer, although no build ever "
                        "proves who holds its private half, so anything signed with it would verify as issued by "
                        "you. Add a new key only as the first key not retired (rotation), and keep retired only "
                        "keys that signed published credentials"
                    ).format(state=state.format(key=key.id)),
                    Location("content/site.yaml"),
                )
            )
        else:
            plan.notes.append(
                _warning(
                    "check.new-key",
                    _(
                        "a new signing key `{key}` takes over from the merge on: the deploy only works if the "
                        "SITEGEN_SIGNING_KEY secret holds its private half; make sure the badge office made it"
                    ).format(key=key.id),
                )
            )


def _check_status_method(base_site: Site | None, head_site: Site, plan: Plan) -> None:
    """Switching credential_status re-signs the hosted credentials with the other method; the copies in wallets
    keep naming the old one. Both lists stay published and updated, so they still verify and can be revoked."""
    if (
        base_site is None
        or not base_site.awards
        or not base_site.config.keys
        or base_site.config.credential_status == head_site.config.credential_status
    ):
        return
    plan.notes.append(
        _warning(
            "check.status-method-changed",
            _(
                "credential_status changes from {old} to {new}: the hosted credentials will name the new method, "
                "the copies already in wallets keep the old one (both lists stay published and updated, so those "
                "still verify and can be revoked); verifiers that read only one method see the difference"
            ).format(old=base_site.config.credential_status, new=head_site.config.credential_status),
        )
    )


def _check_language_links(base_site: Site | None, head_site: Site, plan: Plan) -> None:
    """A signed credential names the badge's documents in the other languages only if its award was issued when
    they were published (published_languages_since): turning published_languages on or off, or moving that day,
    must not change the credentials already in wallets."""
    if base_site is None or not base_site.config.active_key:
        return  # no credential was signed before this change
    base_awards = {award.id: award for award in base_site.awards}
    changed = [
        award.id
        for award in head_site.awards
        if award.id in base_awards
        and base_site.config.links_languages(base_awards[award.id].issued_on)
        != head_site.config.links_languages(award.issued_on)
    ]
    if not changed:
        return
    today = datetime.now(head_site.config.tz).date().isoformat()
    plan.problems.append(
        _problem(
            "check.credentials-would-change",
            _(
                "{count} published credential(s) would change (e.g. award {award}): awards issued before "
                "this change keep the credential they were signed with. To publish the other languages from now on, "
                "add `published_languages_since: {today}` to content/site.yaml (and keep an existing one as it is)"
            ).format(count=len(changed), award=changed[0], today=today),
            Location("content/site.yaml"),
        )
    )


def _signed_claims(site: Site):
    """(path, what) of every file the signed site publishes and an unsigned build does not: the check builds
    without keys, main deploys with them. Every status list an issuer may ever use is included, and the OB 3.0
    files also when site.yaml lists no key yet: adding keys later must not need a published issuer renamed."""
    urls: Urls = site.urls
    for award in site.awards:
        kind = site.badges[award.badge].image.kind
        yield urls.credential_json(award.id), _("the credential of award `{award}`").format(award=award.id)
        yield (
            urls.credential_image(award.id, kind),
            _("the baked credential of award `{award}`").format(award=award.id),
        )
        yield urls.signed_assertion(award.id), _("the signed assertion of award `{award}`").format(award=award.id)
    for slug in site.issuers:
        yield (
            urls.credential_revocations(slug),
            _("the OB 3.0 revocation list of issuer `{issuer}`").format(issuer=slug),
        )
        status_list = _("status list {number} of issuer `{issuer}`")
        for number in range(1, STATUS_LISTS + 1):
            yield urls.status_list(slug, number), status_list.format(number=number, issuer=slug)


def _unsigned_sources(site: Site) -> dict[str, str]:
    """What the unsigned build publishes at the model's paths, to name it in messages."""
    urls: Urls = site.urls
    out = {}
    for slug, issuer in site.issuers.items():
        out[urls.issuer_json(slug)] = _("the profile of issuer `{issuer}`").format(issuer=slug)
        out[urls.revocation_list(slug)] = _("the OB 2.0 revocation list of issuer `{issuer}`").format(issuer=slug)
        if issuer.image:
            out[urls.issuer_image(slug, issuer.image.kind)] = _("the image of issuer `{issuer}`").format(issuer=slug)
    for slug, badge in site.badges.items():
        out[urls.badge_json(slug)] = _("the badge class `{badge}`").format(badge=slug)
        out[urls.badge_image(slug, badge.image.kind)] = _("the image of badge `{badge}`").format(badge=slug)
    assertion = _("the assertion of award `{award}`")
    for award in site.awards:
        out[urls.assertion_json(award.id)] = assertion.format(award=award.id)
    return out


def signed_path_clashes(site: Site, published: set[str]) -> dict[str, str]:
    """Paths the signed site would publish twice (path → the two things), found from the model: among the
    signed files, or a signed file where the unsigned build already publishes one (issuer `x-credentials` has its
    OB 2.0 revocation list where issuer `x` has its OB 3.0 one). Today the deploy build is the first to fail."""
    clashes: dict[str, str] = {}
    seen: dict[str, str] = {}
    unsigned = _unsigned_sources(site)
    for path, what in _signed_claims(site):
        if path in seen:
            clashes.setdefault(path, _("{first} and {second}").format(first=seen[path], second=what))
        elif path in published:
            other = unsigned.get(path) or _("a file the unsigned site publishes")
            clashes.setdefault(path, _("{first} and {second}").format(first=what, second=other))
        seen[path] = what
    return clashes


def _check_signed_paths(
    plan: Plan, *, base_site: Site | None, base_published: set[str], head_site: Site, head_published: set[str]
) -> None:
    clashes = signed_path_clashes(head_site, head_published)
    before = signed_path_clashes(base_site, base_published) if base_site is not None else {}
    twice = (
        _("`{path}` would be published twice in the signed site that main deploys: {what}")
        if head_site.config.keys
        else _(
            "`{path}` would be published twice once the site signs Open Badges 3.0 credentials (keys: in "
            "content/site.yaml): {what}"
        )
    )
    for path, what in sorted(clashes.items()):
        message = twice.format(path=path, what=what)
        if path in before:  # both published already: renaming either would break its URLs
            plan.notes.append(_warning("check.path-clash-published", message))
        else:
            plan.problems.append(
                _problem(
                    "check.path-clash",
                    _(
                        "{problem}. Rename the issuer this change adds (no issuer slug may be another's "
                        "followed by `-credentials`)"
                    ).format(problem=message),
                )
            )


def _check_names(base_site: Site | None, head_site: Site, plan: Plan, compared: bool = True) -> None:
    """A recipient's name enters the repository (public or not, and for good: git keeps history) only with their
    consent, recorded as show_name: true. A new name without it fails; one that was there already is a warning."""
    old_names = {a.id: a.name for a in base_site.awards} if base_site is not None else {}
    new: list[Location] = []
    kept: list[Location] = []
    for award in head_site.awards:
        if award.name and not award.show_name:
            (new if compared and old_names.get(award.id) != award.name else kept).append(award.source)
    for source in new[:20]:
        plan.problems.append(
            _problem(
                "check.unconsented-name",
                _(
                    "`{file}` writes the recipient's name without `show_name: true`: a name enters the "
                    "repository only when the recipient agreed to be named. Remove the name, or record their "
                    "consent with `show_name: true`"
                ).format(file=source),
                source,
            )
        )
    if len(new) > 20:
        plan.problems.append(
            _problem(
                "check.unconsented-name",
                _("… and {count} more award(s) with a name but without `show_name: true`").format(count=len(new) - 20),
            )
        )
    if kept:
        plan.notes.append(
            _warning(
                "check.kept-name",
                _(
                    "{count} award(s) keep a recipient's name without `show_name: true` ({files}): the pages do not "
                    "show it, but the repository holds it; remove those `name:` lines"
                ).format(count=len(kept), files=", ".join(f"`{s}`" for s in kept[:5]) + ("…" if len(kept) > 5 else "")),
            )
        )


def run_check(root: Path, base: str | None, workdir: Path | None = None) -> Plan:
    """Build and verify the working tree, and compare it with `base` (a git revision), by default with the merge
    base of the default branch."""
    root = root.absolute()
    plan = Plan(base)
    if base is None:
        found = default_base(root)
        if found is not None:
            branch, base = found
            plan.base = f"{branch} ({base[:12]})"
            plan.notes.append(
                _note(
                    "check.base-chosen",
                    _(
                        "no --base given: compared with `{branch}` where this branch left it (merge base {commit})"
                    ).format(branch=branch, commit=base[:12]),
                )
            )
    else:
        resolve_revision(root, base)  # an unknown revision fails before the long build
    with tempfile.TemporaryDirectory(prefix="sitegen-check-", dir=workdir) as tmp_name:
        tmp = Path(tmp_name)
        # The gate never signs: no key is in reach of a pull request's content, and what signing would add is
        # judged from the model (the size, the paths it would publish).
        result = build_site(root, tmp / "head", environ={})  # BuildError propagates: the CLI prints every problem
        plan.files, plan.bytes = result.files, result.bytes
        files = _repository_files(root)
        plan.problems.extend(personal_data_problems(root, files))
        plan.problems.extend(private_key_problems(root, files))
        plan.problems.extend(committed_build_problems(root))
        plan.notes.extend(result.warnings)
        _check_signed_size(root, result, plan)
        for item in verify_site(tmp / "head"):
            if item.status == "invalid":
                plan.problems.append(
                    _problem(
                        "check.not-verifying",
                        _("`{file}` does not verify: {problems}").format(
                            file=item.subject, problems=_("; ").join(f.message for f in item.errors)
                        ),
                        Location(item.subject),
                    )
                )
        if base is None:
            plan.notes.append(
                _note(
                    "check.no-base",
                    _(
                        "nothing to compare with: no --base given, and no default branch (origin/HEAD, main or "
                        "master) shares history with this commit. Nothing can be said about what this change "
                        "unpublishes"
                    ),
                )
            )
            _check_signed_paths(
                plan,
                base_site=None,
                base_published=set(),
                head_site=result.site,
                head_published=_published(tmp / "head"),
            )
            _check_names(None, result.site, plan, compared=False)
            return plan
        plan.other_files = changed_files(root, base)
        base_root = tmp / "base"
        if not export_revision(root, base, base_root):
            plan.notes.append(
                _note("check.base-empty", _("{base} has no content/: everything is new").format(base=base))
            )
            compare(tmp / "empty", tmp / "head", plan, head_site=result.site)
            plan.compared = True
            _check_new_ids(result.site, plan)
            return plan
        try:
            base_result = build_site(base_root, tmp / "base-out", environ={})
        except BuildError as exc:
            plan.notes.append(
                _note(
                    "check.base-broken",
                    _("the base revision {base} does not build ({problem}); compared with nothing").format(
                        base=base, problem=exc
                    ),
                )
            )
            compare(tmp / "empty", tmp / "head", plan, head_site=result.site)
            _check_new_ids(result.site, plan)
            return plan
        compare(tmp / "base-out", tmp / "head", plan, base_site=base_result.site, head_site=result.site)
        plan.compared = True
        _check_new_ids(result.site, plan)
    return plan


def _check_new_ids(site: Site, plan: Plan) -> None:
    """New awards whose hand-written ids scatter them over the status lists (published ids stay as they are)."""
    scattered = sorted(scattered_awards(site) & set(plan.issued))
    if scattered:
        plan.notes.append(
            _warning(
                "check.scattered-ids",
                _(
                    "{count} new award(s) have hand-written ids that put them in a later status list while an "
                    "earlier one has room ({awards}); few awards per list tell a watcher which award is checked. "
                    "Before merging, let `sitegen issue` draw their ids instead of writing them by hand"
                ).format(
                    count=len(scattered),
                    awards=", ".join(f"`{a}`" for a in scattered[:5]) + ("…" if len(scattered) > 5 else ""),
                ),
            )
        )


def _check_signed_size(root: Path, result: BuildResult, plan: Plan) -> None:
    """A pull request is checked without the signing keys, but main deploys the signed site, which is larger:
    judge the deployed size, estimated, against the size limit (GitHub Pages' unless site.yaml sets another)."""
    size_limit = result.size_limit
    config = result.site.config
    unsigned_ob3 = config.active_key is not None and not (result.output / "credentials").is_dir()
    unsigned_jws = config.ob2_key is not None and not any((result.output / "assertions").glob("*.jws"))
    if not (unsigned_ob3 or unsigned_jws):
        return
    deployed = result.bytes + signed_size_estimate(root, result.site, ob3_credentials=unsigned_ob3, jws=unsigned_jws)
    share = deployed / size_limit
    advice = size_advice(result.site.config.baked_files)
    said = _(
        "signed for deployment, the site will be about {size} MB ({share} of {limit}; this check built it "
        "without the signing key)"
    ).format(size=f"{deployed / 1e6:,.1f}", share=f"{share:.0%}", limit=limit_words(size_limit))
    if share > 1:
        over = _("{size}: over the limit; {advice}").format(size=said, advice=advice)
        plan.problems.append(_problem("check.signed-size-over-limit", over))
    elif share >= 0.8:
        plan.notes.append(
            _warning("check.signed-size-near-limit", _("{problem}; {advice}").format(problem=said, advice=advice))
        )
    else:
        plan.notes.append(_note("check.signed-size", said[0].upper() + said[1:]))


def _repository_files(root: Path) -> list[str]:
    """Files git would commit: tracked, and untracked but not ignored; everything under content/ without git.
    Symbolic links are listed (by name) but never read through."""
    try:
        listing = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except GitError:
        return sorted(
            p.relative_to(root).as_posix() for p in (root / "content").rglob("*") if p.is_file() or p.is_symlink()
        )
    names = listing.decode("utf-8", "replace").split("\0")
    return sorted({n for n in names if n and ((root / n).is_symlink() or (root / n).is_file())})


def _read_regular(root: Path, name: str) -> bytes | None:
    path = root / name
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _yaml_strings(text: str):
    """(line, string) of every key and value of a YAML text as YAML reads it: escapes such as \\x40 or \\u0040
    decoded and folded lines joined. Nothing for a text that does not parse (the build reports it)."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return
    todo, seen = [root] if root is not None else [], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:  # an alias: read once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str):
                yield node.start_mark.line + 1, node.value
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo += [key, value]


def _looks_like_email(text: str) -> bool:
    """An address as a reader of the page or the file would see it: full-width and other compatibility forms
    (＠, ﹫), HTML character references (&#64;), percent-encoding (%40), invisible characters, Markdown escapes
    (a\\@b) and spaces around the @ are all undone first."""
    if not any(mark in text for mark in ("@", "\uff20", "\ufe6b", "&", "%", "\\")):
        return False  # nothing that is or could become an @ (most lines)
    text = re.sub(r"\\(?:x40|u0040|U00000040)", "@", text)  # an escape as written, e.g. in a comment
    for _twice in range(2):  # and once more for a double encoding such as %2540
        text = unquote(html.unescape(unicodedata.normalize("NFKC", text)))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf").replace("\\", "")
    return bool(EMAIL_IN_TEXT.search(re.sub(r"\s*@\s*", "@", text)))


def personal_data_problems(root: Path, files: list[str] | None = None) -> list[Diagnostic]:
    """Plaintext email addresses in award files, and recipient spreadsheets, that would enter the repository.
    An award file is read both as text (comments included) and as YAML values (escapes decoded)."""
    problems = []
    for name in _repository_files(root) if files is None else files:
        if name.lower().endswith(SPREADSHEETS):
            problems.append(
                _problem(
                    "check.personal-data",
                    _(
                        "{file} is a spreadsheet in the repository: recipient lists hold personal data. "
                        "Keep it outside the repository (sitegen issue --csv reads it from anywhere)."
                    ).format(file=_code(name)),
                    Location(name),
                )
            )
        elif name.startswith("content/assertions/") and name.endswith((".yaml", ".yml")):
            data = _read_regular(root, name)
            if data is None:
                continue
            text = data.decode("utf-8", errors="replace")
            lines = {number for number, line in enumerate(text.splitlines(), 1) if _looks_like_email(line)}
            lines |= {number for number, value in _yaml_strings(text) if _looks_like_email(value)}
            for number in sorted(lines):
                where = Location(name, number)
                problems.append(
                    _problem(
                        "check.personal-data",
                        _(
                            "{file} holds an email address: award files keep only the salted "
                            "hash that `sitegen issue` writes"
                        ).format(file=_code(str(where))),
                        where,
                    )
                )
    return problems


def private_key_problems(root: Path, files: list[str] | None = None) -> list[Diagnostic]:
    """Private keys anywhere in the repository: files named like keys, and files holding one (as text, or in a
    YAML value with escapes). A key in a pull request is public to everyone who can read it, for good."""
    problems = []
    advice = _(
        "remove it from the repository and from its history, replace the key (consider it known), and give "
        "the build the new one through the SITEGEN_SIGNING_KEY secret"
    )
    for name in _repository_files(root) if files is None else files:
        if named_like_key(name):
            problems.append(
                _problem(
                    "check.private-key",
                    _(
                        "{file} is named like a private key file (*.pem, *.key, id_rsa…): {advice}. "
                        "Public keys belong in content/site.yaml"
                    ).format(file=_code(name), advice=advice),
                    Location(name),
                )
            )
            continue
        data = _read_regular(root, name)
        is_yaml = name.endswith((".yaml", ".yml"))
        if data is None or not (
            b"PRIVATE" in data or b"PuTTY" in data or b"kty" in data or (is_yaml and b"\\" in data)
        ):
            continue  # most files: no key, and no escape that could spell one
        text = data.decode("utf-8", errors="replace")
        found = private_key_at(text)
        line = text[:found].count("\n") + 1 if found is not None else None
        if line is None and is_yaml:
            line = next((number for number, value in _yaml_strings(text) if private_key_at(value) is not None), None)
        if line is not None:
            where = Location(name, line)
            holds = _("{file} holds a private key: {advice}").format(file=_code(str(where)), advice=advice)
            problems.append(_problem("check.private-key", holds, where))
    return problems


BUILD_ARTIFACTS = ("output/", ".sitegen-cache/", ".sitegen-build-", ".sitegen-old-")


def committed_build_problems(root: Path) -> list[Diagnostic]:
    """Built files and caches committed to the repository. The build never trusts them (the caches need a MAC
    made with the signing key or on this machine), but a pull request that adds them is trying something."""
    try:
        listing = _git(root, "ls-files", "-z", "--cached")
    except GitError:
        return []
    names = listing.decode("utf-8", "replace").split("\0")
    # `output` alone: a committed symbolic link (or file) named like the folder.
    committed = sorted(n for n in names if n.startswith(BUILD_ARTIFACTS) or n in ("output", ".sitegen-cache"))
    if not committed:
        return []
    shown = ", ".join(_code(name) for name in committed[:5])
    if len(committed) > 5:
        shown = _("{files} and {count} more").format(files=shown, count=len(committed) - 5)
    return [
        _problem(
            "check.committed-output",
            _(
                "{files}: built files and caches are made by the build and never committed "
                "(remove them with `git rm -r --cached`; .gitignore lists them)"
            ).format(files=shown),
            Location(committed[0]),
        )
    ]


def _fenced(text: str) -> str:
    """A line that stays inside a code fence: content can put newlines and backticks into a message."""
    return " ".join(text.replace("`", "'").splitlines())


def _line(text: str) -> str:
    """A list item of the job summary: one line, and no HTML or links that content could slip into it."""
    text = " ".join(text.splitlines())
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("]", "\\]")


def _code(text: str) -> str:
    return "`" + _fenced(text) + "`"


def failure_markdown(diagnostics) -> str:
    """The job summary of a change that does not build: every problem, as the build printed it."""
    lines = [
        _("## sitegen check: {verdict}").format(verdict=_("❌ must be fixed before merging")),
        "",
        _("The content does not build. Every problem, with its file and line:"),
        "",
        "```",
    ]
    lines += [_fenced(str(d)) for d in diagnostics] + ["```", ""]
    return "\n".join(lines)


def _note_text(note: Diagnostic) -> str:
    """A note of the plan as the summary has always shown it: a build warning with its file ("path:line:
    warning: ..."), the check's own warnings with "warning: " before them, and notes as they are."""
    if note.location.path:
        return str(note)
    return f"{severity_word('warning')}: {note.message}" if note.severity == "warning" else note.message


def plan_markdown(plan: Plan, base_url: str | None = None) -> str:
    def link(award_id: str) -> str:
        return f"[`{award_id}`]({base_url}/assertions/{award_id}.html)" if base_url else f"`{award_id}`"

    if not plan.ok:
        verdict = _("❌ must be fixed before merging")
    elif plan.compared:
        verdict = _("✅ ready to merge")
    else:  # built and verified, but what it would unpublish or change is unknown
        verdict = _("⚠️ not compared with a base revision: builds and verifies, nothing more is known")
    lines = [_("## sitegen check: {verdict}").format(verdict=verdict), ""]
    if plan.problems:
        lines += [_("### Problems"), ""] + [f"- {_line(p.message)}" for p in plan.problems] + [""]
    if plan.base:
        heading = _("### What this change publishes compared with `{base}`").format(base=plan.base)
    else:
        heading = _("### What this change publishes")
    lines += [
        heading,
        "",
        _("| | count |"),
        "|---|---|",
        _("| awards issued | {count} |").format(count=len(plan.issued)),
        _("| awards revoked | {count} |").format(count=len(plan.revoked)),
        _("| awards changed | {count} |").format(count=len(plan.changed_awards)),
        _("| badges added / changed | {added} / {changed} |").format(
            added=len(plan.badges_added), changed=len(plan.badges_changed)
        ),
        _("| issuers added / changed | {added} / {changed} |").format(
            added=len(plan.issuers_added), changed=len(plan.issuers_changed)
        ),
        "",
    ]
    for title, items, fmt in (
        (_("Issued ({count})"), plan.issued, link),
        (_("Revoked ({count})"), plan.revoked, link),
        (_("Changed awards ({count})"), plan.changed_awards, link),
        (_("Badges added ({count})"), plan.badges_added, lambda s: f"`{s}`"),
        (_("Badges changed ({count})"), plan.badges_changed, lambda s: f"`{s}`"),
        (_("Issuers added ({count})"), plan.issuers_added, lambda s: f"`{s}`"),
        (_("Issuers changed ({count})"), plan.issuers_changed, lambda s: f"`{s}`"),
    ):
        if items:
            shown = items[:200]
            lines += [f"<details><summary>{title.format(count=len(items))}</summary>", ""]
            lines += [f"- {fmt(i)}" for i in shown]
            if len(items) > len(shown):
                lines.append("- " + _("… and {count} more").format(count=len(items) - len(shown)))
            lines += ["", "</details>", ""]
    if plan.descriptor_changes:
        lines += [_("#### Micro-credential descriptors changed"), ""]
        lines += [f"- {_line(change)}" for change in plan.descriptor_changes] + [""]
    if plan.other_files:
        other_files = _(
            "Other files changed ({count}): themes, workflows and code shape every page and run in the deploy "
            "job, so review them as code"
        ).format(count=len(plan.other_files))
        lines += [f"<details open><summary>{other_files}</summary>", ""]
        lines += [f"- {_code(name)}" for name in plan.other_files[:200]] + ["", "</details>", ""]
    lines.append(_("Site: {files} files, {size} MB.").format(files=plan.files, size=f"{plan.bytes / 1e6:.1f}"))
    lines += [f"- {_line(_note_text(n))}" for n in plan.notes]
    return "\n".join(lines) + "\n"
