"""Write the built site into a staging folder, then swap it in for output/ in one step.

A failed build removes its staging folder and leaves the previous output/ exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from sitegen.diagnostics import SitegenError


class OutputCollision(SitegenError):
    pass


SITE_MARKER = ".nojekyll"  # every site sitegen builds has it (GitHub Pages: serve the files as they are)


class UnsafeOutput(SitegenError):
    """The output folder would replace something that is not a built site."""


def check_output_folder(root: Path, output: Path) -> None:
    """Refuse an output folder whose replacement would lose work: the repository, its content, a foreign folder."""
    root, output = root.resolve(), output.resolve()
    if root == output or root.is_relative_to(output):
        raise UnsafeOutput(f"--output {output} holds the repository itself; the build replaces its output folder "
                           "entirely, so choose a folder of its own (default: output/)")
    for kept in ("content", "themes", ".git", ".github"):
        if output.is_relative_to(root / kept):
            raise UnsafeOutput(f"--output {output} is inside {kept}/; choose a folder of its own (default: output/)")
    if output.exists() and not output.is_dir():
        raise UnsafeOutput(f"{output} is a file, not a folder; choose a new or empty folder")
    if output.is_dir() and any(output.iterdir()) and not (output / SITE_MARKER).is_file():
        raise UnsafeOutput(f"{output} is not empty and is not a site built by sitegen (it has no {SITE_MARKER}); "
                           "the build would replace it: choose a new or empty folder")


class StagingFolder:
    """Writes files under one folder; worker processes each open their own on the same folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._dirs: set[str] = set()
        self.total_bytes = 0
        self.count = 0

    def stamp(self, paths: list[str]) -> str:
        """What these files are on disk (inode, size, modification time): a hand edit of one changes it."""
        return file_stamp([self.folder / path for path in paths])

    def link(self, previous: Path, paths: list[str], stamp: str) -> str | None:
        """Hard-link these files from a previous build (same bytes, no copy); returns their stamp now, or None
        if one is missing or is no longer the file that build wrote (its stamp differs)."""
        sources = [previous / path for path in paths]
        try:
            sizes = [source.stat().st_size for source in sources]
            if file_stamp(sources) != stamp:
                return None
        except OSError:
            return None
        copied = False
        for path, source, size in zip(paths, sources, sizes):
            parent = path.rpartition("/")[0]
            if parent not in self._dirs:
                (self.folder / parent).mkdir(parents=True, exist_ok=True)
                self._dirs.add(parent)
            try:
                os.link(source, self.folder / path)
            except OSError:  # a file system without hard links: copy instead
                shutil.copyfile(source, self.folder / path)
                copied = True
            self.total_bytes += size
            self.count += 1
        # A hard link is the same file (inode, size, mtime): only copies have a stamp of their own.
        return self.stamp(paths) if copied else stamp

    def write(self, path: str, data: bytes) -> None:
        parent = path.rpartition("/")[0]
        if parent not in self._dirs:
            (self.folder / parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        with open(self.folder / path, "wb") as handle:
            handle.write(data)
        self.total_bytes += len(data)
        self.count += 1


def file_stamp(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        info = path.stat()
        digest.update(f"{info.st_ino} {info.st_size} {info.st_mtime_ns}\n".encode("ascii"))
    return digest.hexdigest()[:32]


class OutputWriter:
    def __init__(self, output: Path):
        self.output = output.absolute()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        # A sibling of output/, so that the final swap is a rename on one file system.
        self.staging = Path(tempfile.mkdtemp(prefix=".sitegen-build-", dir=self.output.parent))
        self.files = StagingFolder(self.staging)
        self.sources: dict[str, str] = {}

    def add(self, path: str, data: bytes, source: str) -> None:
        """Write one file; two sources claiming one path is an error naming both."""
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts:
            raise OutputCollision(f"refusing to write outside the output folder: {path} (from {source})")
        if path in self.sources:
            raise OutputCollision(f"{source} and {self.sources[path]} both produce {path}")
        self.sources[path] = source
        self.files.write(path, data)

    def commit(self) -> None:
        """Replace output/ by the staging folder: rename the old one away, rename the new one in."""
        old = None
        if self.output.exists():
            old = Path(tempfile.mkdtemp(prefix=".sitegen-old-", dir=self.output.parent))
            os.replace(self.output, old / "output")
        os.replace(self.staging, self.output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> "OutputWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.staging.exists():
            self.discard()
