"""Progress of long work (a build, verifying a folder, a spreadsheet of awards), reported by the library to
whoever listens: the CLI draws a bar on a terminal and prints plain lines in CI logs. The library never prints."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None:
        """A stage begins: `stage` is a short English phrase (the listener translates it), `total` its steps."""

    def advance(self, done: int = 1) -> None:
        """`done` more steps of the current stage are finished."""

    def finish(self) -> None:
        """The current stage is over."""


class NoProgress:
    """The listener when nobody listens (the library's default)."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


NO_PROGRESS = NoProgress()
