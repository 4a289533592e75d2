"""The diary on the clinician's patient page (templates/diary_section.html): each toxin cycle's
benefit by week since its injection (a wearing-off chart across cycles, inline SVG as
`web.charts`) and the side effects the patient reported, newest first (urgent ones marked).

Patient-reported data, shown as reported; decision support for clinicians, not a substitute
for clinical judgment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from dystonia_cds.domain.patient import URGENT_SIDE_EFFECTS, DiaryEntry, PatientRecord
from dystonia_cds.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH

MAX_CYCLES = 6  # the latest cycles drawn (older ones would crowd the chart)
MIN_WEEKS = 16  # the x axis covers at least the usual 12-16 week cycle
MAX_SIDE_EFFECT_ROWS = 20


@dataclass(frozen=True, slots=True)
class Cycle:
    injected: date
    points: tuple[tuple[float, int, date], ...]  # (week since injection, benefit %, entry date)


@dataclass(frozen=True, slots=True)
class SideEffectRow:
    when: date
    effects: tuple[str, ...]
    urgent: bool
    note: str


def cycles(record: PatientRecord) -> list[Cycle]:
    """Benefit reports grouped by the injection before them (up to the next injection)."""
    starts = sorted({i.date for i in record.injections})
    found = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else None
        points = tuple(
            ((e.date - start).days / 7, e.benefit_percent, e.date)
            for e in record.diary
            if e.benefit_percent is not None and start <= e.date and (end is None or e.date < end)
        )
        if points:
            found.append(Cycle(start, points))
    return found[-MAX_CYCLES:]


def side_effect_rows(diary: tuple[DiaryEntry, ...]) -> list[SideEffectRow]:
    rows = [
        SideEffectRow(e.date, _urgent_first(e.side_effects), bool(e.side_effects & URGENT_SIDE_EFFECTS), e.note)
        for e in reversed(diary)
        if e.side_effects
    ]  # fmt: skip
    return rows[:MAX_SIDE_EFFECT_ROWS]


def _urgent_first(effects: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(effects, key=lambda s: (s not in URGENT_SIDE_EFFECTS, s)))


def wearing_off_chart(found: list[Cycle]) -> Markup:
    """Benefit (0-100 %) against weeks since injection, one line per cycle (latest solid)."""
    if not found:
        return Markup("")
    weeks = max(MIN_WEEKS, *(int(w) + 1 for c in found for w, _, _ in c.points))
    title = "Benefit of each toxin cycle by week since injection (patient-reported)"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" '
        f'id="chart-wearing-off" data-cycles="{len(found)}">',
        f"<title>{title}</title>",
        *_axes(weeks),
    ]
    for index, cycle in enumerate(found):
        parts.append(_cycle_svg(cycle, weeks, latest=index == len(found) - 1))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated value is escaped or numeric


def _x(week: float, weeks: int) -> float:
    return LEFT + week / weeks * (WIDTH - LEFT - RIGHT)


def _y(percent: float) -> float:
    return HEIGHT - BOTTOM - percent / 100 * (HEIGHT - TOP - BOTTOM)


def _axes(weeks: int) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = []
    for percent in range(0, 101, 25):
        y = _y(percent)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{percent}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>')
    for week in range(0, weeks + 1, 2):
        x = _x(week, weeks)
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{week}</text>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 4}">benefit %</text>')
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">weeks since injection</text>'
    )
    return parts  # fmt: skip


def _cycle_svg(cycle: Cycle, weeks: int, *, latest: bool) -> str:
    label = f"Cycle from {cycle.injected.isoformat()}"
    faded = "" if latest else ' opacity="0.55"'
    dash = "" if latest else ' stroke-dasharray="5 4"' + faded
    parts = [
        f'<g class="cycle" data-injected="{cycle.injected.isoformat()}"><title>{escape(label)}</title>'
    ]
    if len(cycle.points) > 1:
        path = " ".join(f"{_x(w, weeks):.1f},{_y(b):.1f}" for w, b, _ in cycle.points)
        parts.append(f'<polyline class="series" points="{path}"{dash}/>')
    for week, benefit, when in cycle.points:
        hover = f"{label}: {when.isoformat()}, week {week:.0f}, benefit {benefit} %"
        parts.append(
            f'<circle class="point" cx="{_x(week, weeks):.1f}" cy="{_y(benefit):.1f}" r="4"'
            f"{faded}><title>{escape(hover)}</title></circle>"
        )
    parts.append("</g>")
    return "".join(parts)  # fmt: skip


def diary_context(record: PatientRecord) -> dict[str, Any]:
    """What the patient page's diary section shows."""
    found = cycles(record)
    return {
        "diary_count": len(record.diary),
        "diary_last": record.diary[-1].date if record.diary else None,
        "diary_cycles": found,
        "diary_chart": wearing_off_chart(found),
        "diary_side_effects": side_effect_rows(record.diary),
    }
