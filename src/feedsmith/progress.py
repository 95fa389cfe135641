"""Progress of a long build on a terminal: one line per phase, redrawn in place.

Quiet unless the stream is a terminal (so CI logs and pipes get only the
summary) and never more than ten redraws a second, so reporting costs nothing
next to the work it reports on.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

REDRAW_EVERY = 0.1  # seconds


class Progress:
    """``with progress.phase("parsing", total) as step: step(n)`` for each ``n`` items done."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self._is_terminal() if enabled is None else enabled

    def _is_terminal(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    def phase(self, label: str, total: int) -> Phase:
        return Phase(self, label, total)


class Phase:
    def __init__(self, progress: Progress, label: str, total: int) -> None:
        self.progress = progress
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self._drawn_at = 0.0

    def __enter__(self) -> Phase:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress.enabled and self._drawn_at:
            self.progress.stream.write("\r\x1b[K")
            self.progress.stream.flush()

    def __call__(self, count: int = 1) -> None:
        self.done += count
        if not self.progress.enabled:
            return
        now = time.perf_counter()
        if now - self._drawn_at >= REDRAW_EVERY or self.done >= self.total:
            self._drawn_at = now
            self.progress.stream.write(f"\r\x1b[K{self.line(now)}")
            self.progress.stream.flush()

    def line(self, now: float) -> str:
        """``rendering  1,200/5,432  22%  0:04 left``"""
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1.0
        left = ""
        if 0 < share < 1 and elapsed > 1:
            remaining = int(elapsed / share - elapsed)
            left = f"  {remaining // 60}:{remaining % 60:02d} left"
        return f"{self.label:10} {self.done:,}/{self.total:,}  {share:4.0%}{left}"


QUIET = Progress(enabled=False)
