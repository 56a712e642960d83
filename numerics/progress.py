"""Progress bars for long simulations, drawn with rich (:mod:`rich.progress`).

>>> from adamlab.numerics.progress import Progress
>>> with Progress(1000, enabled=False) as bar:   # silent: nothing is written
...     for _ in range(10):
...         bar.update(100)

``enabled=None`` (the default everywhere in :mod:`adamlab.numerics`) means
"only when the stream is a terminal": a bar is drawn on ``sys.stderr`` when it
is a TTY and never into a log file, a pipe or a notebook cell's captured
output.  Redraws are rate limited (at most ten per second by default) and made
by the caller's thread (no refresh thread), so calling :meth:`Progress.update`
every step costs a clock read, not a write.
"""
from __future__ import annotations

import sys
import time
from typing import IO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.progress import Progress as _Bars


def is_terminal(stream) -> bool:
    """True when ``stream`` reports itself as an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """A bar ``desc ━━━━━━╸━━━━━  42% 420/1000 0:00:01 0:00:02`` (elapsed, remaining).

    ``total`` is the number of units (steps); ``enabled`` forces the bar on
    (True) or off (False), or (None) draws it only when ``stream`` is a
    terminal.  ``min_interval`` is the least time in seconds between redraws.
    """

    def __init__(self, total: int, *, desc: str = "", enabled: bool | None = None,
                 stream: IO[str] | None = None, min_interval: float = 0.1):
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError(f"Progress: total must be an int >= 0; got {total!r}")
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"Progress: enabled must be True, False or None; got {enabled!r}")
        self.stream = sys.stderr if stream is None else stream
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.total, self.desc = total, desc
        self.min_interval = float(min_interval)
        self.n = 0
        self._last = -float("inf")
        self._bars = None
        if self.enabled:
            console = Console(file=self.stream, force_terminal=is_terminal(self.stream),
                              highlight=False)
            self._bars = _Bars(TextColumn("{task.description}"), BarColumn(),
                               TaskProgressColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                               TimeRemainingColumn(), console=console, auto_refresh=False)
            self._task = self._bars.add_task(desc, total=total or None)
            try:
                self._bars.start()
            except (OSError, ValueError):  # closed stream: stop drawing, never fail a run
                self._stop()

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` units, redrawing if enough time has passed."""
        self.n = min(self.total, self.n + n) if self.total else self.n + n
        if self._bars is None:
            return
        now = time.perf_counter()
        if now - self._last >= self.min_interval or self.n >= self.total:
            self._last = now
            self._draw()

    def set(self, n: int) -> None:
        """Jump to ``n`` units done."""
        self.update(n - self.n)

    def _draw(self) -> None:
        try:
            self._bars.update(self._task, completed=self.n)
            self._bars.refresh()
        except (OSError, ValueError):   # closed stream: stop drawing, never fail a run
            self._stop()

    def _stop(self) -> None:
        bars, self._bars, self.enabled = self._bars, None, False
        if bars is not None:
            try:
                bars.stop()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        """Draw the final state and end the line (only if a bar was drawn)."""
        if self._bars is not None:
            self._draw()
        self._stop()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["Progress", "is_terminal"]
