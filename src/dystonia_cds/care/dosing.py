"""Dated dose schedules: the value types and the arithmetic of splitting a daily dose.

A step starts on its date and lasts until the next step's date (the last step is held).
`doses_mg` lists each administration of the day; `dose_mg` is the largest of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from dystonia_cds.domain.errors import InvalidInput

if TYPE_CHECKING:
    from dystonia_cds.care.titration import TitrationRequest


@dataclass(frozen=True, slots=True)
class ScheduleStep:
    """The dose from `date` on: each administration in `doses_mg`."""

    date: date
    doses_mg: tuple[float, ...]
    note: str = ""

    @property
    def times_per_day(self) -> int:
        return len(self.doses_mg)

    @property
    def dose_mg(self) -> float:
        """The largest single administration (all equal unless `note` says otherwise)."""
        return max(self.doses_mg)

    @property
    def daily_mg(self) -> float:
        return float(sum(Decimal(str(d)) for d in self.doses_mg))

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "dose_mg": self.dose_mg,
            "doses_mg": list(self.doses_mg),
            "times_per_day": self.times_per_day,
            "daily_mg": self.daily_mg,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """A dated titration schedule checked against `max_daily_mg` / `max_single_mg`.

    `warnings` are the statements a clinician must see before using it (renal impairment,
    unverified facts); `review_date` ends a trial of `trial_days` (levodopa).
    """

    drug: str
    start: date
    steps: tuple[ScheduleStep, ...]
    max_daily_mg: float
    max_single_mg: float | None
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    trial_days: int | None = None
    review_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "start": self.start.isoformat(),
            "steps": [s.as_dict() for s in self.steps],
            "max_daily_mg": self.max_daily_mg,
            "max_single_mg": self.max_single_mg,
            "sources": list(self.sources),
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "trial_days": self.trial_days,
            "review_date": self.review_date.isoformat() if self.review_date else None,
        }


def split_daily(daily_mg: float, times: int, step_mg: float) -> tuple[float, ...]:
    """Split a daily dose into `times` administrations in multiples of `step_mg`, larger
    ones first (e.g. 5 mg in 3 at 0.5 mg -> 2, 1.5, 1.5). `daily_mg` must be a multiple."""
    step = Decimal(str(step_mg))
    units = int(Decimal(str(daily_mg)) / step)
    base, extra = divmod(units, times)
    return tuple(float((base + (1 if i < extra else 0)) * step) for i in range(times))


def floor_to(value: float, step_mg: float) -> float:
    """`value` rounded down to a multiple of `step_mg` (never below one step)."""
    step = Decimal(str(step_mg))
    whole = (Decimal(str(value)) / step).to_integral_value(rounding=ROUND_FLOOR)
    return float(max(whole, Decimal(1)) * step)


def is_multiple(value: float, step_mg: float) -> bool:
    return Decimal(str(value)) % Decimal(str(step_mg)) == 0


def split_note(doses: tuple[float, ...]) -> str:
    if len(set(doses)) <= 1:
        return ""
    return "split as " + " + ".join(f"{d:g}" for d in doses) + " mg"


def ramp(
    request: TitrationRequest,
    dailies: Sequence[float],
    interval_days: int,
    doses_for: Callable[[float], tuple[float, ...]],
) -> tuple[ScheduleStep, ...]:
    """One step per daily dose, `interval_days` apart, from `request.start`."""
    steps = []
    for index, daily in enumerate(dailies):
        doses = doses_for(daily)
        last = index == len(dailies) - 1
        note = "; ".join(
            n for n in (split_note(doses), "target reached: hold and review" if last else "") if n
        )
        steps.append(
            ScheduleStep(request.start + timedelta(days=index * interval_days), doses, note)
        )
    return tuple(steps)


MAX_INCREASES = 200  # far more than any titration here; a longer one means a mistyped target


def increasing(first: float, increment: float, target: float) -> list[float]:
    """Daily doses from `first` up by `increment` to `target` (the last one capped at it)."""
    start = min(first, target)
    if increment <= 0 or (target - start) / increment > MAX_INCREASES:
        raise refuse(
            "target_daily_mg",
            f"reaching {target:g} mg from {start:g} mg in steps of {increment:g} mg would take "
            f"more than {MAX_INCREASES} increases; check the target and the increment",
        )
    values = [start]
    while values[-1] < target:
        values.append(min(values[-1] + increment, target))
    return values


def require(value: float | int | None, where: str, why: str) -> float:
    if value is None:
        raise InvalidInput(f"is required: {why}", location=where)
    return float(value)


def refuse(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"refused: {message}", location=where)
