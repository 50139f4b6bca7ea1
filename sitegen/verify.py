"""Check published badges as a verifier would: a URL, a JSON file, a baked image, or a whole output folder.

Each check has a name; a result lists every finding, and is valid only when no check found an error.
Stricter than the official OB 2.0 validator where that one is known to be wrong: a revoked hosted
assertion, a one-entry revocation list, a wrong `type` and a missing image are all reported.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from sitegen import bake

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
HASH = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")
JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d|[+-]\d\d)$")
# What verify reads: a fetched document or image, or a file (the badge text inflated from a PNG chunk is capped
# by bake.MAX_INFLATED_BYTES). A badge is a few kilobytes; anything beyond is refused instead of exhausting memory.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    check: str  # a stable name, e.g. "assertion.id-matches-url"
    level: str  # "error" or "warning"
    message: str


@dataclass
class Result:
    subject: str  # the URL or file that was checked
    kind: str  # "ob2-hosted", "ob2-png", "ob2-svg", "ob3-credential", "ob3-png", "ob3-svg"
    findings: list[Finding] = field(default_factory=list)
    revoked: str | None = None  # the reason, when the issuer revoked it
    expired: str | None = None  # when it expired
    checked: list[str] = field(default_factory=list)  # names of the checks that ran

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def status(self) -> str:
        if self.errors:
            return "invalid"
        if self.revoked is not None:
            return "revoked"
        if self.expired is not None:
            return "expired"
        return "valid"

    def error(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, "error", message))

    def warning(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, "warning", message))

    def ran(self, check: str) -> None:
        self.checked.append(check)

    def to_dict(self) -> dict:
        return {"subject": self.subject, "kind": self.kind, "status": self.status, "revoked": self.revoked,
                "expired": self.expired, "findings": [asdict(f) for f in self.findings], "checked": self.checked}


class FetchError(Exception):
    pass


class Fetcher:
    """GET with a cache. With `site_dir`, URLs under `base_url` are read from that folder (as GitHub Pages
    would serve it) and any other URL is refused: a built site is checked without a server or network."""

    def __init__(self, site_dir: Path | None = None, base_url: str | None = None, timeout: float = 15):
        self.site_dir = site_dir
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout
        self._cache: dict[str, tuple[int, bytes]] = {}

    def get(self, url: str) -> bytes:
        """The body of a 200 response; FetchError otherwise."""
        if url not in self._cache:
            self._cache[url] = self._fetch(url)
        status, body = self._cache[url]
        if status != 200:
            raise FetchError(f"HTTP {status} for {url}")
        return body

    def _fetch(self, url: str) -> tuple[int, bytes]:
        url = url.split("#", 1)[0]
        if self.site_dir is not None:
            if not self.base_url or not url.startswith(self.base_url + "/"):
                raise FetchError(f"{url} is not part of the site at {self.base_url} (not fetched)")
            rel = url[len(self.base_url) + 1:]
            path = self.site_dir / rel
            if not path.is_file() and (self.site_dir / (rel + ".html")).is_file():
                path = self.site_dir / (rel + ".html")
            if ".." in Path(rel).parts or not path.is_file():
                return 404, b""
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise FetchError(f"{url} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB: not read")
            return 200, path.read_bytes()
        if not url.startswith(("http://", "https://")):
            raise FetchError(f"cannot fetch {url}: only http(s) URLs")
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/ld+json, application/json, image/png, image/svg+xml, */*"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_DOCUMENT_BYTES + 1)
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise FetchError(f"{url} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB: not read")
                return response.status, body
        except urllib.error.HTTPError as exc:
            return exc.code, b""
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise FetchError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
        except ValueError as exc:  # a URL that cannot be sent: an invalid host, characters outside ASCII
            raise FetchError(f"cannot fetch {url!r}: {exc}") from None

    def get_json(self, url: str) -> dict:
        body = self.get(url)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise FetchError(f"{url} is not JSON (or nested too deeply to read)") from None
        if not isinstance(data, dict):
            raise FetchError(f"{url} is not a JSON object")
        return data


def _parse_datetime(value) -> datetime | None:
    if not isinstance(value, str) or not DATETIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def normalise_email(email: str) -> str:
    """What sitegen hashes: the address trimmed and lowercased."""
    return email.strip().lower()


def recipient_matches(identity: str, salt: str | None, email: str, hashed: bool = True) -> bool:
    """Whether a recipient identity (a `sha256$`/`md5$` hash, or the plain address when not hashed) is `email`."""
    if not hashed:
        return normalise_email(identity) == normalise_email(email)
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5"):
        return False
    for candidate in {normalise_email(email), email}:
        data = (candidate + (salt if isinstance(salt, str) else "")).encode("utf-8")
        if hashlib.new(algorithm.lower(), data).hexdigest() == digest.lower():
            return True
    return False


# --- Open Badges 2.0, hosted ---------------------------------------------------------------------

def verify_ob2_hosted(url: str, fetcher: Fetcher, email: str | None = None, now: datetime | None = None,
                      kind: str = "ob2-hosted", subject: str | None = None) -> Result:
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


def _check_assertion(result: Result, doc: dict, fetcher: Fetcher, email: str | None, now: datetime,
                     verification_types: tuple[str, ...]) -> None:
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
            result.error("assertion.recipient", f"recipient.type is not an identity property: {recipient.get('type')!r}")
    elif recipient is not None:
        result.error("assertion.recipient", "recipient must be an object")

    verification = doc.get("verification") or {}
    if isinstance(verification, dict) and verification.get("type") not in verification_types:
        result.error("assertion.verification", f"verification.type is {verification.get('type')!r}, "
                                               f"expected {verification_types[0]}")

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


def verify_ob2_signed(token: str, fetcher: Fetcher, email: str | None = None, now: datetime | None = None,
                      kind: str = "ob2-signed", subject: str = "signed assertion") -> Result:
    """A JWS-signed assertion: the signature with the issuer's published key, then the usual checks."""
    from sitegen.jws import JwsError, load_public_pem, read_jws, verify_jws

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
    if (isinstance(owner, str) and isinstance(issuer_url, str) and owner.startswith(("http://", "https://"))
            and owner.rsplit("/", 1)[0] == issuer_url.rsplit("/", 1)[0]):
        try:
            owner_profile = fetcher.get_json(owner)
        except FetchError:
            owner_profile = None
    if (owner_profile is not None and owner_profile.get("id") == owner
            and owner_profile.get("type") in ("Profile", "Issuer") and _lists_key(owner_profile, key_url)):
        result.warning("jws.key-ownership", f"the key {key_url} names {owner} as its owner, not the issuer "
                                            f"{issuer_url} (both list it)")
        return
    result.error("jws.key-ownership", f"the key {key_url} is owned by {owner!r}, not by the issuer {issuer_url}")


def _check_document(result: Result, what: str, doc: dict, url: str, expected_type, ) -> None:
    result.ran(f"{what}.context")
    if doc.get("@context") != OB2_CONTEXT and not (isinstance(doc.get("@context"), list) and OB2_CONTEXT in doc["@context"]):
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
    if not (body.startswith(bake.PNG_SIGNATURE) or b"<svg" in body[:1024]):
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
            result.error("issuer.hosted-scope", f"the issuer accepts hosted assertions only under {', '.join(prefixes)}")
    origins = policy.get("allowedOrigins")
    if origins:
        origins = origins if isinstance(origins, list) else [origins]
        allowed = urlsplit(assertion_url).netloc in origins
    else:
        allowed = urlsplit(assertion_url).netloc == urlsplit(issuer.get("id", "")).netloc
    if not allowed:
        result.error("issuer.hosted-scope", f"{assertion_url} is not on an origin the issuer allows")


def _check_revocation_list(result: Result, assertion_url: str, issuer: dict, fetcher: Fetcher, hosted: bool = True) -> None:
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
        result.error("revocation-list", f"the revocation list at {url} is another issuer's "
                                        f"({_id_of(listing['issuer'])!r}, not {issuer.get('id')})")
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
                result.warning("revocation-list", "the revocation list names this assertion but its hosted JSON does not say it is revoked")


# --- baked images and entry points ---------------------------------------------------------------

def unbake(data: bytes) -> tuple[str, str]:
    """(format, text): format is "ob2" or "ob3"; text is JSON, a URL or a JWS. ValueError when the image
    holds no badge, or when reading it would mean inflating more than bake.MAX_INFLATED_BYTES."""
    if data.startswith(bake.PNG_SIGNATURE):
        chunks = bake.unbake_png(data, (bake.OB3_PNG_KEYWORD, bake.OB2_PNG_KEYWORD))
        if bake.OB3_PNG_KEYWORD in chunks:
            return "ob3", chunks[bake.OB3_PNG_KEYWORD]
        if bake.OB2_PNG_KEYWORD in chunks:
            return "ob2", chunks[bake.OB2_PNG_KEYWORD]
        raise ValueError("this PNG carries no badge (no openbadges or openbadgecredential chunk)")
    found = bake.unbake_svg(data)
    if "credential" in found:
        return "ob3", found["credential"]
    if "assertion" in found:
        return "ob2", found["assertion"]
    raise ValueError("this SVG carries no badge (no openbadges:assertion or openbadges:credential)")


def verify_document(text: str, fetcher: Fetcher, email: str | None, kind: str, subject: str,
                    now: datetime | None = None) -> Result:
    """A badge given as JSON or a URL: hosted assertions are re-fetched from their id, as the spec says."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return verify_ob2_hosted(text, fetcher, email, now, kind, subject)
    if JWS.match(text):
        return verify_ob2_signed(text, fetcher, email, now, kind if kind != "json" else "ob2-signed", subject)
    try:
        doc = json.loads(text)
    except RecursionError:
        result = Result(subject, kind)
        result.error("input.parse", "the JSON is nested too deeply to read")
        return result
    except ValueError:
        result = Result(subject, kind)
        result.error("input.parse", "not JSON, not a URL: cannot tell what this badge is")
        return result
    types = doc.get("type") if isinstance(doc, dict) else None
    types = types if isinstance(types, list) else [types]
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        from sitegen.verify_ob3 import verify_credential_document

        return verify_credential_document(doc, fetcher, email, now, kind if kind.startswith("ob3") else "ob3-credential", subject)
    if isinstance(doc, dict) and isinstance(doc.get("id"), str) and doc["id"].startswith(("http://", "https://")):
        return verify_ob2_hosted(doc["id"], fetcher, email, now, kind, subject)
    result = Result(subject, kind)
    result.error("input.parse", "this JSON is neither a hosted assertion with an http(s) id nor an Open Badges 3.0 credential")
    return result


def verify_file(path: Path, fetcher: Fetcher, email: str | None = None, now: datetime | None = None) -> Result:
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        result = Result(str(path), "file")
        result.error("input.size", f"the file is larger than {MAX_DOCUMENT_BYTES // 2**20} MB: not read")
        return result
    data = path.read_bytes()
    if path.suffix.lower() in (".json", ".jws"):
        kind = "json" if path.suffix.lower() == ".json" else "ob2-signed"
        return verify_document(data.decode("utf-8", "replace"), fetcher, email, kind, str(path), now)
    try:
        version, text = unbake(data)
    except ValueError as exc:
        result = Result(str(path), "image")
        result.error("baked.extract", str(exc))
        return result
    kind = f"{version}-{'png' if data.startswith(bake.PNG_SIGNATURE) else 'svg'}"
    return verify_document(text, fetcher, email, kind, str(path), now)


def verify_url(url: str, fetcher: Fetcher, email: str | None = None, now: datetime | None = None,
               follow_page: bool = True) -> Result:
    try:
        body = fetcher.get(url)
    except FetchError as exc:
        result = Result(url, "url")
        result.error("input.fetch", str(exc))
        return result
    if body.startswith(bake.PNG_SIGNATURE) or body.lstrip()[:5] in (b"<svg ", b"<?xml"):
        try:
            version, text = unbake(body)
        except ValueError as exc:
            result = Result(url, "image")
            result.error("baked.extract", str(exc))
            return result
        return verify_document(text, fetcher, email, f"{version}-image", url, now)
    if body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        # The link people share is the award's page: verify the badge data it names (one step only).
        result = Result(url, "url")
        if not follow_page:
            result.error("input.parse", "the page's badge data link leads to another web page, not to badge data")
            return result
        found = BADGE_DATA_LINK.search(body.decode("utf-8", "replace"))
        if found is None:
            result.error("input.parse", "this is a web page that names no badge data (no <link rel=\"alternate\" "
                                        "type=\"application/ld+json\">); give the URL of the badge's JSON or image")
            return result
        return verify_url(urljoin(url, html.unescape(found.group(1))), fetcher, email, now, follow_page=False)
    return verify_document(body.decode("utf-8", "replace"), fetcher, email, "url", url, now)


BADGE_DATA_LINK = re.compile(r'<link rel="alternate" type="application/ld\+json" href="([^"]+)">')


def site_base_url(site_dir: Path) -> str | None:
    """The base URL a built site was made for, read from any issuer profile's id."""
    for path in sorted((site_dir / "issuers").glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        suffix = f"/issuers/{path.name}"
        if isinstance(doc.get("id"), str) and doc["id"].endswith(suffix):
            return doc["id"][: -len(suffix)]
    return None


def verify_site(site_dir: Path, base_url: str | None = None, now: datetime | None = None) -> list[Result]:
    """Every badge of a built site: hosted assertions, baked images and credentials, read from disk."""
    base_url = base_url or site_base_url(site_dir)
    published = (p for folder in ("issuers", "badges", "assertions", "credentials", "status")
                 for p in (site_dir / folder).glob("*") if p.suffix in (".json", ".png", ".svg", ".jws"))
    if next(published, None) is None:  # the first file tells: a large site's folders are listed once, below
        result = Result(str(site_dir), "site")
        if (site_dir / "index.html").is_file():  # a new site before its first issuer: nothing could be wrong
            result.warning("site.empty", "the site publishes no issuer, badge or award yet: nothing to verify")
        else:
            result.error("site.empty", "this folder is not a built site (no index.html, no badge data)")
        return [result]
    if base_url is None:
        result = Result(str(site_dir), "site")
        result.error("site.base-url", "cannot tell the site's base URL (no issuers/*.json); pass --base-url")
        return [result]
    fetcher = Fetcher(site_dir, base_url)
    results = site_documents(site_dir, base_url, fetcher)
    for path in sorted((site_dir / "assertions").glob("*.json")):
        url = f"{base_url}/assertions/{path.name}"
        results.append(verify_ob2_hosted(url, fetcher, now=now, subject=f"assertions/{path.name}"))
    for folder in ("assertions", "credentials"):
        for path in sorted((site_dir / folder).glob("*")):
            if path.suffix in (".png", ".svg", ".jws") or (folder == "credentials" and path.suffix == ".json"):
                result = verify_file(path, fetcher, now=now)
                result.subject = f"{folder}/{path.name}"
                results.append(result)
    return results


def site_documents(site_dir: Path, base_url: str, fetcher: Fetcher) -> list[Result]:
    """The documents every award of the site relies on, checked on their own: issuer profiles with their
    revocation lists and keys, badge classes, the DID document and the status lists. A site without awards
    is thus still checked, and passes when these are sound."""
    from sitegen.credentials import did_web
    from sitegen.model import Urls
    from sitegen.verify_ob3 import verify_did_document, verify_status_list

    results = []
    for path in sorted((site_dir / "issuers").glob("*.json")):
        result = Result(f"issuers/{path.name}", "ob2-profile")
        url = f"{base_url}/issuers/{path.name}"
        profile = _fetch_json(result, "issuer.fetch", url, fetcher)
        if profile is not None:
            _check_document(result, "issuer", profile, url, ("Profile", "Issuer"))
            _require(result, "issuer", profile, ("name", "url", "email"))
            _check_revocation_list(result, url, profile, fetcher, hosted=False)
            keys = profile.get("publicKey")
            for key_url in [_id_of(k) for k in (keys if isinstance(keys, list) else [keys] if keys else [])]:
                key = _fetch_json(result, "key.fetch", key_url, fetcher) if key_url else None
                if key is not None:
                    _check_document(result, "key", key, key_url, "CryptographicKey")
                    _check_key_ownership(result, key_url, key, profile, fetcher)
        results.append(result)
    for path in sorted((site_dir / "badges").glob("*.json")):
        result = Result(f"badges/{path.name}", "ob2-badgeclass")
        _verify_badge_class(result, {"badge": f"{base_url}/badges/{path.name}"}, fetcher)
        results.append(result)
    did = did_web(base_url)
    did_path = Urls(base_url).did_document()
    if (site_dir / did_path).is_file():
        results.append(verify_did_document(did, fetcher, did_path))
    for path in sorted((site_dir / "status").glob("*.json")):
        results.append(verify_status_list(f"{base_url}/status/{path.name}", did, fetcher, f"status/{path.name}"))
    return results
