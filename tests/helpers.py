"""Small readers of a built site, shared by the tests."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import AnyStr

from sitegen.cli import main


def build(root: Path, capsys=None) -> int:
    return main(["build", "--root", str(root)])


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: tags with attributes, and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find_all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def edit(text: AnyStr, old: AnyStr, new: AnyStr, count: int | None = 1) -> AnyStr:
    """`text` with `old` replaced by `new`, for a variant of a fixture; fails loudly when `old` is not there
    exactly `count` times (count=None: at least once, every one), where str.replace would silently change nothing."""
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        expected = "at least once" if count is None else f"{count} time(s)"
        raise AssertionError(f"edit: {old!r} should be there {expected}, found {found} time(s) in:\n{text!r}")
    return text.replace(old, new)


def git(root: Path, *args: str) -> None:
    """Run git in the scratch repository `root`, as a user with a name and an email (commits need them)."""
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )
