"""Progress on stderr: a bar over the solve's time limit on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class SolveBar:
    """``with SolveBar(140) as bar: solve(progress=bar.message)``.

    On a terminal, one line redrawn twice a second: the elapsed share of the time limit as a
    bar, then the latest message (objective, bound). Elsewhere (a log file, CI) every message
    is its own line and nothing is redrawn.
    """

    def __init__(self, limit_s: float, stream: TextIO | None = None, width: int = 24) -> None:
        self.limit_s = max(limit_s, 1.0)
        self.stream = stream or sys.stderr
        self.width = width
        self.last = ""
        self.started = time.perf_counter()
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SolveBar:
        self.started = time.perf_counter()
        if self.live:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def message(self, text: str) -> None:
        self.last = text
        if not self.live:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._draw()

    def _draw(self) -> None:
        elapsed = time.perf_counter() - self.started
        done = min(int(self.width * elapsed / self.limit_s), self.width)
        bar = "#" * done + "-" * (self.width - done)
        self.stream.write(f"\r  [{bar}] {elapsed:4.0f}/{self.limit_s:.0f} s  {self.last[:70]:<70}")
        self.stream.flush()
