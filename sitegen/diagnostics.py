"""The one kind of problem report: content errors, verify findings, check plan problems and build notes.

Every `Diagnostic` has a severity, a stable code (documented in the README's table of codes, so a user can
search for one), a message, and where it is: a file with line and column when known, or a URL. The library
collects them and raises `BuildError` (or returns them); only the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sitegen.messages import _

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Code:
    """What the README's table says about one diagnostic code."""

    severity: Severity  # the severity it is reported at
    commands: str  # which command(s) report it, e.g. "build, check"
    description: str  # one line for users: the kind of problem, not one instance of it


# Content problems are found while loading the content, which every command reading it does.
_CONTENT = "build, check, serve, issue, revoke"
# verify findings: `sitegen verify`, and the pull-request check, which verifies the site it builds.
_VERIFY = "verify, check"

# Every code, declared once. Codes name the KIND of problem; a handful of messages may share one.
# Each stage appends its block here: "<area>.<kind>": Code("<severity>", "<commands>", "<one line>").
# A Diagnostic with a code missing here is refused; tests/test_diagnostics.py checks that every code used in
# sitegen/ is here and that README.md's "Diagnostic codes" table matches (regenerate it: tools/codes_table.py).
CODES: dict[str, Code] = {
    # --- content: reading the content repository's files (sitegen/content) ---
    "content.unreadable": Code("error", _CONTENT, "A content file cannot be read, or is not UTF-8 text."),
    "content.missing-file": Code("error", _CONTENT, "A file every site needs (content/site.yaml) is missing."),
    "content.wrong-extension": Code("error", _CONTENT, "A content file ends in .yml; content files use .yaml."),
    "content.symlink": Code(
        "error", _CONTENT, "A content or theme file is a symbolic link, not a file of the repository."
    ),
    "content.private-key": Code("error", _CONTENT, "A content file holds a private key; never commit one."),
    "content.yaml-syntax": Code("error", _CONTENT, "The file is not valid YAML."),
    "content.yaml-unsupported": Code(
        "error", _CONTENT, "A YAML feature content files do not use: aliases, merge keys, complex keys."
    ),
    "content.duplicate-key": Code("error", _CONTENT, "A key appears twice in one YAML mapping."),
    "content.unknown-field": Code(
        "error", _CONTENT, "A key the file kind does not define (a typo, or a field in the wrong place)."
    ),
    "content.missing-field": Code("error", _CONTENT, "A required field is missing or empty."),
    "content.wrong-type": Code(
        "error", _CONTENT, "A field has the wrong type: text, a list, a mapping, true/false or a date."
    ),
    "content.invalid-value": Code(
        "error", _CONTENT, "A field's value is not allowed: a malformed URL, date, id, language or duration."
    ),
    "content.microcredential-missing": Code(
        "error",
        _CONTENT,
        "A micro-credential badge lacks a descriptor its site's microcredential_profile requires (e.g. eu).",
    ),
    "content.invalid-option": Code("error", _CONTENT, "A site.yaml option has a value it does not allow."),
    "content.invalid-key": Code(
        "error", _CONTENT, "A signing key in site.yaml is malformed, private, retired or listed twice."
    ),
    "content.bad-file-name": Code(
        "error", _CONTENT, "An issuer's or badge's file name is not URL-safe (it becomes its public URL)."
    ),
    "content.unknown-issuer": Code("error", _CONTENT, "A badge names an issuer that has no file in content/issuers/."),
    "content.unknown-badge": Code(
        "error", _CONTENT, "An award names a badge that has no file in content/badgeclasses/."
    ),
    "content.future-date": Code("error", _CONTENT, "An issue or revocation date has not come yet."),
    "content.plaintext-email": Code("error", _CONTENT, "A recipient's email is stored in plain text, not hashed."),
    "content.date-order": Code("error", _CONTENT, "An award expires before (or when) it is issued."),
    "content.image-without-alt": Code(
        "warning",
        "build, check, serve",
        "An image in Markdown or HTML text has no alt text (the page gives it an empty one).",
    ),
    "award.duplicate-id": Code("error", _CONTENT, "Two awards have the same id; every award needs its own."),
    "award.status-collision": Code("error", _CONTENT, "Two awards would share one position in a status list."),
    "image.bad-path": Code(
        "error", _CONTENT, "An image field names a file outside content/, or not a PNG or SVG file."
    ),
    "image.not-found": Code("error", _CONTENT, "An image field names a file that does not exist."),
    "image.too-large": Code("error", _CONTENT, "An image file or its pixels are larger than badge images may be."),
    "image.invalid": Code(
        "error", _CONTENT, "An image is malformed, or an SVG is not static (scripts, external links)."
    ),
    # --- authoring: `sitegen issue` and `sitegen revoke` (sitegen/commands/authoring.py) ---
    "csv.unknown-column": Code("error", "issue", "The recipients CSV has a column `sitegen issue` does not know."),
    "csv.invalid-row": Code(
        "error", "issue", "A row of the recipients CSV is malformed: no email, a bad date or name."
    ),
    "award.already-held": Code(
        "error", "issue", "The recipient already holds this badge (pass --again to award it again)."
    ),
    # --- import: awards issued elsewhere (sitegen/commands/importing.py, import_sources.py) ---
    "import.unreadable": Code("error", "import", "A source of `sitegen import` is no file, folder or http(s) URL."),
    "import.unsupported": Code(
        "error", "import", "A source of `sitegen import` is in a form it does not read (a list without URLs)."
    ),
    "import.source-refused": Code(
        "error",
        "import",
        "A source does not verify, was revoked, or cannot be kept as published (an md5 or non-email recipient).",
    ),
    # --- build: what `sitegen build` (and every command building the site) reports (sitegen/build/pipeline.py) ---
    "build.ob3-skipped": Code(
        "note", "build", "Open Badges 3.0 credentials were not signed: no key in site.yaml, or none given."
    ),
    "build.ob2-skipped": Code(
        "note", "build", "OB 2.0 signed assertions were not made: site.yaml asks for them, no key was given."
    ),
    "build.cache-ignored": Code(
        "note", "build", "The .sitegen-cache folder was not used (a symbolic link, or not a folder)."
    ),
    "build.near-size-limit": Code("warning", "build, check", "The site is 80 % or more of GitHub Pages' size limit."),
    "build.too-large": Code("error", "build, check", "The site is over GitHub Pages' size limit."),
    "build.signing-required": Code("error", "build", "--require-signing was given, but a signing key is missing."),
    "build.key-mismatch": Code(
        "error", "build", "The private signing key given does not match the public key in site.yaml."
    ),
    "build.template-error": Code("error", "build, check, serve", "A theme template fails to compile or render."),
    "build.theme-private-key": Code("error", "build, check, serve", "A theme's static files hold a private key."),
    # --- check: the plan of a pull request (sitegen/commands/check.py); errors fail the check ---
    "check.base-url-changed": Code("error", "check", "base_url changed: every published badge would stop verifying."),
    "check.unpublished": Code("error", "check", "A published file would disappear (revoke awards, keep files)."),
    "check.reinstated": Code("error", "check", "A revoked award would be reinstated; issue a new award instead."),
    "check.award-changed": Code("error", "check", "A published award's badge or recipient would change."),
    "check.rehomed-issuer": Code("error", "check", "A badge with published awards would move to another issuer."),
    "check.issuer-removed": Code("error", "check", "An issuer with published awards would disappear or be renamed."),
    "check.key-changed": Code(
        "error", "check", "A public key that signed published credentials would change or be removed."
    ),
    "check.unproven-key": Code(
        "error", "check", "A key is added as retired, or behind the key in use: nothing proves who holds it."
    ),
    "check.new-key": Code("warning", "check", "A new signing key takes over: the deploy needs its private half."),
    "check.status-method-changed": Code(
        "warning", "check", "credential_status changes; credentials in wallets keep naming the old method."
    ),
    "check.path-clash": Code("error", "check", "The signed site would publish two files at one path."),
    "check.path-clash-published": Code(
        "warning", "check", "Two published files would share a path in the signed site (both published already)."
    ),
    "check.unconsented-name": Code(
        "error", "check", "An award writes a recipient's name without `show_name: true` (their consent)."
    ),
    "check.kept-name": Code(
        "warning", "check", "Awards keep a recipient's name without `show_name: true`; the repository holds it."
    ),
    "check.personal-data": Code(
        "error", "check", "An email address in an award file, or a recipient spreadsheet, in the repository."
    ),
    "check.private-key": Code("error", "check", "A private key, or a file named like one, in the repository."),
    "check.committed-output": Code("error", "check", "Built files or caches (output/, .sitegen-cache/) are committed."),
    "check.not-verifying": Code("error", "check", "A file of the built site does not verify."),
    "check.signed-size-over-limit": Code(
        "error", "check", "Signed for deployment, the site would be over GitHub Pages' size limit."
    ),
    "check.signed-size-near-limit": Code(
        "warning", "check", "Signed for deployment, the site would be 80 % or more of GitHub Pages' size limit."
    ),
    "check.signed-size": Code("note", "check", "The estimated size of the site signed for deployment."),
    "check.scattered-ids": Code(
        "warning", "check", "New awards' hand-written ids put them in a later status list than needed."
    ),
    "check.no-base": Code(
        "note", "check", "No base revision was given and no default branch was found: nothing to compare with."
    ),
    "check.base-chosen": Code(
        "note", "check", "No --base given: compared with the merge base of the default branch (origin/HEAD, main)."
    ),
    "check.credentials-would-change": Code(
        "error",
        "check",
        "Signed credentials already issued would change (published_languages turned on or off without a since day).",
    ),
    "check.base-empty": Code("note", "check", "The base revision has no content/: everything is new."),
    "check.base-broken": Code("note", "check", "The base revision does not build: compared with nothing."),
    # --- verify: findings of `sitegen verify` (and of the check's verify step), one code per kind of problem; each
    # belongs to exactly one named check of sitegen/verify/checks.py ---
    "verify.input.unreadable": Code(
        "error", _VERIFY, "The input is not badge data verify can read (JSON, a URL, a JWS)."
    ),
    "verify.input.too-large": Code("error", _VERIFY, "The file is larger than verify reads (32 MB)."),
    "verify.document.unreadable": Code(
        "error", _VERIFY, "The badge, or a document it links to, cannot be fetched or read."
    ),
    "verify.baked.no-badge": Code("error", _VERIFY, "The PNG or SVG image carries no badge."),
    "verify.document.unreachable": Code(
        "error", _VERIFY, "A document could not be fetched right now (network): the badge could not be verified."
    ),
    "verify.baked.differs-from-hosted": Code(
        "error", _VERIFY, "The badge in an image or file differs from the one its issuer's site publishes at its id."
    ),
    "verify.image.not-the-badge": Code(
        "error", _VERIFY, "A baked image's picture is not the image of the badge it claims to be."
    ),
    "verify.document.context": Code("error", _VERIFY, "A document's @context is not that of its Open Badges version."),
    "verify.document.type": Code("error", _VERIFY, "A document's type is not the type expected where it is linked."),
    "verify.document.missing-field": Code("error", _VERIFY, "A document lacks a field its type requires."),
    "verify.document.bad-date": Code("error", _VERIFY, "A date is not a date-time with a timezone."),
    "verify.assertion.verification-type": Code(
        "error", _VERIFY, "An assertion's verification type does not match how it is published (hosted or signed)."
    ),
    "verify.document.id-mismatch": Code("error", _VERIFY, "A document's id is not the URL it was fetched from."),
    "verify.issuer.hosted-scope": Code(
        "error", _VERIFY, "A hosted assertion is outside the origins or paths its issuer allows."
    ),
    "verify.image.missing": Code("error", _VERIFY, "A badge or assertion image is missing or cannot be fetched."),
    "verify.image.data-uri": Code("error", _VERIFY, "An assertion's image is a data URI, not a URL."),
    "verify.image.not-an-image": Code("error", _VERIFY, "An image is neither PNG nor SVG."),
    "verify.recipient.malformed": Code("error", _VERIFY, "The recipient is not a well-formed hashed identity."),
    "verify.recipient.plain-text": Code(
        "warning", _VERIFY, "The recipient's identity is published in plain text (hashed: false)."
    ),
    "verify.recipient.mismatch": Code("error", _VERIFY, "The badge was not awarded to the --email address given."),
    "verify.dates.not-yet-valid": Code("error", _VERIFY, "The badge's issue date (or validFrom) is in the future."),
    "verify.dates.expires-before-issued": Code("error", _VERIFY, "The badge expires before it was issued."),
    "verify.signature.invalid": Code("error", _VERIFY, "The signature or proof does not match the document."),
    "verify.signature.no-key": Code("error", _VERIFY, "The signature or proof does not name the key that made it."),
    "verify.signature.malformed-proof": Code(
        "error", _VERIFY, "The proof is missing, malformed, or of a kind verify does not check."
    ),
    "verify.key.not-issuers": Code("error", _VERIFY, "The signing key is not shown to be the issuer's own."),
    "verify.key.owner-beside-issuer": Code(
        "warning", _VERIFY, "The key names another issuer of the same site as its owner (both list it)."
    ),
    "verify.key.did-unresolvable": Code(
        "error", _VERIFY, "The issuer's DID document cannot be resolved, or is another DID's."
    ),
    "verify.key.not-did-web": Code(
        "error", _VERIFY, "The issuer is neither a did:web nor an Ed25519 did:key DID, so its keys cannot be checked."
    ),
    "verify.key.malformed": Code("error", _VERIFY, "A key's publicKeyMultibase cannot be read."),
    "verify.key.did-key-only": Code(
        "warning", _VERIFY, "The issuer is a did:key: the signature shows the credential unchanged, not who issued it."
    ),
    "verify.revocation-list.unreadable": Code("error", _VERIFY, "The issuer's revocation list cannot be read."),
    "verify.revocation-list.wrong-list": Code(
        "error", _VERIFY, "The revocation list is not a RevocationList at its own id, or is another issuer's."
    ),
    "verify.revocation-list.malformed": Code("error", _VERIFY, "The revocation list's revokedAssertions is malformed."),
    "verify.revocation-list.hosted-not-revoked": Code(
        "warning", _VERIFY, "The revocation list names a hosted assertion whose JSON does not say it is revoked."
    ),
    "verify.status.unsupported": Code(
        "error", _VERIFY, "A credentialStatus of a type or purpose verify cannot check (it may be revoked)."
    ),
    "verify.status.malformed-entry": Code(
        "error", _VERIFY, "A credentialStatus entry is malformed: no list URL, or a bad or out-of-range index."
    ),
    "verify.status.list-unreadable": Code(
        "error", _VERIFY, "The credential's status or revocation list cannot be read."
    ),
    "verify.status.wrong-list": Code(
        "error", _VERIFY, "The status list is not the one named, another issuer's, or for another purpose."
    ),
    "verify.status.list-not-signed": Code(
        "error", _VERIFY, "The status list's proof fails: it is not shown to be the issuer's."
    ),
    "verify.status.list-out-of-date": Code("error", _VERIFY, "The status list is not yet valid, or has expired."),
    "verify.status.list-malformed": Code("error", _VERIFY, "The status list cannot be decoded, or is too short."),
    "verify.status.suspended": Code("error", _VERIFY, "The issuer's status list marks the credential suspended."),
    "verify.status-list.wrong-issuer": Code(
        "error", _VERIFY, "A published status list is not issued by the site's DID."
    ),
    "verify.status-list.undecodable": Code("error", _VERIFY, "A published status list cannot be decoded."),
    "verify.did.not-a-key-id": Code(
        "error", _VERIFY, "The DID document's assertionMethod holds something not a key id."
    ),
    "verify.site.empty": Code(
        "warning", _VERIFY, "The site publishes no issuer, badge or award yet: nothing to verify."
    ),
    "verify.site.not-a-site": Code("error", _VERIFY, "The folder is not a built site (no index.html, no badge data)."),
    "verify.site.no-base-url": Code(
        "error", _VERIFY, "The site's base URL cannot be told (no issuers/*.json); pass --base-url."
    ),
}


def known_code(code: str) -> str:
    """`code`, once it is known to be registered in CODES (a typo fails where it is made, not in the README)."""
    if code not in CODES:
        raise ValueError(f"unregistered diagnostic code {code!r}: declare it in sitegen.diagnostics.CODES")
    return code


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a path relative to the project root (POSIX separators) or a URL, with a 1-based line
    and column when known (0 when the problem concerns the whole file, or the column is not known)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        # Text output has always been "path:line"; the column is in --json only (to_dict).
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    message: str
    severity: Severity
    code: str  # stable, dotted, registered in CODES: "content.yaml-syntax", "verify.signature", ...

    def __post_init__(self) -> None:
        known_code(self.code)

    def __lt__(self, other: Diagnostic) -> bool:
        return self._sort_key() < other._sort_key()

    def _sort_key(self) -> tuple:
        # By file, line, then message, as every run has always listed them; the column only breaks ties.
        where = self.location
        return (where.path, where.line, self.message, where.column, self.severity, self.code)

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    def __str__(self) -> str:
        # As a person reads it, in their language; --json (to_dict) keeps the severity's English name.
        return f"{self.location}: {severity_word(self.severity)}: {self.message}"

    def to_dict(self) -> dict:
        """What `--json` prints: a flat object with every field."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
        }


def severity_word(severity: str) -> str:
    """The word for a severity (error, warning, note) as printed for a person, in the chosen language."""
    words = {"error": _("error"), "warning": _("warning"), "note": _("note")}
    return words.get(severity, severity)


class SitegenError(Exception):
    """Base class of every error the library raises on purpose (the CLI shows these without a traceback)."""


class BuildError(SitegenError):
    """The content has problems; `diagnostics` lists all of them, sorted by file and line."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__(_("{count} error(s) in the content").format(count=len(errors)))


class Collector:
    """Gathers diagnostics from every stage so that one run reports every problem."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, location: Location, code: str, message: str) -> None:
        self.items.append(Diagnostic(location, message, "error", code))

    def warning(self, location: Location, code: str, message: str) -> None:
        self.items.append(Diagnostic(location, message, "warning", code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity == "warning")
