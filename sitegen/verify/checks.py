"""The registry of verify's named checks: what each is called for people, what it applies to, what it reports.

Every finding code belongs to exactly one check (tests/test_verify_registry.py scans the code for it); the codes'
severity and one-line description are in sitegen.diagnostics.CODES, with every other diagnostic code.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a check can apply to: the kinds of input verify reads (a result lists the ones it read).
OB2_HOSTED = "ob2-hosted"
OB2_SIGNED = "ob2-signed"
OB3_CREDENTIAL = "ob3-credential"
BAKED_IMAGE = "baked image"
ISSUER_PROFILE = "issuer profile"
BADGE_CLASS = "badge class"
STATUS_LIST = "status list"
DID_DOCUMENT = "DID document"
SITE_FOLDER = "site folder"
INPUTS = (
    *(OB2_HOSTED, OB2_SIGNED, OB3_CREDENTIAL, BAKED_IMAGE),
    *(ISSUER_PROFILE, BADGE_CLASS, STATUS_LIST, DID_DOCUMENT, SITE_FOLDER),
)

# The verdicts of a check that was considered for a result (skipped ones say why).
VERDICTS = ("passed", "failed", "warning", "skipped", "unverifiable")

_BADGES = (OB2_HOSTED, OB2_SIGNED, OB3_CREDENTIAL)
_OB2 = (OB2_HOSTED, OB2_SIGNED)


@dataclass(frozen=True)
class Check:
    name: str  # for people: the pages will show it to verifiers
    applies_to: tuple[str, ...]  # the inputs (above) it checks
    codes: tuple[str, ...]  # the findings it can report, registered in sitegen.diagnostics.CODES
    doc: str  # one line: what it makes sure of


CHECKS: tuple[Check, ...] = (
    Check(
        "readable",
        (*_BADGES, BAKED_IMAGE, ISSUER_PROFILE, BADGE_CLASS, STATUS_LIST),
        (
            "verify.input.unreadable",
            "verify.input.too-large",
            "verify.document.unreadable",
            "verify.document.unreachable",
        ),
        "The badge and every document it relies on can be fetched and read as badge data.",
    ),
    Check(
        "baked image",
        (BAKED_IMAGE,),
        ("verify.baked.no-badge",),
        "A PNG or SVG image carries a badge to verify.",
    ),
    Check(
        "issuer's site confirms",
        (BAKED_IMAGE, OB2_SIGNED, OB3_CREDENTIAL),
        ("verify.baked.differs-from-hosted",),
        "The badge in hand is the one its issuer's site publishes at its id, field for field.",
    ),
    Check(
        "image matches the badge",
        (BAKED_IMAGE,),
        ("verify.image.not-the-badge",),
        "A baked image's picture is the badge class's own image: only the badge data was added to it.",
    ),
    Check(
        "document format",
        (*_BADGES, ISSUER_PROFILE, BADGE_CLASS),
        (
            "verify.document.context",
            "verify.document.type",
            "verify.document.missing-field",
            "verify.document.bad-date",
            "verify.assertion.verification-type",
        ),
        "Each document has the context, type, fields and date formats of its kind.",
    ),
    Check(
        "document id matches URL",
        (*_OB2, ISSUER_PROFILE, BADGE_CLASS, STATUS_LIST),
        ("verify.document.id-mismatch",),
        "Each document is served at the URL its id names, so it cannot be copied elsewhere.",
    ),
    Check(
        "issuer allows this location",
        (OB2_HOSTED,),
        ("verify.issuer.hosted-scope",),
        "A hosted assertion lives where its issuer says its assertions may live.",
    ),
    Check(
        "badge image",
        (*_OB2, BADGE_CLASS),
        ("verify.image.missing", "verify.image.data-uri", "verify.image.not-an-image"),
        "The images of the assertion and badge class are PNG or SVG images that can be fetched.",
    ),
    Check(
        "recipient",
        _BADGES,
        ("verify.recipient.malformed", "verify.recipient.plain-text", "verify.recipient.mismatch"),
        "The recipient is a well-formed identity and, given --email, the badge was awarded to that address.",
    ),
    Check(
        "issue date",
        _BADGES,
        ("verify.dates.not-yet-valid",),
        "The badge was issued in the past, not at a future date.",
    ),
    Check(
        "expiry",
        _BADGES,
        ("verify.dates.expires-before-issued",),
        "The badge has not expired (an expired badge is reported expired, not invalid).",
    ),
    Check(
        "signature",
        (OB2_SIGNED, OB3_CREDENTIAL, STATUS_LIST),
        ("verify.signature.invalid", "verify.signature.no-key", "verify.signature.malformed-proof"),
        "The signature or Data Integrity proof is intact: the document is exactly as its issuer signed it.",
    ),
    Check(
        "issuer key",
        (OB2_SIGNED, OB3_CREDENTIAL, ISSUER_PROFILE, STATUS_LIST, DID_DOCUMENT),
        (
            "verify.key.not-issuers",
            "verify.key.owner-beside-issuer",
            "verify.key.did-unresolvable",
            "verify.key.not-did-web",
            "verify.key.malformed",
            "verify.key.did-key-only",
        ),
        "The signing key is the issuer's own: listed by the issuer's profile or DID document, and naming it.",
    ),
    Check(
        "revocation list",
        (*_OB2, ISSUER_PROFILE),
        (
            "verify.revocation-list.unreadable",
            "verify.revocation-list.wrong-list",
            "verify.revocation-list.malformed",
            "verify.revocation-list.hosted-not-revoked",
        ),
        "An Open Badges 2.0 issuer's revocation list is sound and does not name the badge.",
    ),
    Check(
        "status",
        (OB3_CREDENTIAL,),
        (
            "verify.status.unsupported",
            "verify.status.malformed-entry",
            "verify.status.list-unreadable",
            "verify.status.wrong-list",
            "verify.status.list-not-signed",
            "verify.status.list-out-of-date",
            "verify.status.list-malformed",
            "verify.status.suspended",
        ),
        "A credential's status list (or 1EdTech revocation list) is its issuer's, signed, and does not revoke it.",
    ),
    Check(
        "status list",
        (STATUS_LIST,),
        ("verify.status-list.wrong-issuer", "verify.status-list.undecodable"),
        "A published status list is issued by the site's DID and can be decoded.",
    ),
    Check(
        "DID document",
        (DID_DOCUMENT,),
        ("verify.did.not-a-key-id",),
        "The site's DID document lists only keys of its own DID.",
    ),
    Check(
        "site folder",
        (SITE_FOLDER,),
        ("verify.site.empty", "verify.site.not-a-site", "verify.site.no-base-url"),
        "A folder given to verify is a built site whose base URL is known.",
    ),
)

BY_NAME: dict[str, Check] = {check.name: check for check in CHECKS}
CHECK_OF_CODE: dict[str, Check] = {code: check for check in CHECKS for code in check.codes}


def check_named(name: str) -> Check:
    """The registered check called `name` (a typo fails where it is made)."""
    if name not in BY_NAME:
        raise ValueError(f"no verify check is called {name!r}: register it in sitegen.verify.checks.CHECKS")
    return BY_NAME[name]


def check_of(code: str) -> Check:
    """The one check that reports `code`."""
    if code not in CHECK_OF_CODE:
        raise ValueError(f"no verify check reports {code!r}: declare it in sitegen.verify.checks.CHECKS")
    return CHECK_OF_CODE[code]
