"""Inline SVG charts: small functions writing SVG text (no plotting library, no script).

Two shapes serve the report: :func:`line_chart` (lines, steps, filled areas, a shaded band
and highlighted x ranges over a numeric x axis) and :func:`gantt` (one row of coloured
bars per label). Every text is escaped; colours and sizes are the caller's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "12px sans-serif"
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 22, 30, 28


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One line. ``step``: ``x`` holds the ``len(y) + 1`` edges and each value holds from
    its edge to the next; ``fill``: the area under it is filled."""

    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    colour: str
    width: float = 1.5
    dash: str = ""
    step: bool = False
    fill: bool = False

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y) + (1 if self.step else 0):
            raise ValueError(f"series {self.name!r}: {len(self.x)} x values for {len(self.y)} y values")


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    """A shaded range between ``low`` and ``high`` at each ``x``."""

    name: str
    x: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    colour: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Highlight:
    """A shaded x range, the plot's full height or from ``low`` to ``high`` (e.g. the agents
    a slot is short of its requirement)."""

    start: float
    end: float
    colour: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """One bar of a Gantt row, from ``start`` to ``end`` on the x axis."""

    start: float
    end: float
    kind: str
    label: str = ""


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


class _Frame:
    """Maps data to pixels inside the plot area."""

    def __init__(self, width: int, height: int, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        self.width, self.height = width, height
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM

    def px(self, x: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return self.left + (x - self.x0) / span * (self.right - self.left)

    def py(self, y: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return self.bottom - (y - self.y0) / span * (self.bottom - self.top)


def _open(width: int, height: int, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
            f'style="font:{FONT}"><title>{escape(title)}</title>',
            f'<text x="{MARGIN_LEFT}" y="14" font-weight="bold">{escape(title)}</text>']


def _x_axis(frame: _Frame, ticks: Sequence[tuple[float, str]]) -> list[str]:
    out = [f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}" stroke="#555"/>']
    for x, label in ticks:
        px = _fmt(frame.px(x))
        out.append(f'<line x1="{px}" y1="{frame.bottom}" x2="{px}" y2="{frame.bottom + 4}" stroke="#555"/>')
        out.append(f'<text x="{px}" y="{frame.bottom + 16}" text-anchor="middle" fill="#333">{escape(label)}</text>')
    return out


def _y_axis(frame: _Frame, label: str) -> list[str]:
    step = nice_step(frame.y1 - frame.y0)
    out = []
    value = 0.0
    while value <= frame.y1 + 1e-9:
        py = _fmt(frame.py(value))
        out.append(f'<line x1="{frame.left}" y1="{py}" x2="{frame.right}" y2="{py}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{frame.left - 6}" y="{py}" dy="4" text-anchor="end" fill="#333">'
                   f'{escape(_number(value))}</text>')
        value += step
    out.append(f'<text x="12" y="{_fmt((frame.top + frame.bottom) / 2)}" fill="#333" text-anchor="middle" '
               f'transform="rotate(-90 12 {_fmt((frame.top + frame.bottom) / 2)})">{escape(label)}</text>')
    return out


def _points(frame: _Frame, series: Series) -> list[tuple[float, float]]:
    if not series.step:
        return [(frame.px(x), frame.py(y)) for x, y in zip(series.x, series.y) if y == y]
    points = []
    for index, y in enumerate(series.y):
        if y != y:
            continue
        points += [(frame.px(series.x[index]), frame.py(y)), (frame.px(series.x[index + 1]), frame.py(y))]
    return points


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for i, (x, y) in enumerate(points))


def _legend(frame: _Frame, items: Sequence[tuple[str, str, str]]) -> list[str]:
    """``(name, colour, shape)`` swatches along the top right; shape ``line`` or ``box``."""
    out, x = [], frame.right
    for name, colour, shape in reversed(items):
        width = 7 * len(name) + 26
        x -= width
        swatch = (f'<rect x="{_fmt(x)}" y="6" width="14" height="10" fill="{colour}"/>' if shape == "box" else
                  f'<line x1="{_fmt(x)}" y1="11" x2="{_fmt(x + 14)}" y2="11" stroke="{colour}" stroke-width="2.5"/>')
        out.append(swatch + f'<text x="{_fmt(x + 18)}" y="15" fill="#333">{escape(name)}</text>')
    return out


def line_chart(*, title: str, series: Sequence[Series], x_ticks: Sequence[tuple[float, str]], y_label: str,
               band: Band | None = None, highlights: Sequence[Highlight] = (), legend_extra: Sequence[tuple] = (),
               x_range: tuple[float, float] | None = None, width: int = 1000, height: int = 240) -> str:
    """An SVG chart of lines and steps over a numeric x axis, from 0 up."""
    xs = [x for s in series for x in s.x] + (list(band.x) if band else [])
    ys = [y for s in series for y in s.y if y == y] + ([h for h in band.high if h == h] if band else [])
    x_range = x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    top = max(ys, default=1.0) or 1.0
    step = nice_step(top)
    frame = _Frame(width, height, x_range, (0.0, math.ceil(top * 1.05 / step) * step))
    out = _open(width, height, title) + _y_axis(frame, y_label)
    for item in highlights:
        x0, x1 = frame.px(item.start), frame.px(item.end)
        y0 = frame.top if item.high is None else frame.py(item.high)
        y1 = frame.bottom if item.low is None else frame.py(item.low)
        out.append(f'<rect x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(max(x1 - x0, 0.5))}" '
                   f'height="{_fmt(max(y1 - y0, 0.5))}" fill="{item.colour}"/>')
    if band is not None:
        upper = [(frame.px(x), frame.py(h)) for x, h in zip(band.x, band.high) if h == h]
        lower = [(frame.px(x), frame.py(lo)) for x, lo in zip(band.x, band.low) if lo == lo]
        if upper and lower:
            out.append(f'<path d="{_path(upper + lower[::-1])} Z" fill="{band.colour}" stroke="none"/>')
    for item in series:
        points = _points(frame, item)
        if not points:
            continue
        if item.fill:
            area = [(points[0][0], frame.bottom), *points, (points[-1][0], frame.bottom)]
            out.append(f'<path d="{_path(area)} Z" fill="{item.colour}" fill-opacity="0.35" stroke="none"/>')
        dash = f' stroke-dasharray="{item.dash}"' if item.dash else ""
        out.append(f'<path d="{_path(points)}" fill="none" stroke="{item.colour}" stroke-width="{item.width}"'
                   f'{dash}><title>{escape(item.name)}</title></path>')
    out += _x_axis(frame, x_ticks)
    legend = [(s.name, s.colour, "box" if s.fill else "line") for s in series]
    if band is not None:
        legend.append((band.name, band.colour, "box"))
    out += _legend(frame, [*legend, *legend_extra])
    out.append("</svg>")
    return "\n".join(out)


def gantt(*, title: str, rows: Sequence[tuple[str, Sequence[Bar]]], x_range: tuple[float, float],
          x_ticks: Sequence[tuple[float, str]], colours: dict[str, str], width: int = 1000,
          row_height: int = 18, label_width: int = 150) -> str:
    """One row of bars per label (e.g. an agent's shift with its meal and breaks on top)."""
    height = MARGIN_TOP + len(rows) * row_height + MARGIN_BOTTOM
    frame = _Frame(width, height, x_range, (0.0, 1.0))
    frame.left = label_width
    out = _open(width, height, title)
    for tick, _ in x_ticks:
        px = _fmt(frame.px(tick))
        out.append(f'<line x1="{px}" y1="{frame.top}" x2="{px}" y2="{frame.bottom}" stroke="#e3e3e3"/>')
    for index, (label, bars) in enumerate(rows):
        y = frame.top + index * row_height
        out.append(f'<text x="{label_width - 6}" y="{y + row_height - 5}" text-anchor="end" fill="#333">'
                   f'{escape(label)}</text>')
        for bar in bars:
            x0, x1 = frame.px(bar.start), frame.px(bar.end)
            tip = f"<title>{escape(bar.label)}</title>" if bar.label else ""
            out.append(f'<rect x="{_fmt(x0)}" y="{y + 2}" width="{_fmt(max(x1 - x0, 1.0))}" '
                       f'height="{row_height - 4}" fill="{colours.get(bar.kind, "#999")}">{tip}</rect>')
    out += _x_axis(frame, x_ticks)
    out += _legend(frame, [(kind, colour, "box") for kind, colour in colours.items()])
    out.append("</svg>")
    return "\n".join(out)
