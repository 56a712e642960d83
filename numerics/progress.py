"""A tiny progress bar for long simulations (no third-party dependency).

>>> from adamlab.numerics.progress import Progress
>>> with Progress(1000, enabled=False) as bar:   # silent: nothing is written
...     for _ in range(10):
...         bar.update(100)

``enabled=None`` (the default everywhere in :mod:`adamlab.numerics`) means
"only when the stream is a terminal": a bar is drawn on ``sys.stderr`` when it
is a TTY and never into a log file, a pipe or a notebook cell's captured
output.  Redraws are rate limited (at most ten per second), so calling
:meth:`Progress.update` every step costs a clock read, not a write.
"""
from __future__ import annotations

import sys
import time
from typing import IO


def is_terminal(stream) -> bool:
    """True when ``stream`` reports itself as an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """A text progress bar ``desc [#####.....]  42% 420/1000 1.2s<1.6s``.

    ``total`` is the number of units (steps); ``enabled`` forces the bar on
    (True) or off (False), or (None) draws it only when ``stream`` is a
    terminal.  ``min_interval`` is the least time in seconds between redraws.
    """

    def __init__(self, total: int, *, desc: str = "", enabled: bool | None = None,
                 stream: IO[str] | None = None, width: int = 30,
                 min_interval: float = 0.1):
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError(f"Progress: total must be an int >= 0; got {total!r}")
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"Progress: enabled must be True, False or None; got {enabled!r}")
        self.stream = sys.stderr if stream is None else stream
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.total, self.desc, self.width = total, desc, width
        self.min_interval = float(min_interval)
        self.n = 0
        self._start = time.perf_counter()
        self._last = -float("inf")
        self._drawn = False

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` units, redrawing if enough time has passed."""
        self.n = min(self.total, self.n + n) if self.total else self.n + n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last >= self.min_interval or self.n >= self.total:
            self._last = now
            self._draw(now)

    def set(self, n: int) -> None:
        """Jump to ``n`` units done."""
        self.update(n - self.n)

    def _draw(self, now: float) -> None:
        frac = self.n / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        elapsed = now - self._start
        eta = elapsed * (1 - frac) / frac if frac > 0 else float("nan")
        head = f"{self.desc} " if self.desc else ""
        line = (f"\r{head}[{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} "
                f"{self.n}/{self.total} {_fmt(elapsed)}<{_fmt(eta)}")
        try:
            self.stream.write(line)
            self.stream.flush()
            self._drawn = True
        except (OSError, ValueError):   # closed stream: stop drawing, never fail a run
            self.enabled = False

    def close(self) -> None:
        """Draw the final state and end the line (only if anything was drawn)."""
        if self.enabled:
            self._draw(time.perf_counter())
        if self._drawn:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _fmt(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


__all__ = ["Progress", "is_terminal"]
