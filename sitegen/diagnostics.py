"""Problems found in the content, each tied to a file and line, collected rather than raised one by one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # relative to the project root, POSIX separators
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    level: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


class SitegenError(Exception):
    """Base class of every error the library raises on purpose (the CLI shows these without a traceback)."""


class BuildError(SitegenError):
    """The content has problems; `diagnostics` lists all of them, sorted by file and line."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.level == "error"]
        super().__init__(f"{len(errors)} error(s) in the content")


class Collector:
    """Gathers diagnostics from every stage so that one run reports every problem."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, message, "error"))

    def warning(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, message, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.level == "warning")
