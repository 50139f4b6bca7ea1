"""What the CLI shows of long work (the library reports it through sitegen/progress.py): a bar on an
interactive terminal, plain lines now and then in a log (CI), nothing for work of under a couple of seconds
(no flicker on small sites), nothing with --quiet. Always on stderr: stdout is for what a command outputs
(--json, --print-urls).

The bar is tqdm's (well kept, no dependencies, draws on Windows consoles too, waits before showing itself);
the log lines are plain text, since a bar's carriage returns make a CI log unreadable.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

from sitegen.messages import _
from sitegen.progress import NO_PROGRESS, Progress

SHOW_AFTER = 2.0  # seconds: a stage that ends sooner shows nothing
LOG_EVERY = 15.0  # seconds, and
LOG_SHARE = 0.1  # a tenth of the stage, at least between two lines of a log
# Tests lower the thresholds through the environment, to see a small site's progress.
SHOW_AFTER_VARIABLE = "SITEGEN_PROGRESS_AFTER"
LOG_EVERY_VARIABLE = "SITEGEN_PROGRESS_EVERY"


@contextmanager
def progress_display(
    quiet: bool = False, stream: TextIO | None = None, environ: Mapping[str, str] = os.environ
) -> Iterator[Progress]:
    """The listener for a command's progress, closed (a bar ended, its line done) when the block ends."""
    if quiet:
        yield NO_PROGRESS
        return
    stream = stream or sys.stderr
    show_after = _seconds(environ, SHOW_AFTER_VARIABLE, SHOW_AFTER)
    display: ProgressBar | ProgressLines
    if _interactive(stream):
        display = ProgressBar(stream, show_after)
    else:
        display = ProgressLines(stream, show_after, _seconds(environ, LOG_EVERY_VARIABLE, LOG_EVERY))
    try:
        yield display
    finally:
        display.finish()


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    try:
        return max(0.0, float(environ.get(name, default)))
    except ValueError:
        return default


def _interactive(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


UNKNOWN_SIZE = (80, 24)  # columns and lines, as shutil.get_terminal_size assumes too


def _size_known(stream: TextIO) -> bool:
    """Whether the terminal tells its size: one made without a size (`script` run without a terminal, some
    containers) says 0 columns and 0 lines."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return True  # not ours to find out: tqdm asks the environment (COLUMNS, LINES)
    return size.columns > 0 and size.lines > 0


class _Bar(tqdm):
    # tqdm's monitor thread would be running when a build forks its worker processes.
    monitor_interval = 0


class ProgressBar:
    """A bar per stage on a terminal: stage, percentage, done/total, time spent and left, rate."""

    def __init__(self, stream: TextIO, show_after: float):
        self._stream = stream
        self._show_after = show_after
        self._bar: _Bar | None = None

    def start(self, stage: str, total: int) -> None:
        self.finish()
        columns, lines = (None, None) if _size_known(self._stream) else UNKNOWN_SIZE  # else tqdm draws nothing
        self._bar = _Bar(
            total=total,
            desc=_(stage),
            file=self._stream,
            delay=self._show_after,
            # English: tqdm's own layout. The placeholders are tqdm's: a translation keeps them all.
            bar_format=_("{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"),
            unit="",
            mininterval=0.2,
            ncols=columns,
            nrows=lines,
        )

    def advance(self, done: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()  # a bar that was never shown leaves nothing behind
            self._bar = None


class ProgressLines:
    """Plain lines for a log: the first once a stage has run `show_after` seconds, then one whenever both
    `every` seconds and a tenth of the stage have passed since the last, and a last one when it ends."""

    def __init__(self, stream: TextIO, show_after: float, every: float, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._show_after = show_after
        self._every = every
        self._clock = clock
        self._stage: str | None = None
        self._total = self._done = self._done_at_line = 0
        self._started = 0.0
        self._line_at: float | None = None  # when the last line was printed; None: none yet in this stage

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self._stage, self._total, self._done, self._done_at_line = stage, total, 0, 0
        self._started, self._line_at = self._clock(), None

    def advance(self, done: int = 1) -> None:
        if self._stage is None:
            return
        self._done += done
        now = self._clock()
        if now - self._started < self._show_after or self._done >= self._total:
            return  # too early to say anything; or finished, which finish() says
        if self._line_at is not None and (
            now - self._line_at < self._every or self._done - self._done_at_line < self._total * LOG_SHARE
        ):
            return
        self._line_at, self._done_at_line = now, self._done
        elapsed = now - self._started
        rate = self._done / elapsed if elapsed > 0 else 0.0
        line = _("{stage}: {done} of {total} ({percent}), {rate}/s").format(
            stage=_(self._stage),
            done=f"{self._done:,}",
            total=f"{self._total:,}",
            percent=f"{self._done / self._total:.0%}",
            rate=f"{rate:,.0f}",
        )
        if rate > 0:
            left = duration((self._total - self._done) / rate)
            line += _(", about {duration} left").format(duration=left)
        self._print(line)

    def finish(self) -> None:
        if self._stage is not None and self._clock() - self._started >= self._show_after:
            self._print(
                _("{stage}: {done} of {total} done in {duration}").format(
                    stage=_(self._stage),
                    done=f"{self._done:,}",
                    total=f"{self._total:,}",
                    duration=duration(self._clock() - self._started),
                )
            )
        self._stage = None

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)


def duration(seconds: float) -> str:
    """A time span in words: 42 s, 3 min 5 s."""
    seconds = round(seconds)
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    return _("{minutes} min {seconds} s").format(minutes=seconds // 60, seconds=seconds % 60)
