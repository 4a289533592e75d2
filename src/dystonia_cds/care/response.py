"""Possible secondary non-response to botulinum toxin, judged from rating scales.

PROJECT HEURISTIC (not a published rule): the reference says that neutralising antibodies
can cause secondary non-response, that most apparent non-response is due to dose, muscle
selection or technique, and that the duration of benefit should be monitored (§3.1, §2.10;
R14, R14c). It gives no numeric rule; this module uses one of its own:

For each injection session ("cycle") and each scale with scores:
- baseline = the latest assessment in the 28 days up to and including the session day (and
  after the previous session): a pre-injection score;
- peak = the best assessment (lowest primary score) after this session and before the next
  session's baseline window (28 days before it), so that a score cannot be both the peak of
  one cycle and the baseline of the next (the 28 days are this heuristic's own parameter);
- the cycle's response = `change(baseline, peak)` on the scale's primary part (TWSTRS
  total, BFMDRS movement, JRS total) with its meaningful-change judgement (`scales.change`).
Cycles without both a baseline and a peak are not evaluable and are skipped.

Flag `botulinum-toxin-secondary-non-response` when, among the evaluable cycles in date order,
the two most recent both had a response that is NOT meaningful (`meaningful is False`:
below the scale's threshold or worse), while an earlier cycle had a meaningful improvement
(`meaningful is True`): benefit was there and was lost over two consecutive cycles. A
"depends on baseline" (None) judgement never counts either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from dystonia_cds.care.checks import Check
from dystonia_cds.care.scales import PartChange, ScaleScore, change, scale_definition
from dystonia_cds.domain.recommendation import Severity
from dystonia_cds.knowledge.care_catalog import load_care_catalog

BASELINE_WINDOW = timedelta(days=28)


class _Dated(Protocol):
    @property
    def date(self) -> date: ...


@dataclass(frozen=True, slots=True)
class DatedScore:
    """A scored assessment on a date."""

    date: date
    score: ScaleScore


@dataclass(frozen=True, slots=True)
class CycleResponse:
    """The response of one injection cycle on one scale."""

    injection_date: date
    baseline: DatedScore
    peak: DatedScore
    change: PartChange


def cycle_responses(
    injections: Sequence[_Dated], assessments: Sequence[DatedScore], scale: str
) -> tuple[CycleResponse, ...]:
    """Every evaluable cycle's response on one scale, in date order (see module doc)."""
    days = sorted({i.date for i in injections})
    scored = sorted((a for a in assessments if a.score.scale == scale), key=lambda a: a.date)
    result = []
    for index, day in enumerate(days):
        previous = days[index - 1] if index else date.min
        since = max(previous, day - BASELINE_WINDOW)
        following = days[index + 1] - BASELINE_WINDOW if index + 1 < len(days) else date.max
        before = [a for a in scored if since < a.date <= day]
        after = [a for a in scored if day < a.date <= following]
        if before and after:
            baseline = before[-1]
            peak = min(after, key=lambda a: (a.score.part(_primary(a)), a.date))
            delta = change(scale, baseline.score, peak.score).primary_change
            result.append(CycleResponse(day, baseline, peak, delta))
    return tuple(result)


def _primary(assessment: DatedScore) -> str:
    return scale_definition(assessment.score.scale).primary


class _TotalResult(Protocol):
    @property
    def scale(self) -> str: ...

    @property
    def date(self) -> date: ...

    @property
    def total(self) -> float: ...


def from_scale_results(results: Sequence[_TotalResult]) -> list[DatedScore]:
    """Total-only results (e.g. the domain's `ScaleResult`) as `DatedScore`s, for the scales
    whose primary part is the total (TWSTRS, JRS); BFMDRS (primary: movement) and unknown
    scales are left out, since a total cannot stand for the movement score."""
    known = {s.id: s.primary for s in load_care_catalog().scales.scales}
    return [
        DatedScore(r.date, ScaleScore(scale=r.scale, items={}, subscales={}, total=float(r.total)))
        for r in results
        if known.get(r.scale) == "total"
    ]


def secondary_non_response(
    injections: Sequence[_Dated], assessments: Sequence[DatedScore]
) -> Check | None:
    """The `botulinum-toxin-secondary-non-response` check, or None (see module doc)."""
    for scale in sorted({a.score.scale for a in assessments}):
        cycles = cycle_responses(injections, assessments, scale)
        if _lost_benefit(cycles):
            return _check(scale, cycles)
    return None


def _lost_benefit(cycles: tuple[CycleResponse, ...]) -> bool:
    if len(cycles) < 3:
        return False
    *earlier, second_last, last = cycles
    recent_poor = second_last.change.meaningful is False and last.change.meaningful is False
    had_benefit = any(
        c.change.meaningful is True and c.change.direction == "improved" for c in earlier
    )
    return recent_poor and had_benefit


def _check(scale: str, cycles: tuple[CycleResponse, ...]) -> Check:
    best = next(
        c for c in cycles if c.change.meaningful is True and c.change.direction == "improved"
    )
    recent = ", ".join(
        f"{c.injection_date.isoformat()}: {_signed(c.change.delta)}" for c in cycles[-2:]
    )
    return Check(
        "botulinum-toxin-secondary-non-response",
        Severity.WARNING,
        f"Possible secondary non-response on {scale} ({cycles[-1].change.part}): after a "
        f"meaningful improvement ({best.injection_date.isoformat()}: "
        f"{_signed(best.change.delta)}), the last two cycles changed less than the meaningful "
        f"threshold ({recent}). Review dose, muscle selection and technique first; "
        "neutralising antibodies are possible (R14, R14c). Project heuristic, not a "
        "published rule.",
        ("R14", "R14c"),
    )


def _signed(value: float) -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text if value < 0 else f"+{text}"
