"""Server-generated inline SVG charts (no script, no external assets, no inline styles: the
look comes from classes in app.css; hover text is an SVG `<title>`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True, slots=True)
class Point:
    when: date
    value: float
    hover: str


@dataclass(frozen=True, slots=True)
class Marker:
    when: date
    hover: str


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


class _Frame:
    """Maps dates and values into the plot area."""

    def __init__(self, start: date, end: date, y_max: float) -> None:
        self.start = start.toordinal()
        self.span = max(end.toordinal() - self.start, 1)
        self.y_max = y_max if y_max > 0 else 1.0

    def x(self, when: date) -> float:
        return LEFT + (when.toordinal() - self.start) / self.span * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - value / self.y_max * (HEIGHT - TOP - BOTTOM)


def nice_step(top: float, ticks: int = 5) -> float:
    """A 1-2-5 step so that about `ticks` gridlines cover 0..top."""
    raw = max(top, 1e-9) / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def date_ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Year starts over long spans; every third month start (YYYY-MM) over short ones."""
    if (end - start).days >= 730:
        years = (date(y, 1, 1) for y in range(start.year, end.year + 1))
        return [(d, str(d.year)) for d in years if start <= d <= end]
    months = (date(y, m, 1) for y in range(start.year, end.year + 1) for m in (1, 4, 7, 10))
    return [(d, f"{d.year}-{d.month:02d}") for d in months if start <= d <= end]


def _axes(
    frame: _Frame, start: date, end: date, y_label: str, only: date | None = None
) -> list[str]:
    """Gridlines, axes, date ticks and captions; `only` is the one date a chart holds (its
    tick and caption then name that date instead of the padded range around it)."""
    parts = []
    step = nice_step(frame.y_max)
    for i in range(int(frame.y_max // step) + 1):
        value = i * step
        y = frame.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    base = HEIGHT - BOTTOM
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>')
    ticks = [(only, only.isoformat())] if only else date_ticks(start, end)
    for tick, text in ticks:
        x = frame.x(tick)
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{text}</text>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 4}">{escape(y_label)}</text>')
    span = only.isoformat() if only else f"{start.isoformat()} – {end.isoformat()}"
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">{span}</text>')
    return parts


def time_chart(
    title: str,
    points: Sequence[Point],
    markers: Sequence[Marker] = (),
    *,
    y_max: float | None = None,
    y_label: str = "",
    chart_id: str = "",
) -> Markup:
    """A line over time with optional dashed vertical markers (e.g. injection dates). A value
    that is not a finite number (implausible input, e.g. a dose near the float maximum times
    a frequency) cannot be drawn and is left out of the chart; the tables still list it."""
    points = [p for p in points if math.isfinite(p.value)]
    dates = [p.when for p in points] + [m.when for m in markers]
    if not dates:
        return Markup("")
    start, end = min(dates), max(dates)
    only = start if start == end else None
    if only:
        start = date.fromordinal(start.toordinal() - 15)
        end = date.fromordinal(end.toordinal() + 15)
    highest = max((p.value for p in points), default=1.0)
    top = y_max if y_max else highest * 1.1
    if not math.isfinite(top):  # a value near the float maximum (implausible data, shown as is)
        top = highest
    frame = _Frame(start, end, top)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" id="{escape(chart_id)}" data-points="{len(points)}">',
        f"<title>{escape(title)}</title>",
        *_axes(frame, start, end, y_label, only),
    ]
    parts.extend(_marker_svg(frame, m) for m in markers)
    if len(points) > 1:
        path = " ".join(f"{frame.x(p.when):.1f},{frame.y(p.value):.1f}" for p in points)
        parts.append(f'<polyline class="series" points="{path}"/>')
    parts.extend(
        f'<circle class="point" cx="{frame.x(p.when):.1f}" cy="{frame.y(p.value):.1f}" r="4">'
        f"<title>{escape(p.hover)}</title></circle>"
        for p in points
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated value is escaped


def _marker_svg(frame: _Frame, marker: Marker) -> str:
    x = frame.x(marker.when)
    return (
        f'<g class="injection-marker"><title>{escape(marker.hover)}</title>'
        f'<line class="inj" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}"/>'
        f'<polygon class="inj-mark" points="{x - 5:.1f},{TOP} {x + 5:.1f},{TOP} {x:.1f},{TOP + 8}"/></g>'
    )


def rate_chart(title: str, rows: Sequence[tuple[str, float, str]]) -> Markup:
    """Horizontal bars of rates 0..1 with a label per row and hover text."""
    if not rows:
        return Markup("")
    row_h, label_w, width = 26, 210, WIDTH
    height = TOP + row_h * len(rows) + 20
    bar_w = width - label_w - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (name, rate, hover) in enumerate(rows):
        y = TOP + i * row_h
        w = max(rate, 0.0) * bar_w
        parts.append(
            f"<g><title>{escape(hover)}</title>"
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{rate * 100:.0f} %</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated value is escaped
