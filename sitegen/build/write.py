"""Write the built site into a staging folder, then swap it in for output/ in one step.

A failed build removes its staging folder and leaves the previous output/ exactly as it was; a build killed at
any moment leaves either the complete old output/ or the complete new one, and the next build clears what the
killed one left behind. Where output/ cannot be renamed (Windows, while a program holds a file in it open), its
files are replaced one by one instead: not atomic, but every file is whole and the next build completes the site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import filecmp
import hashlib
import multiprocessing
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

from sitegen.diagnostics import SitegenError
from sitegen.messages import _


class OutputCollision(SitegenError):
    pass


# GitHub Pages publishes sites of at most 1 GB: site.yaml's size_limit by default.
PAGES_SIZE_LIMIT = 1_000_000_000


def limit_words(limit: int) -> str:
    """The size limit, named: GitHub Pages' unless site.yaml (or --size-limit) set another."""
    if limit == PAGES_SIZE_LIMIT:
        return _("the {limit} MB GitHub Pages limit").format(limit=f"{limit / 1e6:,.0f}")
    return _("the size limit of {limit} MB").format(limit=f"{limit / 1e6:,.0f}")


class SiteTooLarge(SitegenError):
    """The files written so far are over the size limit: the build stops before the disk fills."""

    def __init__(self, written: int, limit: int):
        super().__init__(written, limit)
        self.written, self.limit = written, limit

    def __str__(self) -> str:
        return _("the site is over {limit} (the build stopped when it had written {written} MB)").format(
            limit=limit_words(self.limit), written=f"{self.written / 1e6:,.1f}"
        )


class SizeBudget:
    """The bytes every process of one build has written, checked at each write: a site over the limit, or a
    theme that writes without end, stops the build there instead of after it has filled the disk."""

    def __init__(self, limit: int):
        self.limit = limit
        self._written = multiprocessing.Value("q", 0)  # shared memory: forked workers add to the same count

    def take(self, size: int) -> None:
        with self._written.get_lock():
            self._written.value += size
            written = self._written.value
        if written > self.limit:
            raise SiteTooLarge(written, self.limit)

    @property
    def written(self) -> int:
        return self._written.value


SITE_MARKER = ".nojekyll"  # every site sitegen builds has it (GitHub Pages: serve the files as they are)


class UnsafeOutput(SitegenError):
    """The output folder would replace something that is not a built site."""


def check_output_folder(root: Path, output: Path) -> None:
    """Refuse an output folder whose replacement would lose work: the repository, its content, a foreign folder."""
    root, output = root.resolve(), output.resolve()
    if root == output or root.is_relative_to(output):
        raise UnsafeOutput(
            _(
                "--output {output} holds the repository itself; the build replaces its output folder "
                "entirely, so choose a folder of its own (default: output/)"
            ).format(output=output)
        )
    for kept in ("content", "themes", ".git", ".github"):
        if output.is_relative_to(root / kept):
            raise UnsafeOutput(
                _("--output {output} is inside {folder}/; choose a folder of its own (default: output/)").format(
                    output=output, folder=kept
                )
            )
    if output.exists() and not output.is_dir():
        raise UnsafeOutput(_("{output} is a file, not a folder; choose a new or empty folder").format(output=output))
    if output.is_dir() and any(output.iterdir()) and not (output / SITE_MARKER).is_file():
        raise UnsafeOutput(
            _(
                "{output} is not empty and is not a site built by sitegen (it has no {marker}); "
                "the build would replace it: choose a new or empty folder"
            ).format(output=output, marker=SITE_MARKER)
        )


class StagingFolder:
    """Writes files under one folder; worker processes each open their own on the same folder."""

    def __init__(self, folder: Path, budget: SizeBudget | None = None, helper: FileHelper | None = None):
        self.folder = folder
        self.budget = budget
        self.helper = helper  # makes the links of link(), when given (then links_made() waits for them)
        self._dirs: set[str] = set()
        self.total_bytes = 0
        self.count = 0

    def stamp(self, paths: list[str]) -> str:
        """What these files are on disk (inode, size, modification time): a hand edit of one changes it."""
        return file_stamp([f"{self.folder}/{path}" for path in paths])

    def link(self, previous: Path, paths: list[str], stamp: str) -> str | None:
        """Hard-link these files from a previous build (same bytes, no copy); returns their stamp now, or None
        if one is missing or is no longer the file that build wrote (its stamp differs)."""
        # Plain strings and one lstat per file: this runs for every award of a rebuild.
        sources = [f"{previous}/{path}" for path in paths]
        try:
            infos = [os.lstat(source) for source in sources]
        except OSError:
            return None
        if not all(stat.S_ISREG(info.st_mode) for info in infos):
            return None  # a link (or anything but a file) in the old output is never published through
        if _stamp_of(infos) != stamp:
            return None
        if self.budget is not None:
            self.budget.take(sum(info.st_size for info in infos))
        targets = []
        for path, info in zip(paths, infos, strict=True):
            targets.append(f"{self.folder}/{path}")
            parent = path.rpartition("/")[0]
            if parent not in self._dirs:
                os.makedirs(f"{self.folder}/{parent}", exist_ok=True)
                self._dirs.add(parent)
            self.total_bytes += info.st_size
            self.count += 1
        if self.helper is not None:
            self.helper.link(paths, sources, targets)
            return stamp
        # A hard link is the same file (inode, size, mtime): only copies have a stamp of their own.
        return self.stamp(paths) if _link_all(sources, targets) else stamp

    def links_made(self) -> list[list[str]]:
        """Wait for the helper's links; the paths of link() calls whose files it copied instead (their stamps
        differ from the previous build's)."""
        return self.helper.links_made() if self.helper is not None else []

    def write(self, path: str, data: bytes) -> None:
        if self.budget is not None:
            self.budget.take(len(data))
        parent = path.rpartition("/")[0]
        if parent not in self._dirs:
            os.makedirs(f"{self.folder}/{parent}", exist_ok=True)
            self._dirs.add(parent)
        with open(f"{self.folder}/{path}", "wb") as handle:
            handle.write(data)
        self.total_bytes += len(data)
        self.count += 1


def _link_all(sources: list[str], targets: list[str]) -> bool:
    """Hard-link each source to its target; True if any was copied instead (a file system without hard links)."""
    copied = False
    for source, target in zip(sources, targets, strict=True):
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copyfile(source, target)
            copied = True
    return copied


class HelperFailed(SitegenError):
    """The helper process could not make a link, or stopped."""


class FileHelper:
    """A second process for the system calls of a rebuild: it hard-links the files reused from the previous output
    while this process decides which files to reuse (at 100,000 awards, 300,000 links: system calls with no Python
    work in them), and removes the previous output after the swap while this process saves the caches. It is a new
    interpreter, not a fork of this one, so it holds none of the site's model. Where it cannot be started, this
    process makes the same calls itself."""

    BATCH = 200  # link() calls sent at once

    def __init__(self) -> None:
        self._waiting: list[tuple[list[str], list[str], list[str]]] = []
        self._copied: list[list[str]] = []  # made here when there is no helper
        try:
            self._process: subprocess.Popen | None = subprocess.Popen(
                _helper_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError:
            self._process = None

    def link(self, paths: list[str], sources: list[str], targets: list[str]) -> None:
        if self._process is None:
            if _link_all(sources, targets):
                self._copied.append(paths)
            return
        self._waiting.append((paths, sources, targets))
        if len(self._waiting) >= self.BATCH:
            self._send(("link", self._waiting))
            self._waiting = []

    def links_made(self) -> list[list[str]]:
        """Wait for every link asked for; the paths of the link() calls whose files were copied instead."""
        if self._process is None:
            copied, self._copied = self._copied, []
            return copied
        if self._waiting:
            self._send(("link", self._waiting))
            self._waiting = []
        self._send(("report",))
        try:
            copied, problem = pickle.load(self._process.stdout)  # type: ignore[arg-type]
        except (EOFError, OSError, pickle.UnpicklingError):
            raise HelperFailed(_("the helper process of the build stopped")) from None
        if problem is not None:
            raise HelperFailed(
                _("could not link or copy a file of the previous output: {problem}").format(problem=problem)
            )
        return copied

    def remove(self, paths: list[Path]) -> None:
        """Remove these folders or files (see _remove) in the helper, without waiting."""
        if self._process is None:
            for path in paths:
                _remove(path)
        else:
            self._send(("remove", [str(path) for path in paths]))

    def close(self) -> None:
        """Wait for what was asked of the helper, then end it."""
        if self._process is not None:
            self._send(None)
            self._process.wait()
            self._end()

    def stop(self) -> None:
        """End the helper now, whatever it is doing (a failed build)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._end()

    def _end(self) -> None:
        assert self._process is not None
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._process = None

    def _send(self, message) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            pickle.dump(message, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            if message is None or message[0] != "link":
                self._process.stdin.flush()
        except OSError:
            raise HelperFailed(_("the helper process of the build stopped")) from None


def _helper_command() -> list[str]:
    """This interpreter, isolated (-I), importing this sitegen and what it imports from this process's own path,
    without the current folder: a build runs in the repository, and a pull request's `sitegen/` folder there must
    not be the code the helper runs (the deploy job's environment holds the signing key)."""
    here = os.path.realpath(os.getcwd())
    package_home = str(Path(__file__).resolve().parents[2])
    path = [package_home] + [entry for entry in sys.path if entry and os.path.realpath(entry) != here]
    code = f"import sys; sys.path[:] = {path!r}; from sitegen.build.write import serve_helper; serve_helper()"
    return [sys.executable, "-I", "-c", code]


def serve_helper() -> None:
    """The helper process (FileHelper): it reads the build's requests, pickles, from its standard input."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    copied: list[list[str]] = []
    problem: str | None = None
    while True:
        try:
            message = pickle.load(requests)
        except EOFError:  # the build ended without saying so (it was killed): nothing more to do
            return
        if message is None:
            return
        if message[0] == "link" and problem is None:
            for paths, sources, targets in message[1]:
                try:
                    if _link_all(sources, targets):
                        copied.append(paths)
                except OSError as exc:
                    problem = f"{exc.filename}: {exc.strerror}"
                    break
        elif message[0] == "report":
            pickle.dump((copied, problem), answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()
            copied = []
        elif message[0] == "remove":
            for path in message[1]:
                _remove(Path(path))


def file_stamp(files: list[Path] | list[str]) -> str:
    return _stamp_of([os.lstat(path) for path in files])


def _stamp_of(infos: list[os.stat_result]) -> str:
    digest = hashlib.sha256()
    for info in infos:
        digest.update(f"{info.st_ino} {info.st_size} {info.st_mtime_ns}\n".encode("ascii"))
    return digest.hexdigest()[:32]


STAGING_PREFIX = ".sitegen-build-"  # a build's new site, until it becomes output/
OLD_PREFIX = ".sitegen-old-"  # the previous output/, between the swap and its removal


class OutputWriter:
    def __init__(self, output: Path, size_limit: int | None = None):
        self.output = output.absolute()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(self.output)
        # A sibling of output/, so that the final swap is a rename on one file system. Its name holds the
        # process id, so that a later build can tell a killed build's folder from a running one's.
        self.staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.output.parent))
        self.budget = SizeBudget(size_limit) if size_limit is not None else None
        self.files = StagingFolder(self.staging, self.budget)
        # A rebuild links the previous output's files and removes the previous output: a helper makes those calls.
        self.helper = FileHelper() if self.output.is_dir() else None
        self._removed_here: Path | None = None  # a folder of the previous output this process removes (commit)
        self.sources: dict[str, str] = {}
        self.folded: dict[str, str] = {}  # each path in lower case (casefold) → the path

    def add(self, path: str, data: bytes, source: str) -> None:
        """Write one file; two sources claiming one path is an error naming both."""
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts:
            raise OutputCollision(
                _("refusing to write outside the output folder: {path} (from {source})").format(
                    path=path, source=source
                )
            )
        if path in self.sources:
            raise OutputCollision(
                _("{source} and {other} both produce {path}").format(source=source, other=self.sources[path], path=path)
            )
        # Windows and macOS see one file where two names differ only in case (a theme's Logo.png and logo.png).
        same_name = self.folded.setdefault(path.casefold(), path)
        if same_name != path:
            raise OutputCollision(
                _(
                    "{source} and {other} produce {path} and {same_name}, whose names differ only in case: on "
                    "Windows and macOS they are one file; rename one of them"
                ).format(source=source, other=self.sources[same_name], path=path, same_name=same_name)
            )
        self.sources[path] = source
        self.files.write(path, data)

    def commit(self) -> None:
        """Replace output/ by the staging folder in one step: where the system can exchange two folders
        atomically (Linux, macOS), output/ is at every moment either the complete old site or the complete
        new one. Elsewhere the old folder is renamed away first, and a build killed between the two renames is
        repaired by the next one (`clear_leftovers` puts the old site back). Where output/ cannot be renamed at
        all (Windows, while a program holds a file in it open or has it as its working folder), its contents
        are replaced one entry at a time instead (`replace_contents`)."""
        if not self.output.exists():
            _rename(self.staging, self.output)
            return
        if exchange_folders(self.staging, self.output):
            # Now the old output/ (a folder, or a link that stood in its place), removed before the build returns.
            if self.helper is not None and not self.staging.is_symlink():
                self._share_removal(self.staging)
            else:
                _remove(self.staging)
            return
        old = Path(tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{os.getpid()}-", dir=self.output.parent))
        try:
            _rename(self.output, old / "output")
        except PermissionError:  # Windows' answer while something in the folder is open
            _remove(old)
            replace_contents(self.staging, self.output)
            _remove(self.staging)
            return
        try:
            _rename(self.staging, self.output)
        except PermissionError:  # e.g. a virus scanner still reading the new files: put the old site back, fill it in
            os.replace(old / "output", self.output)
            _remove(old)
            replace_contents(self.staging, self.output)
            _remove(self.staging)
            return
        shutil.rmtree(old, ignore_errors=True)

    def _share_removal(self, old: Path) -> None:
        """The helper removes the previous output but one of its largest folders, which this process removes when
        the build's own work is done (__exit__): two folders, two processes, and no folder's lock shared between
        them (a rebuild of 100,000 awards removes 300,000 entries). The size of a folder's own file stands for how
        many entries it holds (so it is on ext4; elsewhere any folder is as good)."""
        entries = list(os.scandir(old))
        folders = [entry for entry in entries if entry.is_dir(follow_symlinks=False)]
        folders.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_size, reverse=True)
        mine = folders[1] if len(folders) > 1 else None
        self._removed_here = Path(mine.path) if mine is not None else None
        assert self.helper is not None
        self.helper.remove([Path(entry.path) for entry in entries if entry is not mine])

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.helper is not None:
            if exc_type is None:
                if self._removed_here is not None:
                    _remove(self._removed_here)
                self.helper.close()  # waits until the rest of the previous output is removed
            else:
                self.helper.stop()  # no link into the staging folder removed now, nor after
        if self.staging.exists():
            self.discard()


class OutputInUse(SitegenError):
    """Files of output/ that another program holds open could not be replaced."""

    def __init__(self, output: Path, paths: list[str]):
        super().__init__(output, paths)
        self.output, self.paths = output, paths

    def __str__(self) -> str:
        return _(
            "{count} file(s) in {output} are in use by another program and were not replaced (e.g. {path}): "
            "close the program that has them open, then build again"
        ).format(count=len(self.paths), output=self.output, path=self.paths[0])


RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)  # seconds: a virus scanner or indexer holds a new file briefly


def _rename(source: Path, target: Path, delays: tuple[float, ...] = RETRY_DELAYS) -> None:
    """os.replace, tried again for a moment where the system refuses it (Windows: the file is open)."""
    for delay in delays:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            time.sleep(delay)
    os.replace(source, target)


def replace_contents(new: Path, target: Path) -> None:
    """Make the folder `target` hold exactly what `new` holds, moving one file at a time: the swap where a folder
    cannot be renamed. Files both hold already (hard links of a rebuild) are left alone, so a program that has one
    open is in the way only of a file that changed. Not atomic: a build killed meanwhile leaves some files of
    each site, and the next build replaces the rest."""
    wanted: set[PurePosixPath] = set()
    for folder, dirs, files in os.walk(new):
        here = PurePosixPath(Path(folder).relative_to(new).as_posix())
        wanted.update(here / name for name in [*dirs, *files])
    in_use: list[Path] = []
    for folder, dirs, files in os.walk(new):
        counterpart = target / Path(folder).relative_to(new)
        for name in dirs:
            made = counterpart / name
            if made.is_symlink() or not made.is_dir():
                _remove(made)
                made.mkdir()
        for name in files:
            source, destination = Path(folder) / name, counterpart / name
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            elif _same_file(source, destination):
                continue
            try:
                _rename(source, destination, () if in_use else RETRY_DELAYS)  # one wait, not one per file
            except PermissionError:
                if not _same_bytes(source, destination):  # a page rendered again, unchanged, may stay
                    in_use.append(destination)
    for folder, dirs, files in os.walk(target, topdown=False):
        here = PurePosixPath(Path(folder).relative_to(target).as_posix())
        for name in [*files, *dirs]:
            if here / name not in wanted:
                try:
                    _remove(Path(folder) / name, strict=True)
                except PermissionError:
                    in_use.append(Path(folder) / name)
    if in_use:
        raise OutputInUse(target, sorted(path.relative_to(target).as_posix() for path in in_use))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def clear_leftovers(output: Path) -> None:
    """Remove what killed builds left beside `output` (their staging folders, a previous site renamed away);
    put the previous site back if a build was killed between the two renames of a swap. A folder of a build
    still running (its process is alive) is left alone."""
    parent = output.parent
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith((STAGING_PREFIX, OLD_PREFIX)) or _build_running(entry):
            continue
        kept = Path(entry.path) / "output"
        if (
            entry.name.startswith(OLD_PREFIX)
            and entry.is_dir(follow_symlinks=False)
            and kept.is_dir()
            and not output.exists()
        ):
            os.replace(kept, output)
        _remove(Path(entry.path))


def _remove(path: Path, strict: bool = False) -> None:
    """Remove a folder, or a link or file in its place (never what a link points at); `strict`: a file that
    cannot be removed is an error (PermissionError where a program holds it open)."""
    if path.is_symlink() or not path.is_dir():
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            if strict:
                raise
    else:
        shutil.rmtree(path, ignore_errors=not strict)


STALE_AFTER = 24 * 3600  # where a process cannot be asked whether it lives: a day-old build is not running


def _build_running(entry: os.DirEntry) -> bool:
    """Whether the build that made this folder may still be running."""
    pid_text = entry.name.split("-")[2] if entry.name.count("-") >= 3 else ""
    if not pid_text.isdigit():  # made by an older sitegen, which wrote no process id
        return _younger_than(entry, STALE_AFTER)
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would stop the process there
        return _younger_than(entry, STALE_AFTER)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _younger_than(entry: os.DirEntry, seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime < seconds
    except OSError:
        return False


_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h, renamex_np


def exchange_folders(a: Path, b: Path) -> bool:
    """Swap two folders in one system call; False where the system or the file system cannot."""
    if not sys.platform.startswith("linux") and sys.platform != "darwin":
        return False  # Windows has no C library to load by name (ctypes.CDLL(None) fails there)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_cwd = -100  # AT_FDCWD: the paths are absolute anyway
        result = libc.renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):  # e.g. a file system without it
        return False
    raise OSError(code, os.strerror(code), str(b))
