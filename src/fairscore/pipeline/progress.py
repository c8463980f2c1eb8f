"""Progress of long loops in a job's log: "k of n <what> done, elapsed, ~remaining".

A loop wrapped in :func:`progress` (or counted by :class:`Progress`) logs one INFO line at
most every :data:`EVERY_S` seconds and one line when it ends; a loop that ends within
:data:`EVERY_S` seconds logs nothing. In a Snakemake job the lines go to the rule's log
(:func:`fairscore.pipeline.workflow.run` routes logging there), so ``tail -f`` on the log
tells how far along a job is (``docs/progress.md``). Logging reads a clock once per item
and changes no result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["EVERY_S", "Progress", "format_seconds", "progress"]

#: seconds between two progress lines of one loop
EVERY_S = 30.0

_T = TypeVar("_T")


def format_seconds(seconds: float) -> str:
    """'42 s', '3 min 05 s', '2 h 07 min'."""
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Counts the done items of a loop of ``total`` items and logs how far along it is.

    ``what`` names the items ("German GBC splits"); ``log`` is the logger (default this
    module's); ``clock`` a monotonic time in seconds (injectable for tests).
    """

    def __init__(self, total: int, what: str, *, log: logging.Logger | None = None, every_s: float = EVERY_S,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.what, self.every_s, self.clock = int(total), what, every_s, clock
        self.log = log or logging.getLogger(__name__)
        self.done = 0
        self.start = self.last = clock()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done; log a line when ``every_s`` passed since the last one."""
        self.done += count
        now = self.clock()
        if now - self.last >= self.every_s and self.done < self.total:
            elapsed = now - self.start
            remaining = elapsed / self.done * (self.total - self.done)
            self.log.info("%s: %d of %d done, %s elapsed, ~%s remaining", self.what, self.done, self.total,
                          format_seconds(elapsed), format_seconds(remaining))
            self.last = now

    def finish(self) -> None:
        """Log the end of a loop that ran for ``every_s`` or longer."""
        elapsed = self.clock() - self.start
        if elapsed >= self.every_s:
            self.log.info("%s: %d of %d done in %s", self.what, self.done, self.total, format_seconds(elapsed))


def progress(items: Iterable[_T], what: str, *, total: int | None = None, log: logging.Logger | None = None,
             every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic) -> Iterator[_T]:
    """Yield ``items`` and count each one done when the loop body asks for the next (:class:`Progress`).

    ``total`` defaults to ``len(items)``.
    """
    tracker = Progress(len(items) if total is None else total, what, log=log, every_s=every_s, clock=clock)
    for item in items:
        yield item
        tracker.advance()
    tracker.finish()
