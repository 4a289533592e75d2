"""Care logic (pure: no I/O, no clock): botulinum-toxin visits and checks, rating scales,
titration schedules. The store/API (H4) and the web app (H6) call these functions.

Decision support for clinicians, not a substitute for clinical judgment
(`dystonia_cds.DISCLAIMER`). Bad input raises `dystonia_cds.domain.errors.InvalidInput`
whose `.location` names the field (e.g. `items.severity_rotation`, `muscles[2].units`).

Rating scales (`scales.py`)
    score_assessment(scale_id: str, items: Mapping[str, object]) -> ScaleScore
        ScaleScore.total, .subscales (dict), .items, .as_dict() -> {"total", "<subscale>"...}
    change(scale_id: str, before: ScaleScore, after: ScaleScore) -> ScoreChange
        .meaningful (bool | None, primary part), .parts (PartChange per total/subscale)
    scale_definitions() -> list[dict]            # GET /api/scales

Botulinum toxin (`injections.py`, `botulinum.py`, `response.py`)
    parse_visit(data: Mapping[str, object], *, on: date) -> InjectionVisit   # REST body
    validate_visit(visit: InjectionVisit, *, on: date) -> InjectionVisit
    check_injection(visit, previous_visits, *, on: date, assessments=()) -> tuple[Check, ...]
        Check.as_dict() -> {"id", "severity", "message"}; previous_visits may be
        InjectionVisit or domain `Injection` values (anything with date, product,
        indication, total_units); assessments: DatedScore(date, ScaleScore)
    next_injection_check(previous_visits, *, on: date) -> Check | None
    secondary_non_response(injections, assessments) -> Check | None
    from_scale_results(results: Sequence[ScaleResult-like]) -> list[DatedScore]
        (total-only TWSTRS/JRS results, e.g. PatientRecord.assessments, for the above)
    injection_vocabulary() -> dict                # GET /api/injection-vocabulary

Titration (`titration.py`, `titration_drugs.py`, `titration_baclofen.py`, `dosing.py`)
    titration_schedule(drug: str, *, start: date, **options) -> Schedule
        drug in TITRATION_DRUGS = ("trihexyphenidyl", "tetrabenazine", "levodopa", "baclofen");
        options: age_years, weight_kg, target_daily_mg, interval_days, increment_daily_mg,
        side_effect_prone, cyp2d6, strong_cyp2d6_inhibitor, trial_days, dose_mg,
        times_per_day, mg_per_kg_day, test_titration, renal_impairment,
        increment_mg_per_kg_day (see `titration.py`). A request above a maximum raises
        InvalidInput naming the option ("refused: ..."); nothing is silently capped.
        Schedule.steps[i]: date, doses_mg, dose_mg, times_per_day, daily_mg, note;
        Schedule.as_dict(), .max_daily_mg, .sources, .notes, .warnings, .review_date
    parse_titration(data: Mapping[str, object]) -> Schedule   # {"drug", "start", options}
    titration_definitions() -> list[dict]   # per drug: id, title, options, sources, notes
"""

from __future__ import annotations

from dystonia_cds.care.botulinum import check_injection, interval_check, next_injection_check
from dystonia_cds.care.checks import Check
from dystonia_cds.care.dosing import Schedule, ScheduleStep
from dystonia_cds.care.injections import (
    InjectionVisit,
    MuscleDose,
    PastInjection,
    parse_date,
    parse_visit,
    validate_visit,
)
from dystonia_cds.care.response import (
    CycleResponse,
    DatedScore,
    from_scale_results,
    secondary_non_response,
)
from dystonia_cds.care.scales import PartChange, ScaleScore, ScoreChange, change, score_assessment
from dystonia_cds.care.titration import (
    TITRATION_DRUGS,
    TitrationRequest,
    parse_titration,
    titration_definitions,
    titration_schedule,
)
from dystonia_cds.care.vocabulary import injection_vocabulary, scale_definitions

__all__ = [
    "TITRATION_DRUGS",
    "Check",
    "CycleResponse",
    "DatedScore",
    "InjectionVisit",
    "MuscleDose",
    "PartChange",
    "PastInjection",
    "ScaleScore",
    "Schedule",
    "ScheduleStep",
    "ScoreChange",
    "TitrationRequest",
    "change",
    "check_injection",
    "from_scale_results",
    "injection_vocabulary",
    "interval_check",
    "next_injection_check",
    "parse_date",
    "parse_titration",
    "parse_visit",
    "scale_definitions",
    "score_assessment",
    "secondary_non_response",
    "titration_definitions",
    "titration_schedule",
    "validate_visit",
]
