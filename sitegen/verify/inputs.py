"""Check published badges as a verifier would: a URL, a JSON file, a baked image, or a whole output folder.

Each check has a name; a result lists every finding, and is valid only when no check found an error.
Stricter than the official OB 2.0 validator where that one is known to be wrong: a revoked hosted
assertion, a one-entry revocation list, a wrong `type` and a missing image are all reported.
"""

from __future__ import annotations

import base64
import html
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from sitegen.content import images
from sitegen.messages import _, ngettext
from sitegen.model import LANGUAGES
from sitegen.openbadges import baking
from sitegen.progress import NO_PROGRESS, VERIFY_SITE, Progress
from sitegen.urls import Urls, did_web
from sitegen.verify.checks import BADGE_CLASS, BAKED_IMAGE, ISSUER_PROFILE, SITE_FOLDER
from sitegen.verify.fetch import MAX_DOCUMENT_BYTES, Fetcher, FetchError
from sitegen.verify.ob2 import (
    JWS,
    check_document,
    check_key_ownership,
    check_revocation_list,
    fetch_json,
    id_of,
    require_fields,
    verify_badge_class,
    verify_ob2_hosted,
    verify_ob2_signed,
)
from sitegen.verify.ob3 import verify_credential_document, verify_did_document, verify_status_list
from sitegen.verify.picture import is_badge_picture
from sitegen.verify.report import Result

CONFIRMS = "issuer's site confirms"
PICTURE = "image matches the badge"


def unbake(data: bytes) -> tuple[str, str]:
    """(format, text): format is "ob2" or "ob3"; text is JSON, a URL or a JWS. ValueError when the image
    holds no badge, or when reading it would mean inflating more than images.MAX_INFLATED_BYTES."""
    if data.startswith(images.PNG_SIGNATURE):
        chunks = baking.unbake_png(data, (baking.OB3_PNG_KEYWORD, baking.OB2_PNG_KEYWORD))
        if baking.OB3_PNG_KEYWORD in chunks:
            return "ob3", chunks[baking.OB3_PNG_KEYWORD]
        if baking.OB2_PNG_KEYWORD in chunks:
            return "ob2", chunks[baking.OB2_PNG_KEYWORD]
        raise ValueError(_("this PNG carries no badge (no openbadges or openbadgecredential chunk)"))
    found = baking.unbake_svg(data)
    if "credential" in found:
        return "ob3", found["credential"]
    if "assertion" in found:
        return "ob2", found["assertion"]
    raise ValueError(_("this SVG carries no badge (no openbadges:assertion or openbadges:credential)"))


def verify_document(
    text: str, fetcher: Fetcher, email: str | None = None, *, kind: str, subject: str, now: datetime | None = None
) -> Result:
    """A badge given as JSON or a URL: hosted assertions are re-fetched from their id, as the spec says, and a
    badge in hand is compared with the one its issuer publishes at its id."""
    return _verify_text(text, fetcher, email, kind=kind, subject=subject, now=now)[0]


def _verify_text(
    text: str, fetcher: Fetcher, email: str | None, *, kind: str, subject: str, now: datetime | None
) -> tuple[Result, dict | None]:
    """The result, and the badge as its issuer's site publishes it (None when it could not be read): the
    document whose badge image a baked picture must be."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        result = verify_ob2_hosted(text, fetcher, email, now=now, kind=kind, subject=subject)
        result.skip(CONFIRMS, _("the badge names only its URL: the issuer's copy is what was verified"))
        return result, _published(text, fetcher)
    if JWS.match(text):
        signed_kind = kind if kind != "json" else "ob2-signed"
        result = verify_ob2_signed(text, fetcher, email, now=now, kind=signed_kind, subject=subject)
        # Its id is a urn:uuid (sitegen's too): no copy is published at it. The signature, made with a key the
        # issuer lists, is what vouches for every field.
        result.skip(CONFIRMS, _("a signed assertion is vouched for by its signature, not by a published copy"))
        return result, None
    try:
        doc = json.loads(text)
    except RecursionError:
        return _unreadable(subject, kind, "input.parse", _("the JSON is nested too deeply to read")), None
    except ValueError:
        not_badge_data = _("not JSON, not a URL: cannot tell what this badge is")
        return _unreadable(subject, kind, "input.parse", not_badge_data), None
    types = doc.get("type") if isinstance(doc, dict) else None
    types = types if isinstance(types, list) else [types]
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        credential_kind = kind if kind.startswith("ob3") else "ob3-credential"
        result = verify_credential_document(doc, fetcher, email, now=now, kind=credential_kind, subject=subject)
        published = _confirm(result, doc, fetcher, "credential")
        # Without a published copy (an id that is no URL), the credential's own signature vouches for it.
        return result, published if published is not None or result.errors else doc
    if isinstance(doc, dict) and isinstance(doc.get("id"), str) and doc["id"].startswith(("http://", "https://")):
        result = verify_ob2_hosted(doc["id"], fetcher, email, now=now, kind=kind, subject=subject)
        return result, _confirm(result, doc, fetcher, "assertion")
    result = _unreadable(
        subject,
        kind,
        "input.parse",
        _("this JSON is neither a hosted assertion with an http(s) id nor an Open Badges 3.0 credential"),
    )
    return result, None


def _published(url: str, fetcher: Fetcher) -> dict | None:
    """The JSON document at `url` (read before: the fetcher's cache answers), or None."""
    try:
        return fetcher.get_json(url)
    except FetchError:
        return None


def _confirm(result: Result, held: dict, fetcher: Fetcher, what: str) -> dict | None:
    """Compare the badge in hand (`what`: "assertion" or "credential") with the one its issuer publishes at its
    id: the issuer's copy is the truth, so any difference means the badge in hand was changed. The issuer's copy,
    or None when there is none to read."""
    url = held.get("id")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        no_copy = (
            _("the assertion's id is not a URL: there is no published copy to compare with")
            if what == "assertion"
            else _("the credential's id is not a URL: there is no published copy to compare with")
        )
        result.skip(CONFIRMS, no_copy)
        return None
    step = f"{what}.published"
    try:
        published = fetcher.get_json(url)
    except FetchError as exc:
        if what == "credential":  # an assertion was fetched from its id already, and a failure reported then
            message = _("the issuer's copy of the credential cannot be read: {problem}").format(problem=exc)
            result.fetch_failed(step, message, exc, code="verify.document.unreadable")
        return None
    result.ran(step, CONFIRMS)
    differences = _differences(held, published, what)
    if differences:
        if what == "assertion":
            message = ngettext(
                "the {fields} differs from the assertion the issuer publishes at {url}",
                "the {fields} differ from the assertion the issuer publishes at {url}",
                len(differences),
            )
        else:
            message = ngettext(
                "the {fields} differs from the credential the issuer publishes at {url}",
                "the {fields} differ from the credential the issuer publishes at {url}",
                len(differences),
            )
        result.error(step, message.format(fields=_words(differences), url=url), code="verify.baked.differs-from-hosted")
    return published


# The top-level properties of an assertion or credential, and of a credential's subject (its achievement, its
# recipient), in the order a verifier reads them.
_FIELD_ORDER = (
    *("badge", "issuedOn", "recipient", "expires", "evidence", "narrative", "image", "verification"),
    *("achievement", "identifier", "validFrom", "validUntil", "awardedDate", "issuer", "proof"),
    *("credentialStatus", "name", "description"),
)


def _field_words() -> dict[str, str]:
    """What differs, in a verifier's words (in the language of the messages)."""
    return {
        "badge": _("badge"),
        "issuedOn": _("issue date"),
        "recipient": _("recipient"),
        "expires": _("expiry date"),
        "evidence": _("evidence"),
        "narrative": _("narrative"),
        "image": _("image"),
        "verification": _("verification method"),
        "achievement": _("achievement"),
        "identifier": _("recipient"),
        "validFrom": _("issue date"),
        "validUntil": _("expiry date"),
        "awardedDate": _("award date"),
        "issuer": _("issuer"),
        "proof": _("signature"),
        "credentialStatus": _("status entry"),
        "name": _("name"),
        "description": _("description"),
    }


def _differences(held: dict, published: dict, what: str) -> list[str]:
    """What differs between the badge in hand and the issuer's copy, JSON-equal (key order aside), in words."""
    if what == "assertion" and published.get("revoked") is True:
        # A revoked award's copy is stripped to its id and the reason after the badge was handed out: that is
        # no forgery, and the badge is revoked whatever else it says. What the copy keeps must still agree.
        published = {k: v for k, v in published.items() if k not in ("revoked", "revocationReason")}
        held = {k: v for k, v in held.items() if k in published}
    words: list[str] = []
    field_words = _field_words()
    for key in sorted(set(held) | set(published), key=_in_reading_order):
        if _same(held, published, key):
            continue
        held_part, published_part = held.get(key), published.get(key)
        if key == "credentialSubject" and isinstance(held_part, dict) and isinstance(published_part, dict):
            for sub in sorted(set(held_part) | set(published_part), key=_in_reading_order):
                if not _same(held_part, published_part, sub):
                    _add(words, field_words.get(sub, f"credentialSubject.{sub}"))
            continue
        _add(words, field_words.get(key, key))
    return words


def _same(held: dict, published: dict, key: str) -> bool:
    """Whether `key` is JSON-equal in both: present in both or neither, and `true` is not `1` (as in Python)."""
    if (key in held) != (key in published):
        return False
    return json.dumps(held.get(key), sort_keys=True) == json.dumps(published.get(key), sort_keys=True)


def _in_reading_order(key: str) -> tuple[int, str]:
    order = _FIELD_ORDER
    return (order.index(key), key) if key in order else (len(order), key)


def _add(words: list[str], word: str) -> None:
    if word not in words:
        words.append(word)


def _words(items: list[str]) -> str:
    """ "badge, issue date and recipient" (バッジ、発行日、受領者)."""
    if len(items) == 1:
        return items[0]
    return _("{earlier} and {last}").format(earlier=_(", ").join(items[:-1]), last=items[-1])


def _check_picture(result: Result, image: bytes, published: dict | None, fetcher: Fetcher) -> None:
    """A baked image must show its badge's own image, as the issuer's site publishes it: another badge's picture
    with a genuine award baked in is a forgery the badge data alone cannot reveal."""
    if published is None:
        result.skip(PICTURE, _("not reached: the issuer's copy of the badge could not be read"))
        return
    url = _badge_image_url(published, fetcher)
    if url is None:
        if result.revoked is None:  # a revoked assertion's copy names no badge: the verdict says it is revoked
            result.skip(PICTURE, _("not reached: the badge names no image of its own to compare with"))
        return
    step = "baked.picture"
    result.ran(step, PICTURE)
    try:
        badge_image = _image_bytes(url, fetcher)
    except (FetchError, ValueError) as exc:
        message = _("the badge's image cannot be read, so the picture cannot be compared with it: {problem}").format(
            problem=exc
        )
        result.fetch_failed(step, message, exc, code="verify.image.not-the-badge")
        return
    if not is_badge_picture(image, badge_image):
        result.error(
            step,
            _(
                "the picture is not the image of the badge (the issuer's site publishes it at {url}): "
                "badge data was put into another picture"
            ).format(url=url),
            code="verify.image.not-the-badge",
        )


def _badge_image_url(published: dict, fetcher: Fetcher) -> str | None:
    """The URL of the image of the badge a published assertion or credential is of."""
    subject = published.get("credentialSubject")
    if isinstance(subject, dict):  # Open Badges 3.0: the achievement's image
        achievement = subject.get("achievement")
        return id_of(achievement.get("image")) if isinstance(achievement, dict) else None
    badge = published.get("badge")
    if isinstance(badge, str):
        try:
            badge = fetcher.get_json(badge)
        except FetchError:
            return None  # reported by the badge class's checks
    return id_of(badge.get("image")) if isinstance(badge, dict) else None


def _image_bytes(url: str, fetcher: Fetcher) -> bytes:
    """An image's bytes: fetched, or decoded from a base64 data: URI (a badge class may embed its image)."""
    if url.startswith("data:"):
        header, _comma, data = url.partition(",")
        if not header.endswith(";base64"):
            raise ValueError(_("the badge's image is a data: URI that is not base64"))
        return base64.b64decode(data, validate=False)
    return fetcher.get(url)


def _unreadable(subject: str, kind: str, step: str, message: str) -> Result:
    """The result of an input that is not badge data verify can read."""
    result = Result(subject, kind)
    result.error(step, message, code="verify.input.unreadable")
    return result


def _baked(subject: str, kind: str, data: bytes) -> tuple[str, str] | Result:
    """(format, text) of the badge baked into image `data`, or the result saying there is none."""
    try:
        return unbake(data)
    except ValueError as exc:
        result = Result(subject, kind)
        result.read(BAKED_IMAGE)
        result.error("baked.extract", str(exc), code="verify.baked.no-badge")
        return result


def verify_file(
    path: Path, fetcher: Fetcher, email: str | None = None, *, now: datetime | None = None, subject: str | None = None
) -> Result:
    """A badge file: JSON, a JWS, or a baked PNG or SVG image. `subject` names it in the result (its path)."""
    subject = subject or str(path)
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        result = Result(subject, "file")
        result.error(
            "input.size",
            _("the file is larger than {size} MB: not read").format(size=MAX_DOCUMENT_BYTES // 2**20),
            code="verify.input.too-large",
        )
        return result
    data = path.read_bytes()
    if path.suffix.lower() in (".json", ".jws"):
        kind = "json" if path.suffix.lower() == ".json" else "ob2-signed"
        return verify_document(data.decode("utf-8", "replace"), fetcher, email, kind=kind, subject=subject, now=now)
    baked = _baked(subject, "image", data)
    if isinstance(baked, Result):
        return baked
    version, text = baked
    kind = f"{version}-{'png' if data.startswith(images.PNG_SIGNATURE) else 'svg'}"
    return _verify_baked(data, text, fetcher, email, kind=kind, subject=subject, now=now)


def _verify_baked(
    image: bytes, text: str, fetcher: Fetcher, email: str | None, *, kind: str, subject: str, now: datetime | None
) -> Result:
    """A badge baked into `image`: its data, as the issuer publishes it, and its picture, the badge's image."""
    result, published = _verify_text(text, fetcher, email, kind=kind, subject=subject, now=now)
    result.read(BAKED_IMAGE)
    result.started("baked image")
    _check_picture(result, image, published, fetcher)
    return result


def verify_url(
    url: str, fetcher: Fetcher, email: str | None = None, *, now: datetime | None = None, follow_page: bool = True
) -> Result:
    """A badge at a URL: its JSON, a baked image, or the award's page that links to its badge data."""
    try:
        body = fetcher.get(url)
    except FetchError as exc:
        result = Result(url, "url")
        result.fetch_failed("input.fetch", str(exc), exc, code="verify.document.unreadable")
        return result
    if body.startswith(images.PNG_SIGNATURE) or body.lstrip()[:5] in (b"<svg ", b"<?xml"):
        baked = _baked(url, "image", body)
        if isinstance(baked, Result):
            return baked
        version, text = baked
        return _verify_baked(body, text, fetcher, email, kind=f"{version}-image", subject=url, now=now)
    if body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        # The link people share is the award's page: verify the badge data it names (one step only).
        if not follow_page:
            return _unreadable(
                url, "url", "input.parse", _("the page's badge data link leads to another web page, not to badge data")
            )
        found = BADGE_DATA_LINK.search(body.decode("utf-8", "replace"))
        if found is None:
            return _unreadable(
                url,
                "url",
                "input.parse",
                _(
                    'this is a web page that names no badge data (no <link rel="alternate" '
                    'type="application/ld+json">); give the URL of the badge\'s JSON or image'
                ),
            )
        return verify_url(urljoin(url, html.unescape(found.group(1))), fetcher, email, now=now, follow_page=False)
    return verify_document(body.decode("utf-8", "replace"), fetcher, email, kind="url", subject=url, now=now)


BADGE_DATA_LINK = re.compile(r'<link rel="alternate" type="application/ld\+json" href="([^"]+)">')


def site_base_url(site_dir: Path) -> str | None:
    """The base URL a built site was made for, read from any issuer profile's id."""
    for path in sorted((site_dir / "issuers").glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        suffix = "/" + Urls.issuer_json(path.stem)
        if isinstance(doc.get("id"), str) and doc["id"].endswith(suffix):
            return doc["id"][: -len(suffix)]
    return None


def verify_site(
    site_dir: Path,
    base_url: str | None = None,
    *,
    now: datetime | None = None,
    progress: Progress = NO_PROGRESS,
    jobs: int | None = None,
) -> list[Result]:
    """Every badge of a built site: hosted assertions, baked images and credentials, read from disk; a large site
    on every core (`jobs` worker processes, default one per core)."""
    base_url = base_url or site_base_url(site_dir)
    published = (
        p
        for folder in ("issuers", "badges", "assertions", "credentials", "status")
        for p in (site_dir / folder).glob("*")
        if p.suffix in (".json", ".png", ".svg", ".jws")
    )
    if next(published, None) is None:  # the first file tells: a large site's folders are listed once, below
        result = Result(str(site_dir), "site")
        result.read(SITE_FOLDER)
        if (site_dir / "index.html").is_file():  # a new site before its first issuer: nothing could be wrong
            result.warning(
                "site.empty",
                _("the site publishes no issuer, badge or award yet: nothing to verify"),
                code="verify.site.empty",
            )
        else:
            result.error(
                "site.empty",
                _("this folder is not a built site (no index.html, no badge data)"),
                code="verify.site.not-a-site",
            )
        return [result]
    if base_url is None:
        result = Result(str(site_dir), "site")
        result.read(SITE_FOLDER)
        result.error(
            "site.base-url",
            _("cannot tell the site's base URL (no issuers/*.json); pass --base-url"),
            code="verify.site.no-base-url",
        )
        return [result]
    fetcher = Fetcher(site_dir, base_url)
    urls = Urls(base_url)
    hosted = sorted((site_dir / "assertions").glob("*.json"))
    copies = [  # what a recipient may hold: baked images, signed assertions, credentials
        (folder, path)
        for folder in ("assertions", "credentials")
        for path in sorted((site_dir / folder).glob("*"))
        if path.suffix in (".png", ".svg", ".jws") or (folder == "credentials" and path.suffix == ".json")
    ]
    results = site_documents(site_dir, base_url, fetcher)
    work: list[tuple[str, Path | None]] = [(urls.assertion_json(path.stem), None) for path in hosted]
    work += [(f"{folder}/{path.name}", path) for folder, path in copies]
    progress.start(VERIFY_SITE, len(work))
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(work) >= PARALLEL_THRESHOLD and "fork" in multiprocessing.get_all_start_methods():
        # Each award is checked on its own: forked workers take chunks, each with its own fetcher (whose cache of
        # the site's shared documents fills once per worker); results come back in the order they were given.
        size = max(50, len(work) // (jobs * 8))
        chunks = [work[i : i + size] for i in range(0, len(work), size)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            tasks = [(site_dir, base_url, now, chunk) for chunk in chunks]
            for chunk, chunk_results in zip(chunks, pool.map(_verify_chunk, tasks), strict=True):
                results += chunk_results
                progress.advance(len(chunk))
    else:
        for item in work:
            results += _verify_chunk((site_dir, base_url, now, [item]), fetcher)
            progress.advance()
    progress.finish()
    return results


# Below this many documents one process is quicker than starting workers.
PARALLEL_THRESHOLD = 400


def _verify_chunk(task: tuple, fetcher: Fetcher | None = None) -> list[Result]:
    """Verify some of a built site's awards: (site folder, base URL, now, [(subject, file or None: hosted)])."""
    site_dir, base_url, now, items = task
    fetcher = fetcher or Fetcher(site_dir, base_url)
    urls = Urls(base_url)
    return [
        verify_ob2_hosted(urls.url(subject), fetcher, now=now, subject=subject)
        if path is None
        else verify_file(path, fetcher, now=now, subject=subject)
        for subject, path in items
    ]


def published_documents(site_dir: Path, folder: str) -> list[str]:
    """The JSON documents of a folder (issuers, badges) and of its translations, {lang}/{folder}/ (published_languages),
    as paths in the site: each is served where it lies."""
    folders = [site_dir / folder] + [site_dir / lang / folder for lang in LANGUAGES]
    return [path.relative_to(site_dir).as_posix() for where in folders for path in sorted(where.glob("*.json"))]


def site_documents(site_dir: Path, base_url: str, fetcher: Fetcher) -> list[Result]:
    """The documents every award of the site relies on, checked on their own: issuer profiles with their
    revocation lists and keys, badge classes, the DID document and the status lists. A site without awards
    is thus still checked, and passes when these are sound."""
    urls = Urls(base_url)
    results = []
    for rel in published_documents(site_dir, "issuers"):
        result = Result(rel, "ob2-profile")
        result.read(ISSUER_PROFILE)
        url = urls.url(rel)
        profile = fetch_json(result, "issuer.fetch", url, fetcher)
        if profile is not None:
            check_document(result, "issuer", profile, url, ("Profile", "Issuer"))
            require_fields(result, "issuer", profile, ("name", "url", "email"))
            check_revocation_list(result, url, profile, fetcher, hosted=False)
            keys = profile.get("publicKey")
            for key_url in [id_of(k) for k in (keys if isinstance(keys, list) else [keys] if keys else [])]:
                key = fetch_json(result, "key.fetch", key_url, fetcher) if key_url else None
                if key_url is not None and key is not None:
                    check_document(result, "key", key, key_url, "CryptographicKey")
                    check_key_ownership(result, key_url, key, profile, fetcher)
        results.append(result)
    for rel in published_documents(site_dir, "badges"):
        result = Result(rel, "ob2-badgeclass")
        result.read(BADGE_CLASS)
        verify_badge_class(result, {"badge": urls.url(rel)}, fetcher)
        results.append(result)
    did = did_web(base_url)
    did_path = urls.did_document()
    if (site_dir / did_path).is_file():
        results.append(verify_did_document(did, fetcher, did_path))
    for path in sorted((site_dir / "status").glob("*.json")):
        rel = path.relative_to(site_dir).as_posix()  # a status list is served where it lies in the site
        results.append(verify_status_list(urls.url(rel), did, fetcher, rel))
    return results
