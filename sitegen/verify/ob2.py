"""Open Badges 2.0 checks: hosted assertions and signed (JWS) assertions, their badge class, issuer, key and
revocation list, each bound to the URL it was fetched from."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sitegen.content import images
from sitegen.recipients import recipient_matches
from sitegen.verify.fetch import Fetcher, FetchError
from sitegen.verify.report import Result, _parse_datetime

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


HASH = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")


JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def verify_ob2_hosted(
    url: str,
    fetcher: Fetcher,
    email: str | None = None,
    now: datetime | None = None,
    kind: str = "ob2-hosted",
    subject: str | None = None,
) -> Result:
    result = Result(subject or url, kind)
    now = now or datetime.now(timezone.utc)
    doc = _fetch_json(result, "assertion.fetch", url, fetcher)
    if doc is None:
        return result
    _check_document(result, "assertion", doc, url, "Assertion")
    if doc.get("revoked") is True:
        result.revoked = str(doc.get("revocationReason") or "no reason given")
        result.ran("assertion.not-revoked")
        return result
    _check_assertion(result, doc, fetcher, email, now, ("HostedBadge", "hosted"))
    issuer = _verify_badge_class(result, doc, fetcher)
    if issuer is not None:
        _verify_issuer_scope(result, url, issuer)
        _check_revocation_list(result, url, issuer, fetcher)
    return result


def _check_assertion(
    result: Result, doc: dict, fetcher: Fetcher, email: str | None, now: datetime, verification_types: tuple[str, ...]
) -> None:
    """The checks every assertion gets, hosted or signed."""
    _require(result, "assertion", doc, ("recipient", "badge", "verification", "issuedOn"))

    recipient = doc.get("recipient")
    result.ran("assertion.recipient")
    if isinstance(recipient, dict):
        hashed, identity = recipient.get("hashed"), recipient.get("identity")
        if not isinstance(hashed, bool):
            result.error("assertion.recipient", f"recipient.hashed must be true or false, not {hashed!r}")
        elif not hashed:
            # Allowed by the spec, but the recipient's address is public to anyone holding the badge.
            result.warning("assertion.recipient", "the recipient's identity is published in plain text (hashed: false)")
        if not isinstance(identity, str) or (hashed is not False and not HASH.match(identity)):
            result.error("assertion.recipient", f"recipient.identity is not a sha256$/md5$ hash: {identity!r}")
        elif email is not None:
            result.ran("assertion.recipient-match")
            if not recipient_matches(identity, recipient.get("salt"), email, hashed is not False):
                result.error("assertion.recipient-match", f"the badge was not awarded to {email}")
        if recipient.get("type") not in ("email", "url", "telephone", "id"):
            result.error(
                "assertion.recipient", f"recipient.type is not an identity property: {recipient.get('type')!r}"
            )
    elif recipient is not None:
        result.error("assertion.recipient", "recipient must be an object")

    verification = doc.get("verification") or {}
    if isinstance(verification, dict) and verification.get("type") not in verification_types:
        result.error(
            "assertion.verification",
            f"verification.type is {verification.get('type')!r}, expected {verification_types[0]}",
        )

    issued = _check_datetime(result, "assertion.issuedOn", doc, "issuedOn")
    if issued and issued > now:
        result.error("assertion.issuedOn", f"issuedOn is in the future: {doc['issuedOn']}")
    if "expires" in doc:
        expires = _check_datetime(result, "assertion.expires", doc, "expires")
        if expires and issued and expires < issued:
            result.error("assertion.expires", "expires is before issuedOn")
        if expires and expires <= now:
            result.expired = doc["expires"]
    if isinstance(doc.get("image"), str):
        _check_image(result, "assertion.image", doc["image"], fetcher, allow_data=False)


def verify_ob2_signed(
    token: str,
    fetcher: Fetcher,
    email: str | None = None,
    now: datetime | None = None,
    kind: str = "ob2-signed",
    subject: str = "signed assertion",
) -> Result:
    """A JWS-signed assertion: the signature with the issuer's published key, then the usual checks."""
    from sitegen.openbadges.jws import JwsError, load_public_pem, read_jws, verify_jws

    result = Result(subject, kind)
    now = now or datetime.now(timezone.utc)
    result.ran("jws.parse")
    try:
        _header, doc = read_jws(token)
    except JwsError as exc:
        result.error("jws.parse", str(exc))
        return result
    result.ran("assertion.type")
    if doc.get("type") != "Assertion":
        result.error("assertion.type", f"type is {doc.get('type')!r}, expected Assertion")
    _check_assertion(result, doc, fetcher, email, now, ("SignedBadge", "signed"))
    result.ran("jws.signature")
    creator = (doc.get("verification") or {}).get("creator") if isinstance(doc.get("verification"), dict) else None
    if not isinstance(creator, str):
        result.error("jws.signature", "verification.creator (the URL of the signing key) is missing")
        return result
    key = _fetch_json(result, "jws.key", creator, fetcher)
    if key is not None:
        _check_document(result, "jws.key", key, creator, "CryptographicKey")
        try:
            verify_jws(token, load_public_pem(str(key.get("publicKeyPem", ""))))
        except (JwsError, ValueError, TypeError) as exc:
            result.error("jws.signature", str(exc))
    issuer = _verify_badge_class(result, doc, fetcher)
    if issuer is not None:
        if key is not None:
            _check_key_ownership(result, creator, key, issuer, fetcher)
        if isinstance(doc.get("id"), str):
            _check_revocation_list(result, doc["id"], issuer, fetcher, hosted=False)
    return result


def _lists_key(profile: dict, key_url: str) -> bool:
    """Whether an issuer profile names `key_url` among its `publicKey` (by id, a string or an object's id)."""
    keys = profile.get("publicKey")
    return key_url in [_id_of(k) for k in (keys if isinstance(keys, list) else [keys])]


def _check_key_ownership(result: Result, key_url: str, key: dict, issuer: dict, fetcher: Fetcher) -> None:
    """An OB 2.0 key signs for an issuer only when the issuer's own profile lists it, and the key names that
    profile as its owner: a key document anyone can publish, claiming an owner proves nothing by itself."""
    result.ran("jws.key-ownership")
    issuer_url = issuer.get("id")
    if not _lists_key(issuer, key_url):
        result.error("jws.key-ownership", f"the issuer {issuer_url} does not list {key_url} among its publicKey")
        return
    owner = key.get("owner")
    if owner == issuer_url:
        return
    # sitegen gives a site's one key to the site's first issuer, and every issuer of the site lists it: that
    # is accepted when the owner is a profile published beside the issuer's (same folder of the same site)
    # that lists the key too. An owner anywhere else breaks the two-way link.
    owner_profile = None
    if (
        isinstance(owner, str)
        and isinstance(issuer_url, str)
        and owner.startswith(("http://", "https://"))
        and owner.rsplit("/", 1)[0] == issuer_url.rsplit("/", 1)[0]
    ):
        try:
            owner_profile = fetcher.get_json(owner)
        except FetchError:
            owner_profile = None
    if (
        owner_profile is not None
        and owner_profile.get("id") == owner
        and owner_profile.get("type") in ("Profile", "Issuer")
        and _lists_key(owner_profile, key_url)
    ):
        result.warning(
            "jws.key-ownership",
            f"the key {key_url} names {owner} as its owner, not the issuer {issuer_url} (both list it)",
        )
        return
    result.error("jws.key-ownership", f"the key {key_url} is owned by {owner!r}, not by the issuer {issuer_url}")


def _check_document(
    result: Result,
    what: str,
    doc: dict,
    url: str,
    expected_type,
) -> None:
    result.ran(f"{what}.context")
    if doc.get("@context") != OB2_CONTEXT and not (
        isinstance(doc.get("@context"), list) and OB2_CONTEXT in doc["@context"]
    ):
        result.error(f"{what}.context", f"@context is not {OB2_CONTEXT}: {doc.get('@context')!r}")
    result.ran(f"{what}.type")
    types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    if doc.get("type") not in types:
        result.error(f"{what}.type", f"type is {doc.get('type')!r}, expected {' or '.join(types)}")
    result.ran(f"{what}.id-matches-url")
    if doc.get("id") != url:
        result.error(f"{what}.id-matches-url", f"id {doc.get('id')!r} is not the URL it was fetched from ({url})")


def _require(result: Result, what: str, doc: dict, keys) -> None:
    result.ran(f"{what}.required")
    for key in keys:
        if doc.get(key) in (None, "", [], {}):
            result.error(f"{what}.required", f"{what} has no {key}")


def _check_datetime(result: Result, check: str, doc: dict, key: str) -> datetime | None:
    result.ran(check)
    value = _parse_datetime(doc.get(key))
    if value is None and key in doc:
        result.error(check, f"{key} is not a date-time with a timezone: {doc.get(key)!r}")
    return value


def _check_image(result: Result, check: str, image, fetcher: Fetcher, allow_data: bool = True) -> None:
    result.ran(check)
    url = image.get("id") if isinstance(image, dict) else image
    if not isinstance(url, str):
        result.error(check, "image is missing")
        return
    if url.startswith("data:"):
        if not allow_data:
            result.error(check, "the assertion image must be a URL, not a data URI")
        elif not url.startswith(("data:image/png", "data:image/svg+xml")):
            result.error(check, "image is neither PNG nor SVG")
        return
    try:
        body = fetcher.get(url)
    except FetchError as exc:
        result.error(check, f"image missing: {exc}")
        return
    if not (body.startswith(images.PNG_SIGNATURE) or b"<svg" in body[:1024]):
        result.error(check, f"image at {url} is neither PNG nor SVG")


def _fetch_json(result: Result, check: str, url: str, fetcher: Fetcher) -> dict | None:
    result.ran(check)
    try:
        return fetcher.get_json(url)
    except FetchError as exc:
        result.error(check, str(exc))
        return None


def _id_of(value) -> str | None:
    """A linked node's id: the value itself, or the `id` of an embedded object."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def _verify_badge_class(result: Result, assertion: dict, fetcher: Fetcher) -> dict | None:
    """Fetch and check the assertion's badge class and its issuer; the issuer profile, when it is sound."""
    url = _id_of(assertion.get("badge"))
    if url is None:
        return None
    badge = _fetch_json(result, "badge.fetch", url, fetcher)
    if badge is None:
        return None
    _check_document(result, "badge", badge, url, "BadgeClass")
    _require(result, "badge", badge, ("name", "description", "image", "criteria", "issuer"))
    if badge.get("image"):
        _check_image(result, "badge.image", badge["image"], fetcher)
    issuer_url = _id_of(badge.get("issuer"))
    if issuer_url is None:
        return None
    issuer = _fetch_json(result, "issuer.fetch", issuer_url, fetcher)
    if issuer is None:
        return None
    _check_document(result, "issuer", issuer, issuer_url, ("Profile", "Issuer"))
    _require(result, "issuer", issuer, ("name", "url", "email"))
    return issuer


def _verify_issuer_scope(result: Result, assertion_url: str, issuer: dict) -> None:
    """The issuer says where its hosted assertions may live: same origin, or `startsWith` prefixes."""
    result.ran("issuer.hosted-scope")
    policy = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else {}
    prefixes = policy.get("startsWith")
    if prefixes:
        prefixes = prefixes if isinstance(prefixes, list) else [prefixes]
        if not any(assertion_url.startswith(p) for p in prefixes):
            result.error(
                "issuer.hosted-scope", f"the issuer accepts hosted assertions only under {', '.join(prefixes)}"
            )
    origins = policy.get("allowedOrigins")
    if origins:
        origins = origins if isinstance(origins, list) else [origins]
        allowed = urlsplit(assertion_url).netloc in origins
    else:
        allowed = urlsplit(assertion_url).netloc == urlsplit(issuer.get("id", "")).netloc
    if not allowed:
        result.error("issuer.hosted-scope", f"{assertion_url} is not on an origin the issuer allows")


def _check_revocation_list(
    result: Result, assertion_url: str, issuer: dict, fetcher: Fetcher, hosted: bool = True
) -> None:
    url = issuer.get("revocationList")
    if not isinstance(url, str):
        return
    result.ran("revocation-list")
    try:
        listing = fetcher.get_json(url)
    except FetchError as exc:
        result.error("revocation-list", f"the issuer's revocation list cannot be read: {exc}")
        return
    if listing.get("type") != "RevocationList" or listing.get("id") != url:
        result.error("revocation-list", f"{url} is not a RevocationList served at its own id")
        return
    if "issuer" in listing and _id_of(listing["issuer"]) != issuer.get("id"):
        result.error(
            "revocation-list",
            f"the revocation list at {url} is another issuer's ({_id_of(listing['issuer'])!r}, not {issuer.get('id')})",
        )
        return
    entries = listing.get("revokedAssertions", [])
    # JSON-LD compacts a one-entry list to the entry itself, and the official validator then misses it:
    # read every form, so a badge revoked in a one-entry list is reported revoked.
    if isinstance(entries, (dict, str)):
        entries = [entries]
    if not isinstance(entries, list):
        result.error("revocation-list", "revokedAssertions must be a list of entries")
        return
    for entry in entries:
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if entry_id == assertion_url:
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            result.revoked = reason or "listed in the issuer's revocation list"
            if hosted:
                result.warning(
                    "revocation-list",
                    "the revocation list names this assertion but its hosted JSON does not say it is revoked",
                )
