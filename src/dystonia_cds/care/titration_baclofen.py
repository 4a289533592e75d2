"""Baclofen titration (oral): adults by the label, children 2 years and over by weight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from dystonia_cds.care.dosing import (
    Schedule,
    floor_to,
    increasing,
    is_multiple,
    ramp,
    refuse,
    require,
    split_daily,
)
from dystonia_cds.knowledge.care_catalog import TitrationDrug

if TYPE_CHECKING:
    from dystonia_cds.care.titration import TitrationRequest


def baclofen(request: TitrationRequest, drug: TitrationDrug) -> Schedule:
    """Adults: 5 mg TID, +5 mg TID every 3 days to 20 mg TID (60 mg/day); further increases
    up to 80 mg/day (20 mg QID) (R40). Children 2 years and over with a weight: 0.1 mg/kg
    TID, +0.1-0.3 mg/kg/day every 3-7 days, at most 2 mg/kg/day and the age ceiling
    (about 40 mg/day at 2-7 years, 60 mg/day from 8) (R40b, R40c). Never stop abruptly."""
    p = drug.param
    age = require(request.age_years, "age_years", "adult and pediatric dosing differ (R40, R40b)")
    if age < p("adult_age_years"):
        return pediatric_baclofen(request, drug, age)
    target = require(request.target_daily_mg, "target_daily_mg", "the clinician's goal dose")
    top = p("adult_max_daily_mg")
    if target > top:
        raise refuse(
            "target_daily_mg",
            f"{target:g} mg/day is above the label maximum of {top:g} mg/day (20 mg QID) (R40)",
        )
    step = p("dose_step_mg")
    start_daily = p("adult_start_dose_mg") * p("adult_times_per_day")
    if target < start_daily or not is_multiple(target, step):
        raise refuse(
            "target_daily_mg",
            f"must be a multiple of {step:g} mg, at least {start_daily:g} mg/day (R40)",
        )
    interval = _baclofen_interval(
        request, int(p("adult_interval_days")), int(p("adult_interval_days"))
    )
    dailies = increasing(
        start_daily,
        p("adult_increment_dose_mg") * 3,
        min(target, p("adult_label_steps_max_daily_mg")),
    )
    if target > dailies[-1]:
        dailies.append(target)

    def doses(daily: float) -> tuple[float, ...]:
        over = daily > p("adult_label_steps_max_daily_mg")
        return split_daily(
            daily, int(p("adult_max_times_per_day" if over else "adult_times_per_day")), step
        )

    steps = ramp(request, dailies, interval, doses)
    if target > p("adult_label_steps_max_daily_mg"):
        beyond = "beyond the label's fixed steps: further increases are possible up to 80 mg/day"
        steps = (*steps[:-1], replace(steps[-1], note=f"{steps[-1].note}; {beyond} (R40)"))
    return Schedule(
        drug="baclofen",
        start=request.start,
        steps=steps,
        max_daily_mg=top,
        max_single_mg=None,
        sources=drug.sources,
        notes=drug.notes,
        warnings=renal_warnings(request),
    )


def _baclofen_interval(request: TitrationRequest, fastest: int, default: int) -> int:
    chosen = request.interval_days or default
    if chosen < fastest:
        raise refuse(
            "interval_days",
            f"steps every {chosen} days are faster than the {fastest} days given (R40, R40b)",
        )
    return int(chosen)


def renal_warnings(request: TitrationRequest) -> tuple[str, ...]:
    if not request.renal_impairment:
        return ()
    return (
        "Renal impairment: baclofen is excreted mostly unchanged by the kidney; the label says "
        "reduce the dose but gives no schedule (R40). A pharmacokinetic study suggests "
        "reductions of about 1/3, 1/2 and 2/3 for mild, moderate and severe CKD (R40d). This "
        "schedule is NOT reduced: reduce it. Encephalopathy is reported at low doses in CKD "
        "and dialysis (R40d).",
    )


def pediatric_baclofen(request: TitrationRequest, drug: TitrationDrug, age: float) -> Schedule:
    """0.1 mg/kg per dose TID, +`increment_mg_per_kg_day` (0.1-0.3) every `interval_days`
    (3-7) up to the target, refused above 2 mg/kg/day or the age ceiling (R40b, R40c)."""
    p = drug.param
    if age < p("pediatric_min_age_years"):
        raise refuse(
            "age_years", "the reference gives no oral baclofen dosing under 2 years (R40c)"
        )
    weight = require(request.weight_kg, "weight_kg", "pediatric doses are per kg (R40b)")
    target = require(request.target_daily_mg, "target_daily_mg", "the clinician's goal dose")
    ceiling = _pediatric_ceiling(p, age, weight)
    if target > ceiling:
        raise refuse(
            "target_daily_mg",
            f"{target:g} mg/day is above {ceiling:g} mg/day: at most 2 mg/kg/day (R40b) and "
            "about 40 mg/day at 2-7 years, 60 mg/day from 8 years (R40c; ceilings vary by "
            "source)",
        )
    times = int(p("pediatric_times_per_day"))
    step = p("pediatric_dose_step_mg")
    if not is_multiple(target, step * times):
        raise refuse(
            "target_daily_mg", f"must be a multiple of {step * times:g} mg ({times} equal doses)"
        )
    first = min(floor_to(p("pediatric_start_mg_per_kg_dose") * weight, step) * times, target)
    increment = _pediatric_increment(request, p) * weight
    dailies = increasing(first, max(floor_to(increment, step * times), step * times), target)
    interval = _baclofen_interval(
        request, int(p("pediatric_interval_min_days")), int(p("pediatric_interval_max_days"))
    )
    return Schedule(
        drug="baclofen",
        start=request.start,
        steps=ramp(request, dailies, interval, lambda d: split_daily(d, times, step)),
        max_daily_mg=ceiling,
        max_single_mg=None,
        sources=drug.sources,
        notes=(
            *drug.notes,
            "Pediatric dosing from a children's hospital formulary (R40b) and an age-based "
            "ceiling table (R40c), both secondary sources [S].",
        ),
        warnings=renal_warnings(request),
    )


def _pediatric_ceiling(p: Callable[[str], float], age: float, weight: float) -> float:
    by_age = p(
        "pediatric_older_max_daily_mg"
        if age >= p("pediatric_older_age_years")
        else "pediatric_young_max_daily_mg"
    )
    return min(by_age, round(p("pediatric_target_max_mg_per_kg_day") * weight, 3))


def _pediatric_increment(request: TitrationRequest, p: Callable[[str], float]) -> float:
    low, high = (
        p("pediatric_increment_min_mg_per_kg_day"),
        p("pediatric_increment_max_mg_per_kg_day"),
    )
    chosen = request.increment_mg_per_kg_day or low
    if not low <= chosen <= high:
        raise refuse("increment_mg_per_kg_day", f"must be {low:g}-{high:g} mg/kg/day (R40b)")
    return chosen
