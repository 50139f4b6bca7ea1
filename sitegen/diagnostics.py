"""The one kind of problem report: content errors, verify findings, check plan problems and build notes.

Every `Diagnostic` has a severity, a stable code (documented in the README's table of codes, so a user can
search for one), a message, and where it is: a file with line and column when known, or a URL. The library
collects them and raises `BuildError` (or returns them); only the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a path relative to the project root (POSIX separators) or a URL, with a 1-based line
    and column when known (0 when the problem concerns the whole file)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}" if self.column else f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    # Field order is sort order: by file, line, then message, as every run has always listed them.
    location: Location
    message: str
    severity: Severity = "error"
    code: str = ""  # stable, dotted: "content.yaml-syntax", "verify.signature", ... (README: "Diagnostic codes")

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def level(self) -> str:  # the name before `severity`; kept while callers move over
        return self.severity

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def to_dict(self) -> dict:
        """What `--json` prints: a flat object with every field."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
        }


class SitegenError(Exception):
    """Base class of every error the library raises on purpose (the CLI shows these without a traceback)."""


class BuildError(SitegenError):
    """The content has problems; `diagnostics` lists all of them, sorted by file and line."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the content")


class Collector:
    """Gathers diagnostics from every stage so that one run reports every problem."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, path: str, line: int, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(Location(path, line), message, "error", code))

    def warning(self, path: str, line: int, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(Location(path, line), message, "warning", code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity == "warning")
