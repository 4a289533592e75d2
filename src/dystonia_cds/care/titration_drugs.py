"""The four titration schedules, one builder per drug (called by `care.titration`).

Each builder reads its numbers from the catalog entry (`params`, sources in
`param_sources`) and raises `InvalidInput` naming the option when a request is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from dystonia_cds.care.dosing import (
    Schedule,
    ScheduleStep,
    floor_to,
    increasing,
    is_multiple,
    ramp,
    refuse,
    require,
    split_daily,
    split_note,
)
from dystonia_cds.knowledge.care_catalog import TitrationDrug

if TYPE_CHECKING:
    from dystonia_cds.care.titration import TitrationRequest

CYP2D6_STATUSES = ("extensive", "normal", "intermediate", "poor")
_BEERS_AGE = 65


def _sources(drug: TitrationDrug) -> tuple[str, ...]:
    return drug.sources


# ---------------------------------------------------------------- trihexyphenidyl


def trihexyphenidyl(request: TitrationRequest, drug: TitrationDrug) -> Schedule:
    """Start low, +2 mg/day (label) every 3-4 days in children/young adults, weekly in older
    (over 60) or side-effect-prone adults (R2, R36); children with a weight: start
    0.1 mg/kg/day in 3 doses, weekly steps, never above 0.75 mg/kg/day (R36)."""
    p = drug.param
    age = require(request.age_years, "age_years", "it sets the titration speed (R2)")
    target = require(
        request.target_daily_mg,
        "target_daily_mg",
        "no source gives a dystonia maximum; the ceiling is the clinician's (reference §2.3)",
    )
    weight = request.weight_kg if age < p("adult_age_years") else None
    weighted_child = weight is not None
    ceiling = _thp_ceiling(weight, target, p)
    step = p("pediatric_dose_step_mg") if weighted_child else p("dose_step_mg")
    increment = request.increment_daily_mg or p("increment_daily_mg")
    for name, value in (("target_daily_mg", target), ("increment_daily_mg", increment)):
        if not is_multiple(value, step):
            raise refuse(name, f"must be a multiple of {step:g} mg")
    slow = weighted_child or age > p("older_age_years") or request.side_effect_prone
    interval = _interval(request, p, slow)
    first = p("start_daily_mg") if weight is None else _pediatric_start(weight, p, step)
    dailies = increasing(first, increment, target)
    times = int(p("times_per_day"))

    def doses(daily: float) -> tuple[float, ...]:
        if not weighted_child and daily <= first:
            return (daily,)
        return split_daily(daily, times, step)

    return Schedule(
        drug="trihexyphenidyl",
        start=request.start,
        steps=ramp(request, dailies, interval, doses),
        max_daily_mg=min(target, ceiling),
        max_single_mg=None,
        sources=_sources(drug),
        notes=(*drug.notes, *_thp_notes(age, weighted_child, request.increment_daily_mg)),
        warnings=drug.unverified,
    )


def _thp_ceiling(weight: float | None, target: float, p: Callable[[str], float]) -> float:
    if weight is None:
        return target
    ceiling = round(p("pediatric_max_mg_per_kg_day") * weight, 3)
    if target > ceiling:
        raise refuse(
            "target_daily_mg",
            f"{target:g} mg/day is above 0.75 mg/kg/day ({ceiling:g} mg/day for {weight:g} kg), "
            "the pediatric maximum (R36)",
        )
    return ceiling


def _interval(request: TitrationRequest, p: Callable[[str], float], slow: bool) -> int:
    fastest = int(p("older_interval_days") if slow else p("young_interval_min_days"))
    default = int(p("older_interval_days") if slow else p("young_interval_max_days"))
    chosen = request.interval_days or default
    if chosen < fastest:
        who = "older, side-effect-prone or weight-dosed pediatric" if slow else "young"
        raise refuse(
            "interval_days",
            f"steps every {chosen} days are faster than the {fastest} days given for {who} "
            "patients (R2, R36)",
        )
    return int(chosen)


def _pediatric_start(weight_kg: float, p: Callable[[str], float], step: float) -> float:
    low = p("pediatric_start_min_mg_per_kg_day") * weight_kg
    return max(floor_to(low, step), step)


def _thp_notes(age: float, weighted_child: bool, increment: float | None) -> tuple[str, ...]:
    notes = []
    if weighted_child:
        notes.append(
            "Pediatric (dyskinetic/dystonic CP) dosing: 0.1-0.2 mg/kg/day in 3 doses, weekly "
            "increments, at most 0.75 mg/kg/day (R36)."
        )
        if increment is None:
            notes.append(
                "The step size (+2 mg/day) is the label's adult step (R36); the reference gives "
                "no pediatric step size: choose a smaller `increment_daily_mg` if needed."
            )
    if age > 60:
        notes.append("Patients over 60 are more sensitive; weekly steps (R2, R36).")
    if age >= _BEERS_AGE:
        notes.append(
            "Beers criteria: avoid antiparkinsonian anticholinergics in older adults (R27)."
        )
    return tuple(notes)


# ---------------------------------------------------------------- tetrabenazine


def tetrabenazine(request: TitrationRequest, drug: TitrationDrug) -> Schedule:
    """12.5 mg once daily week 1, 12.5 mg BID week 2, then +12.5 mg/day weekly; 37.5 mg/day
    and above TID. Above 50 mg/day only with a CYP2D6 genotype: extensive/intermediate
    metabolizers at most 100 mg/day (single dose 37.5 mg), poor metabolizers or a strong
    CYP2D6 inhibitor at most 50 mg/day (single dose 25 mg) (R42)."""
    p = drug.param
    target = require(request.target_daily_mg, "target_daily_mg", "the clinician's goal dose")
    max_daily, max_single = _tbz_limits(request, p, target)
    step = p("dose_step_mg")
    if target < p("week1_daily_mg") or not is_multiple(target, step):
        raise refuse("target_daily_mg", f"must be a multiple of {step:g} mg (R42)")
    dailies = [min(p("week1_daily_mg"), target)]
    if target > dailies[0]:
        dailies.extend(increasing(p("week2_daily_mg"), p("weekly_increment_mg"), target))

    def doses(daily: float) -> tuple[float, ...]:
        times = 3 if daily >= p("tid_from_daily_mg") else int(daily / step)
        return split_daily(daily, times, step)

    return Schedule(
        drug="tetrabenazine",
        start=request.start,
        steps=ramp(request, dailies, int(p("interval_days")), doses),
        max_daily_mg=max_daily,
        max_single_mg=max_single,
        sources=_sources(drug),
        notes=drug.notes,
    )


def _tbz_limits(
    request: TitrationRequest, p: Callable[[str], float], target: float
) -> tuple[float, float]:
    genotype_needed = p("genotype_required_above_mg")
    if request.cyp2d6 is None and target > genotype_needed:
        raise refuse(
            "target_daily_mg",
            f"{target:g} mg/day is above {genotype_needed:g} mg/day, which requires CYP2D6 "
            "genotyping first (R42); give `cyp2d6`",
        )
    if request.cyp2d6 == "poor" or request.strong_cyp2d6_inhibitor:
        max_daily = p(
            "max_daily_mg_poor" if request.cyp2d6 == "poor" else "max_daily_mg_strong_inhibitor"
        )
        why = (
            "a CYP2D6 poor metabolizer" if request.cyp2d6 == "poor" else "a strong CYP2D6 inhibitor"
        )
        max_single = p("max_single_mg_poor")
    elif request.cyp2d6 is None:
        max_daily, max_single, why = genotype_needed, p("max_single_mg_up_to_50"), "not genotyped"
    else:
        max_daily, max_single = p("max_daily_mg_extensive"), p("max_single_mg_extensive")
        why = f"a CYP2D6 {request.cyp2d6} metabolizer"
    if target > max_daily:
        raise refuse(
            "target_daily_mg",
            f"{target:g} mg/day is above the maximum of {max_daily:g} mg/day for {why} (R42)",
        )
    return max_daily, max_single


# ---------------------------------------------------------------- levodopa trial


def levodopa(request: TitrationRequest, drug: TitrationDrug) -> Schedule:
    """Levodopa trial at the GeneReviews starting dose for the age band (R30): under 6 years
    1-10 mg/kg/day in divided doses; 6 years and over 25-50 mg 1-3 times a day; adults 50 mg
    1-3 times a day; adults may instead follow the test titration 50 mg TID -> 100 mg TID
    over 1-2 weeks (R31). The trial lasts the clinician's `trial_days`: no source
    establishes the adequate duration (reference §2.2 [U])."""
    p = drug.param
    days = int(
        require(
            request.trial_days,
            "trial_days",
            "no source establishes the adequate trial "
            "duration (reference §2.2 [U]); the clinician chooses it",
        )
    )
    age = require(request.age_years, "age_years", "the starting dose depends on age (R30)")
    if request.test_titration and age < p("adult_age_years"):
        raise refuse("test_titration", "the test titration example is for adults (R31)")
    if request.test_titration:
        steps, max_daily = _levodopa_test_titration(request, p)
    elif age < p("young_child_age_years"):
        steps, max_daily = _levodopa_young_child(request, p)
    else:
        steps, max_daily = _levodopa_fixed(request, p, age)
    if steps[-1].date >= request.start + timedelta(days=days):
        raise refuse("trial_days", f"{days} days ends before the schedule's last step")
    return Schedule(
        drug="levodopa",
        start=request.start,
        steps=steps,
        max_daily_mg=max_daily,
        max_single_mg=max(s.dose_mg for s in steps),
        sources=_sources(drug),
        notes=drug.notes,
        warnings=drug.unverified,
        trial_days=days,
        review_date=request.start + timedelta(days=days),
    )


def _times(request: TitrationRequest, p: Callable[[str], float], low: int, default: int) -> int:
    times = request.times_per_day or default
    top = int(p("max_times_per_day"))
    if not low <= times <= top:
        raise refuse("times_per_day", f"must be {low}-{top} times a day (R30)")
    return int(times)


def _levodopa_young_child(
    request: TitrationRequest, p: Callable[[str], float]
) -> tuple[tuple[ScheduleStep, ...], float]:
    weight = require(request.weight_kg, "weight_kg", "under 6 years the dose is per kg (R30)")
    per_kg = request.mg_per_kg_day or p("young_child_min_mg_per_kg_day")
    low, high = p("young_child_min_mg_per_kg_day"), p("young_child_max_mg_per_kg_day")
    if not low <= per_kg <= high:
        raise refuse(
            "mg_per_kg_day",
            f"{per_kg:g} mg/kg/day is outside the starting range {low:g}-{high:g} mg/kg/day for "
            "children under 6 (R30); no source gives a maximum trial dose",
        )
    times = _times(request, p, 2, 3)
    daily = floor_to(per_kg * weight, p("dose_step_mg") * times)
    doses = split_daily(daily, times, p("dose_step_mg"))
    note = f"{per_kg:g} mg/kg/day for {weight:g} kg in divided doses (R30)"
    step = ScheduleStep(request.start, doses, "; ".join(n for n in (note, split_note(doses)) if n))
    return (step,), round(high * weight, 3)


def _levodopa_fixed(
    request: TitrationRequest, p: Callable[[str], float], age: float
) -> tuple[tuple[ScheduleStep, ...], float]:
    adult = age >= p("adult_age_years")
    low = p("adult_dose_mg") if adult else p("child_min_dose_mg")
    high = p("adult_dose_mg") if adult else p("child_max_dose_mg")
    dose = request.dose_mg or low
    if not low <= dose <= high:
        band = "adults" if adult else "children 6 years and over"
        raise refuse(
            "dose_mg", f"{dose:g} mg is outside {low:g}-{high:g} mg per dose for {band} (R30)"
        )
    times = _times(request, p, 1, 1)
    note = f"{dose:g} mg {times} time(s) a day (R30 range: 1-3 times a day)"
    return (ScheduleStep(request.start, (dose,) * times, note),), high * p("max_times_per_day")


def _levodopa_test_titration(
    request: TitrationRequest, p: Callable[[str], float]
) -> tuple[tuple[ScheduleStep, ...], float]:
    times = int(p("test_titration_times_per_day"))
    first, second = p("test_titration_start_dose_mg"), p("test_titration_target_dose_mg")
    later = request.start + timedelta(days=int(p("test_titration_step_days")))
    steps = (
        ScheduleStep(request.start, (first,) * times, "adult test titration: 50 mg TID (R31)"),
        ScheduleStep(later, (second,) * times, "100 mg TID, reached over 1-2 weeks (R31)"),
    )
    return steps, second * times
