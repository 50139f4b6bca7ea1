"""Write README.md's "Diagnostic codes" table from the registry (sitegen.diagnostics.CODES).

Run by hand after adding a code: `python tools/codes_table.py` rewrites the section in place;
`--check` only says whether it is current (tests/test_diagnostics.py does the same).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from sitegen.diagnostics import CODES

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "## Diagnostic codes"
INTRO = (
    "Every problem sitegen reports has a stable code: `--json` output carries it beside the message, path, "
    "line and column, so a script or a search can find a kind of problem without matching its wording. "
    "The codes never change meaning; a new kind of problem gets a new code. "
    "This table is generated from `sitegen/diagnostics.py` (`python tools/codes_table.py`)."
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def section() -> str:
    """The whole section, heading to the blank line before the next heading."""
    rows = [
        f"| `{code}` | {info.severity} | {_cell(info.commands)} | {_cell(info.description)} |"
        for code, info in sorted(CODES.items())
    ]
    table = ["| Code | Severity | Reported by | What it means |", "|---|---|---|---|", *rows]
    return "\n".join([HEADING, "", textwrap.fill(INTRO, 115), "", *table, ""]) + "\n"


def current_section(readme: str) -> str | None:
    """The section as README.md has it now, or None when it has none."""
    start = readme.find(f"\n{HEADING}\n")
    if start < 0:
        return None
    end = readme.find("\n## ", start + 1)
    return readme[start + 1 : end + 1 if end >= 0 else len(readme)]


def updated(readme: str) -> str:
    """README text with the section replaced, or inserted before the Security section."""
    old = current_section(readme)
    if old is not None:
        return readme.replace(old, section(), 1)
    anchor = readme.index("\n## Security")
    return readme[: anchor + 1] + section() + readme[anchor + 1 :]


def main(argv: list[str]) -> int:
    readme = README.read_text(encoding="utf-8")
    if "--check" in argv:
        current = current_section(readme) == section()
        print("README.md's table of codes is current" if current else "README.md's table of codes is out of date")
        return 0 if current else 1
    README.write_text(updated(readme), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
