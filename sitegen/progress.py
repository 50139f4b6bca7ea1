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


def listening(progress: Progress) -> bool:
    """Whether anyone listens: work may then be cut into smaller steps to report, which costs nothing otherwise."""
    return not isinstance(progress, NoProgress)


def N_(message: str) -> str:
    """Marks a stage name for the message catalogue (pybabel extract); the listener translates it when shown."""
    return message


# The stages the library reports. A stage named elsewhere is marked with N_ there, so that it gets its Japanese.
AWARD_FILES = N_("Writing award pages")
AWARD_FILES_SIGNED = N_("Signing credentials and writing award pages")
VERIFY_SITE = N_("Verifying the site's documents")
