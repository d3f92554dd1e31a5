"""The progress bar over the roster search: redrawn on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io
import time

from staffing.progress import SolveBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with SolveBar(10, stream) as bar:
        bar.message("days: objective 5, bound 4, 0.1 s")
        bar.message("roster: objective 5, bound 4, optimal")
    assert stream.getvalue() == "days: objective 5, bound 4, 0.1 s\nroster: objective 5, bound 4, optimal\n"


def test_a_bar_over_the_time_limit_on_a_terminal() -> None:
    stream = Terminal()
    with SolveBar(1, stream, width=10) as bar:
        bar.message("days: objective 5, bound 4")
        time.sleep(0.6)
    text = stream.getvalue()
    assert text.endswith("\n") and "\r  [" in text
    last = text.rstrip("\n").split("\r")[-1]
    assert "days: objective 5, bound 4" in last and "/1 s" in last
    assert last.count("#") + last.count("-") >= 10
