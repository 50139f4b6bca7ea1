"""`sitegen check`: the pull-request gate.

Validate, build into a temporary folder, verify the built site, and compare it with the site built from
the base revision: a plan of what the change publishes, revokes and changes, as Markdown for the job
summary. A published URL must never disappear, and an award's id, badge and recipient never change.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from sitegen.build import (PAGES_SIZE_LIMIT, SIZE_ADVICE, SIZE_ADVICE_BAKED_IN_BROWSER, build_site,
                           signed_size_estimate)
from sitegen.diagnostics import BuildError, SitegenError
from sitegen.model import Site, scattered_awards
from sitegen.verify import verify_site

# Recipients are stored as salted hashes: an address in an award file, or a spreadsheet of recipients,
# would publish personal data in the repository's history for good.
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
SPREADSHEETS = (".csv", ".tsv", ".xlsx", ".xls", ".ods", ".numbers")


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
    problems: list[str] = field(default_factory=list)  # each one fails the check
    other_files: list[str] = field(default_factory=list)  # changed outside content/: need a careful review
    notes: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _git(root: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True).stdout
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise GitError(f"git {' '.join(args)} failed: {exc.stderr.decode(errors='replace').strip()}") from None


def export_revision(root: Path, revision: str, target: Path) -> bool:
    """Write content/ and themes/ of `revision` into target; False when that revision has no content/."""
    commit = _git(root, "rev-parse", "--verify", f"{revision}^{{commit}}").decode().strip()
    listing = _git(root, "ls-tree", "--name-only", commit).decode().split()
    paths = [p for p in ("content", "themes") if p in listing]
    if "content" not in paths:
        return False
    archive = _git(root, "archive", "--format=tar", commit, *paths)
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    except tarfile.TarError as exc:  # e.g. a link pointing out of the repository
        raise GitError(f"{revision} holds a file that cannot be exported safely: {exc}") from None
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
        "awards": {a.id: replace(a, source="", name=a.public_name) for a in site.awards},
        "badges": {slug: replace(b, image=None) for slug, b in site.badges.items()},
        "issuers": {slug: replace(i, image=None) for slug, i in site.issuers.items()},
    }


def _files_of(site: Path, folder: str, stem: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((site / folder).glob(f"{stem}.*")) if p.suffix in (".png", ".svg")}


def compare(base: Path, head: Path, plan: Plan, base_site: Site | None = None, head_site: Site | None = None) -> None:
    """Fill `plan` with the differences between two built sites (and their models, for what only pages show)."""
    base_issuers, head_issuers = _json_files(base, "issuers"), _json_files(head, "issuers")
    base_url = next((d["id"].rsplit("/issuers/", 1)[0] for d in base_issuers.values()), None)
    head_url = next((d["id"].rsplit("/issuers/", 1)[0] for d in head_issuers.values()), None)
    if base_url and head_url and base_url != head_url:
        plan.problems.append(f"base_url changed from {base_url} to {head_url}: every published badge would stop "
                             "verifying. Keep the old base_url (a custom domain can be moved, a URL cannot). If "
                             "nothing was ever published from this repository (its first setup from the template), "
                             "commit this change to main directly: the check compares with what main publishes.")
    for path in sorted(_published(base) - _published(head)):
        plan.problems.append(f"`{path}` was published and would disappear: revoke awards instead of deleting them, "
                             "and keep badge and issuer files")
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
            plan.problems.append(f"award {award_id} was revoked and would be reinstated: issue a new award instead")
        else:
            for key, what in (("badge", "badge"), ("recipient", "recipient")):
                if old.get(key) != doc.get(key):
                    plan.problems.append(f"award {award_id}: its {what} would change; revoke it and issue a new award")
            plan.changed_awards.append(award_id)
    for folder, added, changed in (("badges", plan.badges_added, plan.badges_changed),
                                   ("issuers", plan.issuers_added, plan.issuers_changed)):
        old_docs, new_docs = _json_files(base, folder), _json_files(head, folder)
        for slug, doc in new_docs.items():
            if slug not in old_docs:
                added.append(slug)
            elif (old_docs[slug] != doc or _files_of(base, folder, slug) != _files_of(head, folder, slug)
                  or base_models[folder].get(slug) != head_models[folder].get(slug)):
                changed.append(slug)  # the document, its pages in any language, or the image awards are baked into


def run_check(root: Path, base: str | None, workdir: Path | None = None) -> Plan:
    """Build and verify the working tree, and compare it with `base` (a git revision) when given."""
    root = root.absolute()
    plan = Plan(base)
    with tempfile.TemporaryDirectory(prefix="sitegen-check-", dir=workdir) as tmp:
        tmp = Path(tmp)
        result = build_site(root, tmp / "head")  # BuildError propagates: the CLI prints every problem
        plan.files, plan.bytes = result.files, result.bytes
        plan.problems.extend(personal_data_problems(root))
        plan.notes.extend(str(w) for w in result.warnings)
        _check_signed_size(root, result, plan)
        for item in verify_site(tmp / "head"):
            if item.status == "invalid":
                plan.problems.append(f"`{item.subject}` does not verify: "
                                     + "; ".join(f.message for f in item.errors))
        if base is None:
            plan.notes.append("no base revision given: nothing to compare with")
            return plan
        plan.other_files = changed_files(root, base)
        base_root = tmp / "base"
        if not export_revision(root, base, base_root):
            plan.notes.append(f"{base} has no content/: everything is new")
            compare(tmp / "empty", tmp / "head", plan)
            _check_new_ids(result.site, plan)
            return plan
        try:
            base_result = build_site(base_root, tmp / "base-out")
        except BuildError as exc:
            plan.notes.append(f"the base revision {base} does not build ({exc}); compared with nothing")
            compare(tmp / "empty", tmp / "head", plan)
            _check_new_ids(result.site, plan)
            return plan
        compare(tmp / "base-out", tmp / "head", plan, base_result.site, result.site)
        _check_new_ids(result.site, plan)
    return plan


def _check_new_ids(site: Site, plan: Plan) -> None:
    """New awards whose hand-written ids scatter them over the status lists (published ids stay as they are)."""
    scattered = sorted(scattered_awards(site) & set(plan.issued))
    if scattered:
        plan.notes.append(f"warning: {len(scattered)} new award(s) have hand-written ids that put them in a later "
                          "status list while an earlier one has room ("
                          + ", ".join(f"`{a}`" for a in scattered[:5]) + ("…" if len(scattered) > 5 else "")
                          + "); few awards per list tell a watcher which award is checked. Before merging, let "
                          "`sitegen issue` draw their ids instead of writing them by hand")


def _check_signed_size(root: Path, result, plan: Plan, size_limit: int = PAGES_SIZE_LIMIT) -> None:
    """A pull request is checked without the signing keys, but main deploys the signed site, which is larger:
    judge the deployed size, estimated, against GitHub Pages' limit."""
    config = result.site.config
    unsigned_ob3 = config.active_key is not None and not (result.output / "credentials").is_dir()
    unsigned_jws = config.ob2_key is not None and not any((result.output / "assertions").glob("*.jws"))
    if not (unsigned_ob3 or unsigned_jws):
        return
    deployed = result.bytes + signed_size_estimate(root, result.site, unsigned_ob3, unsigned_jws)
    share = deployed / size_limit
    advice = SIZE_ADVICE if result.site.config.baked_files else SIZE_ADVICE_BAKED_IN_BROWSER
    said = (f"signed for deployment, the site will be about {deployed / 1e6:,.1f} MB ({share:.0%} of the "
            f"{size_limit / 1e6:,.0f} MB GitHub Pages limit; this check built it without the signing key)")
    if share > 1:
        plan.problems.append(f"{said}: over the limit; {advice}")
    elif share >= 0.8:
        plan.notes.append(f"warning: {said}; {advice}")
    else:
        plan.notes.append(said[0].upper() + said[1:])


def _repository_files(root: Path) -> list[str]:
    """Files git would commit: tracked, and untracked but not ignored; everything under content/ without git."""
    try:
        listing = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except GitError:
        return sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*") if p.is_file())
    return sorted({name for name in listing.decode("utf-8", "replace").split("\0") if name and (root / name).is_file()})


def personal_data_problems(root: Path) -> list[str]:
    """Plaintext email addresses in award files, and recipient spreadsheets, that would enter the repository."""
    problems = []
    for name in _repository_files(root):
        if name.lower().endswith(SPREADSHEETS):
            problems.append(f"{_code(name)} is a spreadsheet in the repository: recipient lists hold personal data. "
                            "Keep it outside the repository (sitegen issue --csv reads it from anywhere).")
        elif name.startswith("content/assertions/") and name.endswith((".yaml", ".yml")):
            text = (root / name).read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                if EMAIL_IN_TEXT.search(line):
                    problems.append(f"{_code(f'{name}:{number}')} holds an email address: award files keep only the salted "
                                    "hash that `sitegen issue` writes")
    return problems


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
    lines = ["## sitegen check: ❌ must be fixed before merging", "",
             "The content does not build. Every problem, with its file and line:", "", "```"]
    lines += [_fenced(str(d)) for d in diagnostics] + ["```", ""]
    return "\n".join(lines)


def plan_markdown(plan: Plan, base_url: str | None = None) -> str:
    def link(award_id: str) -> str:
        return f"[`{award_id}`]({base_url}/assertions/{award_id}.html)" if base_url else f"`{award_id}`"

    lines = ["## sitegen check: " + ("✅ ready to merge" if plan.ok else "❌ must be fixed before merging"), ""]
    if plan.problems:
        lines += ["### Problems", ""] + [f"- {_line(p)}" for p in plan.problems] + [""]
    against = f" compared with `{plan.base}`" if plan.base else ""
    lines += [f"### What this change publishes{against}", "",
              "| | count |", "|---|---|",
              f"| awards issued | {len(plan.issued)} |", f"| awards revoked | {len(plan.revoked)} |",
              f"| awards changed | {len(plan.changed_awards)} |",
              f"| badges added / changed | {len(plan.badges_added)} / {len(plan.badges_changed)} |",
              f"| issuers added / changed | {len(plan.issuers_added)} / {len(plan.issuers_changed)} |", ""]
    for title, items, fmt in (("Issued", plan.issued, link), ("Revoked", plan.revoked, link),
                              ("Changed awards", plan.changed_awards, link),
                              ("Badges added", plan.badges_added, lambda s: f"`{s}`"),
                              ("Badges changed", plan.badges_changed, lambda s: f"`{s}`"),
                              ("Issuers added", plan.issuers_added, lambda s: f"`{s}`"),
                              ("Issuers changed", plan.issuers_changed, lambda s: f"`{s}`")):
        if items:
            shown = items[:200]
            lines += [f"<details><summary>{title} ({len(items)})</summary>", ""]
            lines += [f"- {fmt(i)}" for i in shown]
            if len(items) > len(shown):
                lines.append(f"- … and {len(items) - len(shown)} more")
            lines += ["", "</details>", ""]
    if plan.other_files:
        lines += [f"<details open><summary>Other files changed ({len(plan.other_files)}): themes, workflows and "
                  "code shape every page and run in the deploy job, so review them as code</summary>", ""]
        lines += [f"- {_code(name)}" for name in plan.other_files[:200]] + ["", "</details>", ""]
    lines.append(f"Site: {plan.files} files, {plan.bytes / 1e6:.1f} MB.")
    lines += [f"- {_line(n)}" for n in plan.notes]
    return "\n".join(lines) + "\n"
