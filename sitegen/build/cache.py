"""Reuse an award's files from the previous output when nothing that goes into them has changed.

Rendering, QR codes and credentials cost milliseconds per award; a rebuild that adds a few awards to a large
site should not pay them again. An award's files are hard-linked from the previous output (the same bytes,
no copy) when its fingerprint is unchanged. The fingerprint covers everything its files are made from: the
award, its status position, its page's state (valid, expired, revoked: an award that expired since is made
again), every issuer and badge (with their images), the site settings, the theme and translation files, the
keys, and sitegen itself (its version and every file of the package, so a change of sitegen's code between
releases counts too). Anything else changed means the award is rebuilt, and so does an award whose files in
output/ were edited or replaced by hand since (each record keeps their inode, size and modification time).

Nothing of the cache is trusted because of where it lies: a repository can commit a `.sitegen-cache/` (and an
`output/`) of its own making. The records carry a MAC under a secret of this machine's user, kept outside every
repository, so records this machine did not write are ignored; and the cache folder is never read or written
through a symbolic link.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import os
import pickle
import secrets
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from sitegen import __version__
from sitegen.build.render import theme_dirs
from sitegen.messages import _
from sitegen.model import Award
from sitegen.openbadges.jws import public_pem


class Writable(Protocol):
    """What a cache file is written to: the file, or a writer that also adds what it writes to a MAC."""

    def write(self, data: bytes | memoryview, /) -> int: ...


CACHE_DIR = Path(".sitegen-cache")
CACHE_NAME = "awards-v3.json"  # v3: records with a MAC
CACHE_FILE = CACHE_DIR / CACHE_NAME
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
PACKAGE_DIR = Path(__file__).parent.parent  # the package: code, default theme, locale, contexts


def site_fingerprint(root: Path, site, signing, jws_key) -> str:
    digest = hashlib.sha256()

    def add(*parts) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
            digest.update(b"\0")

    add(package_digest(), site.config)
    for issuer in site.issuers.values():
        add(issuer, issuer.image.data if issuer.image else b"")
    for badge in site.badges.values():
        add(badge, badge.image.data)
    for folder in theme_dirs(root, site.config.theme):
        add(_folder_digest(folder))
    add(signing and (signing.verification_method, signing.public_multikey))
    if jws_key is not None:
        add(public_pem(jws_key))
    return digest.hexdigest()


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        for part in (str(path.relative_to(folder)).encode("utf-8", "surrogatepass"), path.read_bytes()):
            digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


@functools.cache
def package_digest() -> str:
    """sitegen itself: its version and every file of the package, so a change of its code between releases
    counts too."""
    return f"{__version__} {_folder_digest(PACKAGE_DIR)}"


def award_fingerprint(site_fingerprint: str, award, position, state: str = "") -> str:
    """`state` is what the award's page says without script (render.award_state): an award that expired
    since the last build gets its page made again."""
    return hashlib.sha256(f"{site_fingerprint}\0{award!r}\0{position!r}\0{state}".encode()).hexdigest()


def load(root: Path, output: Path) -> dict[str, list]:
    """{award id: [fingerprint, proof cache key or None, stamp of its files]} of the build that wrote `output`,
    if it still stands and this machine wrote the records."""
    data = read_cache_bytes(root, CACHE_NAME)
    secret = _machine_secret()
    if data is None or secret is None or not output.is_dir():
        return {}
    # The file as save() writes it, {"awards":RECORDS,"mac":"MAC","output":OUTPUT}: its MAC is checked on the
    # records' bytes as they stand, before they are parsed (a large site's records are 20 MB: encoding them again
    # to check the MAC cost a second).
    at = data.rfind(_MAC_KEY)
    output_json = json.dumps(str(output)).encode("ascii")
    if (
        not data.startswith(_AWARDS_KEY)
        or at < 0
        or data[at + len(_MAC_KEY) + 64 :] != _OUTPUT_KEY + output_json + b"}"
    ):
        return {}
    records_json = data[len(_AWARDS_KEY) : at]
    mac = data[at + len(_MAC_KEY) : at + len(_MAC_KEY) + 64]
    if not hmac.compare_digest(mac, _records_mac(secret, output_json, records_json).encode("ascii")):
        return {}
    records = json_object(records_json) or {}
    return {award_id: record for award_id, record in records.items() if _record_shape(record)}


def json_object(data: bytes) -> dict | None:
    """The JSON object these bytes hold, or None when they hold no JSON or something else."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


_AWARDS_KEY, _MAC_KEY, _OUTPUT_KEY = b'{"awards":', b',"mac":"', b'","output":'


def save(root: Path, output: Path, records: dict[str, list]) -> None:
    """The records, as json.dumps of {"awards", "mac", "output"} with sorted keys would write them."""
    secret = _machine_secret()
    if secret is None:
        return
    records_json, output_json = encoded(records), json.dumps(str(output))
    mac = _records_mac(secret, output_json.encode("ascii"), records_json)
    parts = [_AWARDS_KEY.decode(), records_json, _MAC_KEY.decode(), mac, _OUTPUT_KEY.decode(), output_json, "}"]
    write_cache_bytes(root, CACHE_NAME, parts)


AWARD_FILES_NAME = "award-files-v2.pickle"
_AWARD_FILES_HEADER = b"sitegen award files v2\n"  # a sealed file (write_sealed) of a pickle


class AwardFileCache:
    """The awards of every award file the last build checked (content.validate.AwardFileMemo), so that a rebuild
    parses and checks only the files that changed: at 100,000 awards that is most of a rebuild's time.

    The file carries a MAC under this machine's secret (as the award records do) and is read only when the MAC
    holds; then only the model's own classes are unpickled (_ModelUnpickler), so even a file that got past the MAC
    could not run code. Its entries are kept for one sitegen: another version, or other code, starts afresh.
    save() keeps exactly the files of the last build, so the cache never grows past the site. The awards are
    pickled straight into the file, never into a copy in memory (24 MB at 100,000 awards, which stayed in the
    build's memory once freed, and in its workers' too)."""

    def __init__(self, root: Path):
        self.root = root
        self._known: dict[str, list] = {}  # file key → its awards
        self._kept: dict[str, list] = {}
        self.recalled = 0  # files answered from the cache
        secret = _machine_secret()
        payload = read_sealed(root, AWARD_FILES_NAME, _AWARD_FILES_HEADER, _award_files_mac(secret)) if secret else None
        if payload is None:
            return
        try:
            code, known = _ModelUnpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001 - anything unreadable is a cache miss, never a failed build
            return
        if code == package_digest() and isinstance(known, dict):
            self._known = known

    def recall(self, key: str) -> list | None:
        awards = self._known.pop(key, None)  # kept in _kept if it is an award file's
        if not isinstance(awards, list) or not all(isinstance(award, Award) for award in awards):
            return None
        self._kept[key] = awards
        self.recalled += 1
        return awards

    def remember(self, key: str, awards: list) -> None:
        self._kept[key] = awards

    def save(self) -> None:
        secret = _machine_secret()
        if secret is None:
            return
        known = (package_digest(), dict(sorted(self._kept.items())))
        write_sealed(
            self.root,
            AWARD_FILES_NAME,
            _AWARD_FILES_HEADER,
            _award_files_mac(secret),
            lambda out: pickle.dump(known, out, pickle.HIGHEST_PROTOCOL),
        )


def _award_files_mac(secret: bytes):
    return hmac.new(secret, b"award files\0", hashlib.sha256)


class _ModelUnpickler(pickle.Unpickler):
    """Unpickles awards and nothing else: the model's classes of an award and the dates they hold."""

    ALLOWED = {
        *(("sitegen.model", name) for name in ("Award", "Evidence", "ImportedFrom", "Revocation", "Text")),
        ("sitegen.diagnostics", "Location"),
        *(("datetime", name) for name in ("datetime", "timezone", "timedelta")),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of an award")
        return super().find_class(module, name)


def _record_shape(record) -> bool:
    return (
        isinstance(record, list)
        and len(record) == 3
        and isinstance(record[0], str)
        and (record[1] is None or isinstance(record[1], str))
        and isinstance(record[2], str)
    )


def _records_mac(secret: bytes, output_json: bytes, records_json: bytes | str) -> str:
    """The MAC of [output, records] in the JSON of encoded()."""
    digest = hmac.new(secret, b"[" + output_json + b",", hashlib.sha256)
    for chunk in _chunks(records_json):
        digest.update(chunk)
    digest.update(b"]")
    return digest.hexdigest()


def _machine_secret() -> bytes | None:
    """A random secret of this user on this machine (made once, in the user's cache folder, outside every
    repository), or None when there is no such folder: then nothing is reused."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "sitegen"
    path = folder / "reuse-secret"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            secret = path.read_bytes()
        except FileNotFoundError:
            tmp = folder / f".reuse-secret.{secrets.token_hex(8)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
            try:
                os.link(tmp, path)  # the first of two builds that race wins; both then read its secret
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
            secret = path.read_bytes()
    except OSError:
        return None
    return secret if len(secret) == 32 else None


# --- the cache folder: never followed through a link ----------------------------------------------


def cache_problem(root: Path) -> str | None:
    """Why the repository's `.sitegen-cache` must be left alone (neither read nor written), or None."""
    try:
        info = os.lstat(root / CACHE_DIR)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _("{folder} cannot be read ({problem}); it was ignored").format(folder=CACHE_DIR, problem=exc.strerror)
    if stat.S_ISLNK(info.st_mode):
        return _(
            "{folder} is a symbolic link; sitegen never reads or writes its cache through a link, so it "
            "was ignored and everything was signed and written afresh (remove the link to have a cache)"
        ).format(folder=CACHE_DIR)
    if not stat.S_ISDIR(info.st_mode):
        return _("{folder} is not a folder; it was ignored (remove it to have a cache)").format(folder=CACHE_DIR)
    return None


def cache_note(root: Path) -> str | None:
    """A note for the build's report when the cache folder was ignored."""
    problem = cache_problem(root)
    return _("The cache was not used: {problem}.").format(problem=problem) if problem else None


def _open_cache_dir(root: Path, create: bool) -> int | None:
    if cache_problem(root) is not None:
        return None
    path = root / CACHE_DIR
    try:
        if create:
            try:
                os.mkdir(path)
            except FileExistsError:
                pass
        return os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError:
        return None


# Windows has no directory file descriptors: there the cache is read and written by path, inside a folder
# cache_problem() has checked is no link, the file itself checked with lstat (a link is never read).
_BY_PATH = os.open not in os.supports_dir_fd


def read_cache(root: Path, name: str) -> dict | None:
    """The JSON object of one cache file, or None when it is missing, a link, not a file or not a JSON object."""
    data = read_cache_bytes(root, name)
    return json_object(data) if data is not None else None


def read_cache_bytes(root: Path, name: str) -> bytes | None:
    """One cache file, or None when it is missing, a link or not a file."""
    if _BY_PATH:
        return _read_by_path(root, name)
    folder = _open_cache_dir(root, create=False)
    if folder is None:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=folder)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(folder)


def write_cache(root: Path, name: str, document) -> None:
    """Replace one cache file, never writing through a link; a cache that cannot be written is skipped
    (it only saves time)."""
    write_cache_bytes(root, name, [encoded(document)])


def write_cache_bytes(root: Path, name: str, parts: Sequence[bytes | str]) -> None:
    """Replace one cache file with `parts` one after the other, a text in UTF-8 (see write_cache)."""
    write_cache_with(root, name, lambda handle: write_parts(handle, parts))


def write_cache_with(root: Path, name: str, write: Callable[[Writable], None]) -> None:
    """Replace one cache file with what `write` writes to it (see write_cache)."""
    if _BY_PATH:
        _write_by_path(root, name, write)
        return
    folder = _open_cache_dir(root, create=True)
    if folder is None:
        return
    tmp = f".{name}.{secrets.token_hex(8)}.tmp"  # a new name: nothing planted there can be followed
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=folder)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)  # replaces a link, never its target
        try:  # a cache, never committed
            fd = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("*\n")
        except FileExistsError:
            pass
    except OSError:
        try:
            os.unlink(tmp, dir_fd=folder)
        except OSError:
            pass
    finally:
        os.close(folder)


# --- sealed cache files: a header, what is kept, and the MAC of what is kept --------------------------------


def write_sealed(root: Path, name: str, header: bytes, mac, write: Callable[[Writable], None]) -> None:
    """Replace one cache file with `header`, what `write` writes, and the MAC (an hmac object, in hex) of what it
    wrote: the MAC is made as the file is written, so the file is never held whole in memory."""

    def sealed(handle) -> None:
        handle.write(header)
        write(_Signed(handle, mac))
        handle.write(mac.hexdigest().encode("ascii"))

    write_cache_with(root, name, sealed)


def read_sealed(root: Path, name: str, header: bytes, mac) -> memoryview | None:
    """What write_sealed kept in a cache file, if `mac` (an hmac object under the same key, fresh) says that key made
    it; None when the file is missing, a link, or not made so."""
    data = read_cache_bytes(root, name)
    if data is None or not data.startswith(header) or len(data) < len(header) + 64:
        return None
    kept = memoryview(data)[len(header) : -64]
    mac.update(kept)
    return kept if hmac.compare_digest(data[-64:], mac.hexdigest().encode("ascii")) else None


class _Signed:
    """A file to write to that adds what is written to a MAC."""

    def __init__(self, handle, mac):
        self.handle, self.mac = handle, mac

    def write(self, data: bytes | memoryview, /) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def write_parts(handle: Writable, parts: Sequence[bytes | str]) -> None:
    for part in parts:
        for chunk in _chunks(part):
            handle.write(chunk)


def _chunks(data: bytes | str, step: int = 2**20):
    """`data` in UTF-8, a megabyte at a time: a large site's caches are tens of megabytes, and encoding a whole one
    at once would hold a second copy of it at the build's busiest moment for memory."""
    view = memoryview(data) if isinstance(data, bytes) else data
    for start in range(0, len(view), step):
        chunk = view[start : start + step]
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def encoded(document) -> str:
    """A document as the cache files hold it (compact, keys sorted)."""
    # json.dumps runs the C encoder over the whole document; json.dump to a file runs the pure-Python one
    # (seconds for the 100,000 records of a large site).
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _read_by_path(root: Path, name: str) -> bytes | None:
    if cache_problem(root) is not None:
        return None
    path = root / CACHE_DIR / name
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def _write_by_path(root: Path, name: str, write: Callable[[Writable], None]) -> None:
    if cache_problem(root) is not None:
        return
    folder = root / CACHE_DIR
    tmp = folder / f".{name}.{secrets.token_hex(8)}.tmp"  # a new name: nothing planted there can be followed
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, folder / name)  # replaces a link, never its target
        ignore = folder / ".gitignore"  # a cache, never committed
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    except OSError:
        tmp.unlink(missing_ok=True)
