"""Open Badges 2.0 checks: hosted assertions and signed (JWS) assertions, their badge class, issuer, key and
revocation list, each bound to the URL it was fetched from."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sitegen.content import images
from sitegen.messages import _
from sitegen.openbadges.jws import JwsError, load_public_pem, read_jws, verify_jws
from sitegen.recipients import recipient_matches
from sitegen.verify.checks import OB2_HOSTED, OB2_SIGNED
from sitegen.verify.fetch import Fetcher, FetchError, Unreachable
from sitegen.verify.report import Result, parse_datetime

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


HASH = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")


JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def verify_ob2_hosted(
    url: str,
    fetcher: Fetcher,
    email: str | None = None,
    *,
    now: datetime | None = None,
    kind: str = "ob2-hosted",
    subject: str | None = None,
) -> Result:
    result = Result(subject or url, kind)
    result.read(OB2_HOSTED)
    now = now or datetime.now(timezone.utc)
    doc = fetch_json(result, "assertion.fetch", url, fetcher)
    if doc is None:
        return result
    check_document(result, "assertion", doc, url, "Assertion")
    if doc.get("revoked") is True:
        result.revoke("revocation list", str(doc.get("revocationReason") or _("no reason given")))
        result.ran("assertion.not-revoked", "revocation list")
        return result
    _check_assertion(result, doc, fetcher, email=email, now=now, verification_types=("HostedBadge", "hosted"))
    issuer = verify_badge_class(result, doc, fetcher)
    if issuer is not None:
        _verify_issuer_scope(result, url, issuer)
        check_revocation_list(result, url, issuer, fetcher)
    return result


def _check_assertion(
    result: Result,
    doc: dict,
    fetcher: Fetcher,
    *,
    email: str | None,
    now: datetime,
    verification_types: tuple[str, ...],
) -> None:
    """The checks every assertion gets, hosted or signed."""
    require_fields(result, "assertion", doc, ("recipient", "badge", "verification", "issuedOn"))

    recipient = doc.get("recipient")
    result.ran("assertion.recipient", "recipient")
    if isinstance(recipient, dict):
        hashed, identity = recipient.get("hashed"), recipient.get("identity")
        if not isinstance(hashed, bool):
            result.error(
                "assertion.recipient",
                _("recipient.hashed must be true or false, not {value!r}").format(value=hashed),
                code="verify.recipient.malformed",
            )
        elif not hashed:
            # Allowed by the spec, but the recipient's address is public to anyone holding the badge.
            result.warning(
                "assertion.recipient",
                _("the recipient's identity is published in plain text (hashed: false)"),
                code="verify.recipient.plain-text",
            )
        if not isinstance(identity, str) or (hashed is not False and not HASH.match(identity)):
            result.error(
                "assertion.recipient",
                _("recipient.identity is not a sha256$/md5$ hash: {value!r}").format(value=identity),
                code="verify.recipient.malformed",
            )
        elif email is not None:
            result.ran("assertion.recipient-match", "recipient")
            if not recipient_matches(identity, recipient.get("salt"), email, hashed is not False):
                result.error(
                    "assertion.recipient-match",
                    _("the badge was not awarded to {email}").format(email=email),
                    code="verify.recipient.mismatch",
                )
        if recipient.get("type") not in ("email", "url", "telephone", "id"):
            result.error(
                "assertion.recipient",
                _("recipient.type is not an identity property: {value!r}").format(value=recipient.get("type")),
                code="verify.recipient.malformed",
            )
    elif recipient is not None:
        result.error("assertion.recipient", _("recipient must be an object"), code="verify.recipient.malformed")

    verification = doc.get("verification") or {}
    if isinstance(verification, dict) and verification.get("type") not in verification_types:
        result.error(
            "assertion.verification",
            _("verification.type is {value!r}, expected {expected}").format(
                value=verification.get("type"), expected=verification_types[0]
            ),
            code="verify.assertion.verification-type",
        )

    issued = _check_datetime(result, "assertion.issuedOn", doc, "issuedOn")
    result.started("issue date")
    if issued and issued > now:
        result.error(
            "assertion.issuedOn",
            _("issuedOn is in the future: {date}").format(date=doc["issuedOn"]),
            code="verify.dates.not-yet-valid",
        )
    if "expires" in doc:
        expires = _check_datetime(result, "assertion.expires", doc, "expires")
        result.started("expiry")
        if expires and issued and expires < issued:
            result.error(
                "assertion.expires", _("expires is before issuedOn"), code="verify.dates.expires-before-issued"
            )
        if expires and expires <= now:
            result.expire("expiry", doc["expires"])
    else:
        result.skip("expiry", _("the badge does not expire"))
    if isinstance(doc.get("image"), str):
        _check_image(result, "assertion.image", doc["image"], fetcher, allow_data=False)


def verify_ob2_signed(
    token: str,
    fetcher: Fetcher,
    email: str | None = None,
    *,
    now: datetime | None = None,
    kind: str = "ob2-signed",
    subject: str = "signed assertion",
) -> Result:
    """A JWS-signed assertion: the signature with the issuer's published key, then the usual checks."""
    result = Result(subject, kind)
    result.read(OB2_SIGNED)
    now = now or datetime.now(timezone.utc)
    result.ran("jws.parse", "readable")
    try:
        _header, doc = read_jws(token)
    except JwsError as exc:
        result.error("jws.parse", str(exc), code="verify.input.unreadable")
        return result
    result.ran("assertion.type", "document format")
    if doc.get("type") != "Assertion":
        result.error(
            "assertion.type",
            _("type is {value!r}, expected {expected}").format(value=doc.get("type"), expected="Assertion"),
            code="verify.document.type",
        )
    _check_assertion(result, doc, fetcher, email=email, now=now, verification_types=("SignedBadge", "signed"))
    result.ran("jws.signature", "signature")
    creator = (doc.get("verification") or {}).get("creator") if isinstance(doc.get("verification"), dict) else None
    if not isinstance(creator, str):
        result.error(
            "jws.signature",
            _("verification.creator (the URL of the signing key) is missing"),
            code="verify.signature.no-key",
        )
        return result
    key = fetch_json(result, "jws.key", creator, fetcher)
    if key is not None:
        check_document(result, "jws.key", key, creator, "CryptographicKey")
        try:
            verify_jws(token, load_public_pem(str(key.get("publicKeyPem", ""))))
        except (JwsError, ValueError, TypeError) as exc:
            result.error("jws.signature", str(exc), code="verify.signature.invalid")
    issuer = verify_badge_class(result, doc, fetcher)
    if issuer is not None:
        if key is not None:
            check_key_ownership(result, creator, key, issuer, fetcher)
        if isinstance(doc.get("id"), str):
            check_revocation_list(result, doc["id"], issuer, fetcher, hosted=False)
    return result


def _lists_key(profile: dict, key_url: str) -> bool:
    """Whether an issuer profile names `key_url` among its `publicKey` (by id, a string or an object's id)."""
    keys = profile.get("publicKey")
    return key_url in [id_of(k) for k in (keys if isinstance(keys, list) else [keys])]


def check_key_ownership(result: Result, key_url: str, key: dict, issuer: dict, fetcher: Fetcher) -> None:
    """An OB 2.0 key signs for an issuer only when the issuer's own profile lists it, and the key names that
    profile as its owner: a key document anyone can publish, claiming an owner proves nothing by itself."""
    result.ran("jws.key-ownership", "issuer key")
    issuer_url = issuer.get("id")
    if not _lists_key(issuer, key_url):
        result.error(
            "jws.key-ownership",
            _("the issuer {issuer} does not list {key} among its publicKey").format(issuer=issuer_url, key=key_url),
            code="verify.key.not-issuers",
        )
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
        except Unreachable as exc:  # no answer says nothing against the key: the badge is unverifiable for now
            result.fetch_failed("jws.key-ownership", str(exc), exc, code="verify.document.unreadable")
            return
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
            _("the key {key} names {owner} as its owner, not the issuer {issuer} (both list it)").format(
                key=key_url, owner=owner, issuer=issuer_url
            ),
            code="verify.key.owner-beside-issuer",
        )
        return
    result.error(
        "jws.key-ownership",
        _("the key {key} is owned by {owner!r}, not by the issuer {issuer}").format(
            key=key_url, owner=owner, issuer=issuer_url
        ),
        code="verify.key.not-issuers",
    )


def check_document(result: Result, what: str, doc: dict, url: str, expected_type: str | tuple[str, ...]) -> None:
    """The context and type of an OB 2.0 document `what`, and that its id is the URL it was fetched from."""
    result.ran(f"{what}.context", "document format")
    if doc.get("@context") != OB2_CONTEXT and not (
        isinstance(doc.get("@context"), list) and OB2_CONTEXT in doc["@context"]
    ):
        result.error(
            f"{what}.context",
            _("@context is not {expected}: {value!r}").format(expected=OB2_CONTEXT, value=doc.get("@context")),
            code="verify.document.context",
        )
    result.ran(f"{what}.type", "document format")
    types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    if doc.get("type") not in types:
        expected = _(" or ").join(types)
        result.error(
            f"{what}.type",
            _("type is {value!r}, expected {expected}").format(value=doc.get("type"), expected=expected),
            code="verify.document.type",
        )
    result.ran(f"{what}.id-matches-url", "document id matches URL")
    if doc.get("id") != url:
        result.error(
            f"{what}.id-matches-url",
            _("id {value!r} is not the URL it was fetched from ({url})").format(value=doc.get("id"), url=url),
            code="verify.document.id-mismatch",
        )


def require_fields(result: Result, what: str, doc: dict, keys: tuple[str, ...]) -> None:
    result.ran(f"{what}.required", "document format")
    for key in keys:
        if doc.get(key) in (None, "", [], {}):
            result.error(
                f"{what}.required",
                _("{document} has no {key}").format(document=what, key=key),
                code="verify.document.missing-field",
            )


def _check_datetime(result: Result, step: str, doc: dict, key: str) -> datetime | None:
    result.ran(step, "document format")
    value = parse_datetime(doc.get(key))
    if value is None and key in doc:
        result.error(
            step,
            _("{key} is not a date-time with a timezone: {value!r}").format(key=key, value=doc.get(key)),
            code="verify.document.bad-date",
        )
    return value


def _check_image(result: Result, step: str, image, fetcher: Fetcher, allow_data: bool = True) -> None:
    result.ran(step, "badge image")
    url = image.get("id") if isinstance(image, dict) else image
    if not isinstance(url, str):
        result.error(step, _("image is missing"), code="verify.image.missing")
        return
    if url.startswith("data:"):
        if not allow_data:
            result.error(step, _("the assertion image must be a URL, not a data URI"), code="verify.image.data-uri")
        elif not url.startswith(("data:image/png", "data:image/svg+xml")):
            result.error(step, _("image is neither PNG nor SVG"), code="verify.image.not-an-image")
        return
    try:
        body = fetcher.get(url)
    except FetchError as exc:
        result.fetch_failed(step, _("image missing: {problem}").format(problem=exc), exc, code="verify.image.missing")
        return
    if not (body.startswith(images.PNG_SIGNATURE) or b"<svg" in body[:1024]):
        result.error(step, _("image at {url} is neither PNG nor SVG").format(url=url), code="verify.image.not-an-image")


def fetch_json(result: Result, step: str, url: str, fetcher: Fetcher) -> dict | None:
    """The JSON object at `url`; None (and an error of `step`) when it cannot be fetched or read."""
    result.ran(step, "readable")
    try:
        return fetcher.get_json(url)
    except FetchError as exc:
        result.fetch_failed(step, str(exc), exc, code="verify.document.unreadable")
        return None


def id_of(value) -> str | None:
    """A linked node's id: the value itself, or the `id` of an embedded object."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def verify_badge_class(result: Result, assertion: dict, fetcher: Fetcher) -> dict | None:
    """Fetch and check the assertion's badge class and its issuer; the issuer profile, when it is sound."""
    url = id_of(assertion.get("badge"))
    if url is None:
        return None
    badge = fetch_json(result, "badge.fetch", url, fetcher)
    if badge is None:
        return None
    check_document(result, "badge", badge, url, "BadgeClass")
    require_fields(result, "badge", badge, ("name", "description", "image", "criteria", "issuer"))
    if badge.get("image"):
        _check_image(result, "badge.image", badge["image"], fetcher)
    issuer_url = id_of(badge.get("issuer"))
    if issuer_url is None:
        return None
    issuer = fetch_json(result, "issuer.fetch", issuer_url, fetcher)
    if issuer is None:
        return None
    check_document(result, "issuer", issuer, issuer_url, ("Profile", "Issuer"))
    require_fields(result, "issuer", issuer, ("name", "url", "email"))
    return issuer


def _verify_issuer_scope(result: Result, assertion_url: str, issuer: dict) -> None:
    """The issuer says where its hosted assertions may live: same origin, or `startsWith` prefixes."""
    result.ran("issuer.hosted-scope", "issuer allows this location")
    policy_value = issuer.get("verification")
    policy = policy_value if isinstance(policy_value, dict) else {}
    prefixes = policy.get("startsWith")
    if prefixes:
        prefixes = prefixes if isinstance(prefixes, list) else [prefixes]
        if not any(assertion_url.startswith(p) for p in prefixes):
            result.error(
                "issuer.hosted-scope",
                _("the issuer accepts hosted assertions only under {prefixes}").format(prefixes=", ".join(prefixes)),
                code="verify.issuer.hosted-scope",
            )
    origins = policy.get("allowedOrigins")
    if origins:
        origins = origins if isinstance(origins, list) else [origins]
        allowed = urlsplit(assertion_url).netloc in origins
    else:
        allowed = urlsplit(assertion_url).netloc == urlsplit(issuer.get("id", "")).netloc
    if not allowed:
        result.error(
            "issuer.hosted-scope",
            _("{url} is not on an origin the issuer allows").format(url=assertion_url),
            code="verify.issuer.hosted-scope",
        )


def check_revocation_list(
    result: Result, assertion_url: str, issuer: dict, fetcher: Fetcher, *, hosted: bool = True
) -> None:
    """The issuer's OB 2.0 revocation list, when it has one: sound, the issuer's, and whether it names the badge."""
    url = issuer.get("revocationList")
    if not isinstance(url, str):
        result.skip("revocation list", _("the issuer publishes no revocation list"))
        return
    result.ran("revocation-list", "revocation list")
    try:
        listing = fetcher.get_json(url)
    except FetchError as exc:
        result.fetch_failed(
            "revocation-list",
            _("the issuer's revocation list cannot be read: {problem}").format(problem=exc),
            exc,
            code="verify.revocation-list.unreadable",
        )
        return
    if listing.get("type") != "RevocationList" or listing.get("id") != url:
        result.error(
            "revocation-list",
            _("{url} is not a RevocationList served at its own id").format(url=url),
            code="verify.revocation-list.wrong-list",
        )
        return
    if "issuer" in listing and id_of(listing["issuer"]) != issuer.get("id"):
        result.error(
            "revocation-list",
            _("the revocation list at {url} is another issuer's ({other!r}, not {issuer})").format(
                url=url, other=id_of(listing["issuer"]), issuer=issuer.get("id")
            ),
            code="verify.revocation-list.wrong-list",
        )
        return
    entries = listing.get("revokedAssertions", [])
    # JSON-LD compacts a one-entry list to the entry itself, and the official validator then misses it:
    # read every form, so a badge revoked in a one-entry list is reported revoked.
    if isinstance(entries, (dict, str)):
        entries = [entries]
    if not isinstance(entries, list):
        result.error(
            "revocation-list",
            _("revokedAssertions must be a list of entries"),
            code="verify.revocation-list.malformed",
        )
        return
    for entry in entries:
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if entry_id == assertion_url:
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            result.revoke("revocation list", reason or _("listed in the issuer's revocation list"))
            if hosted:
                result.warning(
                    "revocation-list",
                    _("the revocation list names this assertion but its hosted JSON does not say it is revoked"),
                    code="verify.revocation-list.hosted-not-revoked",
                )
