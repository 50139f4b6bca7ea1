"""The README's generated parts: text kept between a begin and an end marker, rewritten by a tool of tools/."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def replace_between(readme: str, begin: str, end: str, body: str) -> str:
    """The README text with what stands between `begin` and `end` replaced by `body`."""
    head, found, rest = readme.partition(begin)
    _, found_end, tail = rest.partition(end)
    if not (found and found_end):
        raise SystemExit(f"README.md has no generated part between {begin.strip()} and {end.strip()}")
    return head + begin + body + end + tail


def write_or_check(argv: list[str], *, begin: str, end: str, body: str, stale: str) -> int:
    """Rewrite README.md's part between the markers; with --check only say (`stale`, exit 1) if it differs."""
    current = README.read_text(encoding="utf-8")
    wanted = replace_between(current, begin, end, body)
    if "--check" in argv:
        if current != wanted:
            print(stale)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0
