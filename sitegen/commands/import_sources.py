"""`sitegen import`, part one: what each SOURCE names, checked with `sitegen verify`'s own checks, and read into
plain records (issuer, badge class, award) that part two (sitegen/commands/importing.py) writes as content.

A source is a hosted assertion's URL (Moodle's …/badges/assertion.php?b=… included), a file listing such URLs,
an Open Badges 2.0 assertion or 3.0 credential as JSON or baked into a PNG/SVG, a platform's export (Badgr /
Canvas Credentials API v2 JSON; Open Badge Factory's list of an event's assertions), or a folder: a saved copy of
a site, whose hosted assertions are read. Nothing here writes anything; a plaintext email is hashed as soon as it
is read and never kept (an export's plain email only checks that the hosted assertion names that earner).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlsplit

from PIL import Image, UnidentifiedImageError

from sitegen.content import images
from sitegen.diagnostics import Diagnostic, Location
from sitegen.messages import _
from sitegen.recipients import EMAIL, hash_email, recipient_matches
from sitegen.verify.fetch import MAX_DOCUMENT_BYTES, Fetcher, FetchError
from sitegen.verify.inputs import unbake, verify_file, verify_url
from sitegen.verify.report import Finding, Result

PLATFORMS = ("moodle", "badgr", "canvas-credentials", "obf", "credly", "sitegen", "openbadges")
SHA256 = re.compile(r"^sha256\$[0-9a-fA-F]{64}$")
BAKEABLE = (".png", ".svg")


class OfflineFetcher(Fetcher):
    """Reads every URL from a saved copy of the old site on disk instead of the network: the file at
    DIR/<host>/<path> (as `wget --mirror` saves it, a query kept in the name), or DIR/<path> with the leading
    folders of the path dropped one by one (a copy of one site, or a built site served under a base path)."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def _fetch(self, url: str) -> tuple[int, bytes]:
        parts = urlsplit(url.split("#", 1)[0])
        if parts.scheme not in ("http", "https"):
            raise FetchError(_("cannot fetch {url}: only http(s) URLs").format(url=url))
        path = unquote_to_bytes(parts.path).decode("utf-8", "replace").lstrip("/")
        if parts.query:
            path += "?" + parts.query
        segments = [s for s in path.split("/") if s]
        if ".." in segments:
            return 404, b""
        candidates = [Path(parts.hostname or "", *segments)] + [Path(*segments[i:]) for i in range(len(segments))]
        for rel in candidates:
            found = self.folder / rel
            if not found.is_file() and found.is_dir():
                found = found / "index.html"
            if found.is_file():
                if found.stat().st_size > MAX_DOCUMENT_BYTES:
                    size = MAX_DOCUMENT_BYTES // 2**20
                    raise FetchError(_("{url} is larger than {size} MB: not read").format(url=url, size=size))
                return 200, found.read_bytes()
        return 404, b""


class SourceProblem(Exception):
    """A source that cannot be imported; the message says why, in the user's language."""


@dataclass
class Source:
    """One thing to import, as given (`subject`): a URL, or a file's badge in hand."""

    subject: str
    url: str | None = None
    path: Path | None = None
    email: str | None = None  # the earner an export names in plain text: checked against the award, never kept
    platform: str | None = None  # the platform an export's own format names


@dataclass(frozen=True)
class IssuerRecord:
    key: str  # the issuer's id on the old platform (its profile URL or DID), else its url, else its name
    name: str
    url: str | None
    email: str | None
    description: str | None


@dataclass(frozen=True)
class BadgeRecord:
    key: str  # the badge class's id on the old platform
    issuer: IssuerRecord
    name: str
    description: str
    image: bytes  # PNG or SVG
    image_kind: str  # "png" or "svg"
    image_caption: str | None
    criteria: str  # Markdown: the criteria's narrative, and a link to the original criteria page
    tags: tuple[str, ...]
    alignments: tuple[dict, ...]  # {name, url, framework, code, description}


@dataclass(frozen=True)
class AwardRecord:
    source: str  # the source it came from, for the plan and messages
    original_url: str  # the original assertion's or credential's id
    platform: str
    badge: BadgeRecord
    identity_hash: str  # sha256$…, exactly as first published (or made here from a plaintext email)
    salt: str | None  # None: the original hash had no salt, and none is published
    issued_on: str  # ISO 8601, as the original says
    expires: str | None
    narrative: str | None
    evidence: tuple[dict, ...]  # {url, name, narrative, description}
    revoked: str | None  # the reason, when imported as revoked (--include-revoked)
    hashed_here: bool = False  # the original published the email in plain text; it was hashed with a new salt
    did_key_issuer: bool = False  # signed by a did:key: the signature shows the award unchanged, not who issued it


@dataclass
class Verified:
    """What checking every source found: the awards to import, and the problems (any one stops the import)."""

    awards: list[AwardRecord] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def _problem(subject: str, message: str, code: str) -> Diagnostic:
    return Diagnostic(Location(subject), message, "error", code)


def resolve(sources: list[str]) -> tuple[list[Source], list[Diagnostic], list[Path]]:
    """Every badge the sources name (a list or an export becomes its URLs, a folder its hosted assertions), the
    sources that cannot be read, and the folders given (read as saved copies of a site)."""
    found: list[Source] = []
    problems: list[Diagnostic] = []
    folders: list[Path] = []
    for given in sources:
        if given.startswith(("http://", "https://")):
            found.append(Source(given, url=given))
            continue
        path = Path(given)
        if path.is_dir():
            folders.append(path)
            found += _folder_assertions(path)
            continue
        if not path.is_file():
            problems.append(_problem(given, _("no such file or folder, and not an http(s) URL"), "import.unreadable"))
            continue
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            problems.append(_problem(given, _("the file is larger than 32 MB: not read"), "import.unreadable"))
            continue
        suffix = path.suffix.lower()
        if suffix in BAKEABLE:
            found.append(Source(given, path=path))
            continue
        text = path.read_bytes().decode("utf-8-sig", "replace")
        if suffix == ".json" or text.lstrip().startswith(("{", "[")):
            try:
                listed = export_entries(text)
            except SourceProblem as exc:
                problems.append(_problem(given, str(exc), "import.unsupported"))
                continue
            if listed is None:
                found.append(Source(given, path=path))
            elif not listed:
                problems.append(_problem(given, _("this export lists no assertion URL"), "import.unsupported"))
            else:
                found += [
                    Source(f"{given} ({url})", url=url, email=email, platform="obf" if email else None)
                    for url, email in listed
                ]
            continue
        urls = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        bad = [u for u in urls if not u.startswith(("http://", "https://"))]
        if bad or not urls:
            problems.append(
                _problem(
                    given,
                    _("a list of sources has one http(s) URL a line; not a URL: {line}").format(line=bad[0])
                    if bad
                    else _("the list names no URL"),
                    "import.unsupported",
                )
            )
            continue
        found += [Source(url, url=url) for url in urls]
    return found, problems, folders


def export_entries(text: str) -> list[tuple[str, str | None]] | None:
    """(hosted assertion URL, the earner's plain email or None) for every award of a platform's export, or None
    when the JSON is a badge itself. Read: Badgr and Canvas Credentials API v2 ({"status", "result": [assertions]},
    each with its `openBadgeId`; its `plaintextIdentity` is never read, the hosted assertion carries the hash);
    Open Badge Factory's list of an event's assertions (API v1: GET /v1/event/{client}/{event}/assertion, JSON
    lines of {id, image, json, pdf, recipient, status}: `json` is the hosted assertion, `recipient` the earner's
    email) and its list of recipients (API v2: GET /v2/event/{client}/recipient, {"result": [{event_id, email,
    assertion_json_url, revoked, …}], "total"}: `assertion_json_url` is the hosted Open Badges 3.0 credential);
    a plain list of assertions or of URLs. JSON lines (one object a line) are read like a list."""
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            return None
    if isinstance(data, dict) and isinstance(data.get("result"), list):
        data = data["result"]
    if isinstance(data, dict) and _is_obf_event(data):  # one event of OBF's event list, as a single line
        data = [data]
    if not isinstance(data, list):
        return None
    if any(isinstance(entry, dict) and _is_obf_event(entry) for entry in data):
        raise SourceProblem(
            _(
                "this is Open Badge Factory's list of events: it names each event's recipients but links no "
                "assertion to verify; export each event's assertions instead "
                "(GET /v1/event/{{client}}/{{event}}/assertion) and import that"
            ).format()
        )
    entries: dict[str, str | None] = {}  # by URL, in the export's order: an award listed twice is read once
    for entry in data:
        url, email = (entry, None) if isinstance(entry, str) else (None, None)
        if isinstance(entry, dict):
            if isinstance(entry.get("json"), str) and isinstance(entry.get("recipient"), str):
                url, email = entry["json"], entry["recipient"]  # Open Badge Factory: the hosted assertion's URL
            elif isinstance(entry.get("assertion_json_url"), str) and isinstance(entry.get("email"), str):
                url, email = entry["assertion_json_url"], entry["email"]  # OBF API v2: the hosted credential
            else:
                # Badgr's v2 API names the hosted assertion openBadgeId; an embedded assertion's id is its URL.
                url = entry.get("openBadgeId") or (entry.get("id") if entry.get("type") == "Assertion" else None)
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            entries.setdefault(url, email)
    return list(entries.items())


def _is_obf_event(entry: dict) -> bool:
    """An entry of Open Badge Factory's event list (GET /v1/event/{client}): recipients as a list of emails."""
    return isinstance(entry.get("recipient"), list) and "badge_id" in entry and "json" not in entry


def _folder_assertions(folder: Path) -> list[Source]:
    """The hosted Open Badges 2.0 assertions of a saved copy of a site (JSON files of type Assertion)."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            continue
        try:
            doc = json.loads(path.read_bytes())
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("type") == "Assertion" and str(doc.get("id", "")).startswith("http"):
            found.append(Source(doc["id"], url=doc["id"]))
    return found


def platform_of(url: str, doc: dict) -> str:
    """Which platform first issued a badge, told by its URL (an export's own format says it too)."""
    host = (urlsplit(url).hostname or "").lower()
    path = urlsplit(url).path
    if path.endswith("/badges/assertion.php") or path.endswith("/badges/badge_json.php"):
        return "moodle"
    if "canvascredentials" in host or "badges.instructure.com" in host:
        return "canvas-credentials"
    if "badgr" in host:
        return "badgr"
    if "openbadgefactory" in host:
        return "obf"
    if "credly" in host or "youracclaim" in host:
        return "credly"
    if re.search(r"/(assertions|credentials)/[0-9a-f-]{36}\.json$", path):
        return "sitegen"
    return "openbadges"


def verify_all(
    sources: list[Source], fetcher: Fetcher, *, include_revoked: bool, platform: str | None, now: datetime | None
) -> Verified:
    """Every source checked as `sitegen verify` checks it, then read; the problems of all of them at once."""
    verified = Verified()
    seen: set[str] = set()
    for source in sources:
        try:
            award = _verify_one(
                source, fetcher, include_revoked=include_revoked, platform=platform or source.platform, now=now
            )
            if source.email is not None and not recipient_matches(award.identity_hash, award.salt, source.email):
                raise SourceProblem(_("not imported: the export names another recipient than its assertion does"))
        except SourceProblem as exc:
            verified.problems.append(_problem(source.subject, str(exc), "import.source-refused"))
            continue
        if award.original_url in seen:  # listed twice (a list and an export): imported once
            continue
        seen.add(award.original_url)
        verified.awards.append(award)
    return verified


def _verify_one(
    source: Source, fetcher: Fetcher, *, include_revoked: bool, platform: str | None, now: datetime | None
) -> AwardRecord:
    if source.url is not None:
        result = verify_url(source.url, fetcher, now=now)
        held = _held_at_url(source.url, fetcher)
    else:
        assert source.path is not None
        result = verify_file(source.path, fetcher, now=now, subject=source.subject)
        held = _held_in_file(source.path)
    errors = [f for f in result.errors if not _tolerated(f, held)]
    if errors:
        raise SourceProblem(
            _("not imported: it does not verify ({problems})").format(problems="; ".join(f.message for f in errors))
        )
    if result.revoked is not None and not include_revoked:
        raise SourceProblem(
            _("not imported: its issuer revoked it ({reason}); --include-revoked imports it as revoked").format(
                reason=result.revoked
            )
        )
    if held is None:
        raise SourceProblem(_("not imported: no badge data could be read from it"))
    if _is_credential(held):
        return _from_ob3(source, held, fetcher, result, platform)
    published = _published(held, fetcher)
    # The issuer's copy is the truth; a revoked one is published stripped, so the badge in hand must say the rest.
    doc = published if published is not None and "recipient" in published else held
    if "recipient" not in doc or "badge" not in doc:
        raise SourceProblem(
            _(
                "not imported: its issuer publishes only that it was revoked; give the badge its earner holds "
                "(its JSON or baked image) to import it as revoked"
            )
        )
    return _from_ob2(source, doc, fetcher, result, platform)


def _tolerated(finding: Finding, held: dict | None) -> bool:
    """Moodle's quirk: its assertions say `verify: {type: hosted}` (the Open Badges 1.0 name) instead of
    `verification`; every other check still runs, so only that missing field and its type are forgiven."""
    if held is None or "verification" in held or not isinstance(held.get("verify"), dict):
        return False
    if held["verify"].get("type") != "hosted":
        return False
    missing = _("{document} has no {key}").format(document="assertion", key="verification")
    if finding.code == "verify.document.missing-field":
        return finding.message == missing
    return finding.code == "verify.assertion.verification-type"


def _held_at_url(url: str, fetcher: Fetcher) -> dict | None:
    """The badge at a URL (read before by verify: the fetcher's cache answers): JSON, or baked in an image."""
    try:
        body = fetcher.get(url)
    except FetchError:
        return None
    return _badge_data(body, fetcher)


def _held_in_file(path: Path) -> dict | None:
    return _badge_data(path.read_bytes(), None)


def _badge_data(body: bytes, fetcher: Fetcher | None) -> dict | None:
    text = body.decode("utf-8", "replace")
    if body.startswith(images.PNG_SIGNATURE) or body.lstrip()[:5] in (b"<svg ", b"<?xml"):
        try:
            text = unbake(body)[1]
        except ValueError:
            return None
    text = text.strip()
    if text.startswith(("http://", "https://")):  # an image baked with the assertion's URL only
        if fetcher is None:
            return {"id": text}
        try:
            return fetcher.get_json(text)
        except FetchError:
            return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _published(held: dict, fetcher: Fetcher) -> dict | None:
    url = held.get("id")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    try:
        return fetcher.get_json(url)
    except FetchError:
        return None


def _is_credential(doc: dict) -> bool:
    types = doc.get("type")
    types = types if isinstance(types, list) else [types]
    return "OpenBadgeCredential" in types or "AchievementCredential" in types


def _node(value, fetcher: Fetcher, what: str) -> dict:
    """A linked document: embedded, or fetched at its URL."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        try:
            return fetcher.get_json(value)
        except FetchError as exc:
            raise SourceProblem(
                _("not imported: its {what} cannot be read: {problem}").format(what=what, problem=exc)
            ) from None
    raise SourceProblem(_("not imported: it names no {what}").format(what=what))


def _text(value) -> str | None:
    """A plain string from a value that may be a language map ({"en": …}) or a list of them."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("en", "ja", "@value"):
            if isinstance(value.get(key), str):
                return value[key].strip() or None
        strings = [v for v in value.values() if isinstance(v, str)]
        return strings[0].strip() if strings else None
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _moment(value) -> str | None:
    """An ISO 8601 date-time as the original wrote it (a Unix time, as Open Badges 1.0 allowed, converted)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), timezone.utc).isoformat()
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SourceProblem(_("not imported: '{value}' is not a date").format(value=value)) from None
        return value.strip()
    return None


def _recipient(identity, salt, hashed, kind) -> tuple[str, str | None, bool]:
    """(hash, salt, hashed here): the recipient exactly as first published; a plaintext email hashed now."""
    if kind not in ("email", "emailAddress"):
        raise SourceProblem(
            _("not imported: its recipient is identified by {kind}, not an email address").format(kind=kind)
        )
    if not isinstance(identity, str):
        raise SourceProblem(_("not imported: it names no recipient"))
    if hashed is False or (hashed is None and EMAIL.match(identity)):
        fresh = secrets.token_hex(16)
        return hash_email(identity, fresh), fresh, True
    if identity.lower().startswith("md5$"):
        raise SourceProblem(
            _(
                "cannot keep an md5-hashed recipient: sitegen publishes sha256 hashes only, and the email behind "
                "the hash is unknown; issue this award again with `sitegen issue`"
            )
        )
    if not SHA256.match(identity):
        raise SourceProblem(_("not imported: its recipient hash is not sha256: {value}").format(value=identity))
    return identity, salt if isinstance(salt, str) and salt else None, False


def _evidence(value) -> tuple[dict, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    out = []
    for item in items:
        entry = {"url": item} if isinstance(item, str) else item if isinstance(item, dict) else {}
        url = entry.get("url") or entry.get("id")
        kept = {
            "url": url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
            "name": _text(entry.get("name")),
            "narrative": _text(entry.get("narrative")),
            "description": _text(entry.get("description")),
        }
        if kept["url"] or kept["narrative"]:
            out.append({k: v for k, v in kept.items() if v})
    return tuple(out)


def _criteria(value) -> str:
    if isinstance(value, str):
        return f"<{value}>" if value.startswith(("http://", "https://")) else value
    if isinstance(value, dict):
        narrative = _text(value.get("narrative"))
        url = value.get("id") or value.get("url")
        link = f"<{url}>" if isinstance(url, str) and url.startswith(("http://", "https://")) else None
        parts = [p for p in (narrative, link) if p]
        if parts:
            return "\n\n".join(parts)
    raise SourceProblem(_("not imported: its badge class has no criteria"))


def _alignments(value) -> tuple[dict, ...]:
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        entry = {
            "name": _text(item.get("targetName")),
            "url": item.get("targetUrl"),
            "framework": _text(item.get("targetFramework")),
            "code": _text(item.get("targetCode")),
            "description": _text(item.get("targetDescription")),
        }
        if entry["name"] and isinstance(entry["url"], str):
            out.append({k: v for k, v in entry.items() if v})
    return tuple(out)


def badge_image(value, fetcher: Fetcher) -> tuple[bytes, str, str | None]:
    """(bytes, "png"|"svg", caption): the badge's image, a JPEG or GIF converted to PNG, size-limited."""
    caption = _text(value.get("caption")) if isinstance(value, dict) else None
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str):
        raise SourceProblem(_("not imported: its badge class has no image"))
    if url.startswith("data:"):
        header, _comma, payload = url.partition(",")
        try:
            data = base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            raise SourceProblem(_("not imported: the badge image's data URI cannot be decoded")) from None
    else:
        try:
            data = fetcher.get(url)
        except FetchError as exc:
            raise SourceProblem(
                _("not imported: the badge image cannot be read: {problem}").format(problem=exc)
            ) from None
    if len(data) > images.MAX_IMAGE_BYTES:
        raise SourceProblem(
            _("not imported: the badge image is larger than {size} MB").format(size=images.MAX_IMAGE_BYTES // 10**6)
        )
    if data.lstrip()[:5] in (b"<svg ", b"<?xml") or b"<svg" in data[:1024]:
        return data, "svg", caption
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > images.MAX_IMAGE_PIXELS:
                raise SourceProblem(_("not imported: the badge image has too many pixels"))
            if picture.format == "PNG":
                return data, "png", caption
            if picture.format not in ("JPEG", "GIF"):
                raise SourceProblem(
                    _("not imported: the badge image is {kind}, not PNG, SVG, JPEG or GIF").format(kind=picture.format)
                )
            picture.seek(0)  # a GIF's first frame
            converted = io.BytesIO()
            picture.convert("RGBA" if picture.mode in ("P", "RGBA", "LA") else "RGB").save(converted, "PNG")
            return converted.getvalue(), "png", caption
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise SourceProblem(_("not imported: the badge image is not an image sitegen can read")) from None


def _issuer(doc: dict) -> IssuerRecord:
    name = _text(doc.get("name"))
    if name is None:
        raise SourceProblem(_("not imported: its issuer has no name"))
    url = doc.get("url") if isinstance(doc.get("url"), str) else None
    email = doc.get("email") if isinstance(doc.get("email"), str) else None
    key = doc["id"] if isinstance(doc.get("id"), str) else url or "urn:issuer:" + quote(name)
    return IssuerRecord(key, name, url, email, _text(doc.get("description")))


def _badge(doc: dict, issuer: IssuerRecord, fetcher: Fetcher) -> BadgeRecord:
    name = _text(doc.get("name"))
    if name is None:
        raise SourceProblem(_("not imported: its badge class has no name"))
    image, kind, caption = badge_image(doc.get("image"), fetcher)
    tags = doc.get("tags", doc.get("tag"))
    return BadgeRecord(
        key=str(doc.get("id") or f"{issuer.key}#" + quote(name)),
        issuer=issuer,
        name=name,
        description=_text(doc.get("description")) or name,
        image=image,
        image_kind=kind,
        image_caption=caption,
        criteria=_criteria(doc.get("criteria")),
        tags=tuple(t.strip() for t in tags if isinstance(t, str) and t.strip()) if isinstance(tags, list) else (),
        alignments=_alignments(doc.get("alignment", doc.get("alignments"))),
    )


def _from_ob2(source: Source, doc: dict, fetcher: Fetcher, result: Result, platform: str | None) -> AwardRecord:
    badge_doc = _node(doc.get("badge"), fetcher, _("badge class"))
    issuer = _issuer(_node(badge_doc.get("issuer"), fetcher, _("issuer")))
    recipient = doc.get("recipient")
    if isinstance(recipient, str):  # Open Badges 1.0: the hash alone
        recipient = {"identity": recipient, "type": "email", "hashed": recipient.startswith(("sha256$", "md5$"))}
    if not isinstance(recipient, dict):
        raise SourceProblem(_("not imported: it names no recipient"))
    identity, salt, hashed_here = _recipient(
        recipient.get("identity"), recipient.get("salt"), recipient.get("hashed"), recipient.get("type", "email")
    )
    url = str(doc.get("id"))
    issued = _moment(doc.get("issuedOn"))
    if issued is None:
        raise SourceProblem(_("not imported: it has no issue date"))
    return AwardRecord(
        source=source.subject,
        original_url=url,
        platform=platform or platform_of(url, doc),
        badge=_badge(badge_doc, issuer, fetcher),
        identity_hash=identity,
        salt=salt,
        issued_on=issued,
        expires=_moment(doc.get("expires")),
        narrative=_text(doc.get("narrative")),
        evidence=_evidence(doc.get("evidence")),
        revoked=result.revoked,
        hashed_here=hashed_here,
    )


def _from_ob3(source: Source, doc: dict, fetcher: Fetcher, result: Result, platform: str | None) -> AwardRecord:
    subject = doc.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        raise SourceProblem(_("not imported: it names no recipient"))
    issuer_doc = _node(doc.get("issuer"), fetcher, _("issuer"))
    issuer = _issuer(issuer_doc)
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        raise SourceProblem(_("not imported: it names no achievement"))
    identifiers = subject.get("identifier")
    identifier = identifiers[0] if isinstance(identifiers, list) and identifiers else {}
    identity, salt, hashed_here = _recipient(
        identifier.get("identityHash"), identifier.get("salt"), identifier.get("hashed"), identifier.get("identityType")
    )
    url = str(doc.get("id"))
    issued = _moment(subject.get("awardedDate") or doc.get("validFrom") or doc.get("issuanceDate"))
    if issued is None:
        raise SourceProblem(_("not imported: it has no issue date"))
    return AwardRecord(
        source=source.subject,
        original_url=url,
        platform=platform or platform_of(url, doc),
        badge=_badge(achievement, issuer, fetcher),
        identity_hash=identity,
        salt=salt,
        issued_on=issued,
        expires=_moment(doc.get("validUntil") or doc.get("expirationDate")),
        narrative=_text(subject.get("narrative")),
        evidence=_evidence(doc.get("evidence")),
        revoked=result.revoked,
        hashed_here=hashed_here,
        did_key_issuer=any(f.code == "verify.key.did-key-only" for f in result.findings),
    )
