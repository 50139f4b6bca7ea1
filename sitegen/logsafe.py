"""Printed text that a CI log cannot read as a command.

GitHub Actions reads every line a step prints (stdout and stderr) for workflow commands: a line that starts
with `::` once leading whitespace is trimmed (`::warning::…`, `::add-mask::…`, `::stop-commands::…`), and the
legacy form `##[command]` anywhere in a line. The runner splits lines at \\n, \\r and \\r\\n. Content values end
up in what sitegen prints (a badge name in an error message, a problem in the check's plan): a pull request
could then annotate the run, mask or stop the log, or write outputs of the step. Every line is made inert here,
visibly: a backslash goes before the `::` or the `[`. In the Markdown of a job summary `\\:` and `\\[` show as
`:` and `[`, so the summary still reads as written. Azure Pipelines' `##vso[` is broken the same way.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from contextlib import contextmanager

# What the runner counts as a line break (its reader splits at \r, \n and \r\n).
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
# The legacy form is found anywhere in a line; `##vso[` is Azure Pipelines' logging command.
_LEGACY = re.compile(r"##(vso)?\[")


def _blank(char: str) -> bool:
    """What .NET's TrimStart() removes, and more: whitespace, control and invisible format characters."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def neutralise_line(line: str) -> str:
    """One line (no line break in it) that no CI runner reads as a command."""
    line = _LEGACY.sub(lambda m: m.group(0)[:-1] + "\\[", line)
    start = 0
    while start < len(line) and _blank(line[start]):
        start += 1
    if line.startswith("::", start):
        line = line[:start] + "\\" + line[start:]
    return line


def neutralise(text: str) -> str:
    """Text whose every line, as the runner splits it, is inert; the line breaks are kept as they are."""
    parts = _LINE_BREAK.split(text)
    # split() with a group alternates: line, break, line, break, …, line
    return "".join(part if index % 2 else neutralise_line(part) for index, part in enumerate(parts))


class GuardedStream:
    """A text stream that neutralises every line written through it. It holds back a line until its end
    (print writes the text and the newline separately) or until flush()."""

    def __init__(self, stream):
        self._stream = stream
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        breaks = list(_LINE_BREAK.finditer(self._partial))
        match = breaks[-1] if breaks else None  # the last line break: what lies before it is complete
        if match is not None:
            end = match.end()
            if self._partial.endswith("\r"):  # a \r\n may be split over two writes: wait for the next one
                end = match.start() if match.group(0) == "\r" else end
            complete, self._partial = self._partial[:end], self._partial[end:]
            if complete:
                self._stream.write(neutralise(complete))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._stream.write(neutralise(self._partial))
            self._partial = ""
        self._stream.flush()

    def __getattr__(self, name):  # fileno, isatty, encoding, buffer…: those of the real stream
        return getattr(self._stream, name)


@contextmanager
def guarded_output():
    """Within the block, everything printed to stdout and stderr is neutralised line by line."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = GuardedStream(saved[0]), GuardedStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed or broken pipe: nothing more can be written anyway
                pass
        sys.stdout, sys.stderr = saved
