"""``roster_wide.csv``: the roster as a plain grid, one row per agent and one column per day.

Each cell is the day's shift code, ``rest``, or the leave code. UTF-8 with a byte-order mark
so that Excel shows Chinese names; text a spreadsheet could run as a formula gets a leading
``'`` (:func:`staffing.export.cells.csv_safe`).
"""

from __future__ import annotations

import csv
import io

from staffing.export.cells import csv_safe
from staffing.export.views import RosterGrid

WIDE_HEAD = ("agent", "name", "team", "line")


def render_wide(grid: RosterGrid) -> str:
    """The grid as CSV text (the caller writes it with a BOM)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*WIDE_HEAD, *(day.isoformat() for day in grid.days)])
    for agent in grid.agents:
        cells = [grid.cell(agent[0], day)[1] for day in grid.days]
        writer.writerow([csv_safe(str(value)) for value in (*agent, *cells)])
    return out.getvalue()
