"""Botulinum-toxin checks for a visit against the patient's earlier visits.

Check ids (the first three reuse the contract's alert ids):
- `botulinum-toxin-too-soon` (warning): under 12 weeks (84 days) since the previous
  session; says the date it becomes due (reference §3.1).
- `botulinum-toxin-due` (info): 12 to 16 weeks (84-112 days) since the previous session.
- `botulinum-toxin-overdue` (info): more than 16 weeks (over 112 days).
- `botulinum-toxin-dose-above-label-max` (warning): the session, or the cumulative units in
  the labelled window, exceed a labelled maximum (only maxima the reference states, §3.3).
- `botulinum-toxin-dose-above-label-range` (info): above the labelled dose range of the
  product for the indication (daxibotulinumtoxinA, rimabotulinumtoxinB in CD).
- `botulinum-toxin-product-switch` (warning): product differs from the previous session;
  units are not comparable and are never converted (§3.1).
- `botulinum-toxin-off-label` (info): no FDA dystonia label for that product and indication
  (§3.2).
- `botulinum-toxin-secondary-non-response` (warning): see `dystonia_cds.care.response`.
- `botulinum-toxin-contraindicated` (critical), `botulinum-toxin-caution` (warning),
  `botulinum-toxin-dysphagia-risk` (info), off-label by age: see
  `dystonia_cds.care.injection_cautions`.

Windows: a cumulative maximum counts this visit plus earlier visits of the same product
(and the same indication when the maximum names one) dated after the visit date minus the
window (so "200 U per 30 days" counts visits 0-29 days before) and not after the visit;
"3 months" is counted in calendar months. `previous_visits` must not contain the visit itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from dystonia_cds.care.checks import Check, ordered
from dystonia_cds.care.injection_cautions import age_checks, condition_checks, muscle_checks
from dystonia_cds.care.injections import InjectionVisit, PastInjection, validate_visit
from dystonia_cds.care.response import DatedScore, secondary_non_response
from dystonia_cds.domain.recommendation import Severity
from dystonia_cds.knowledge.care_catalog import BotulinumCatalog, Maximum, load_care_catalog

_UNITS_SOURCES = ("R11", "R12", "R13", "R15")


def check_injection(
    visit: InjectionVisit,
    previous_visits: Sequence[PastInjection],
    *,
    on: date,
    assessments: Sequence[DatedScore] = (),
    conditions: Iterable[str] = (),
    age_years: float | None = None,
) -> tuple[Check, ...]:
    """Validate `visit` (raises `InvalidInput`) and return its checks, most severe first.

    `previous_visits`: the patient's other sessions (any order); `on`: the evaluation date
    (a visit after it is invalid); `assessments`: rating-scale scores, for the secondary
    non-response heuristic; `conditions`: the patient's condition ids (the ids in dystonia_cds.domain.patient) for
    contraindications and cautions; `age_years`: the patient's age on the visit date, for
    the labelled population.
    """
    validate_visit(visit, on=on)
    catalog = load_care_catalog().botulinum
    earlier = sorted((p for p in previous_visits if p.date < visit.date), key=lambda p: p.date)
    checks: list[Check] = []
    if earlier:
        checks.append(interval_check(earlier[-1].date, visit.date))
        checks.extend(_switch(earlier[-1], visit))
    checks.extend(_off_label(catalog, visit))
    checks.extend(age_checks(catalog, visit, age_years))
    checks.extend(condition_checks(catalog, conditions))
    checks.extend(muscle_checks(catalog, visit))
    checks.extend(_maxima(catalog, visit, previous_visits))
    checks.extend(_ranges(catalog, visit))
    found = secondary_non_response([*earlier, visit], assessments)
    if found is not None:
        checks.append(found)
    return ordered(checks)


def next_injection_check(previous_visits: Sequence[PastInjection], *, on: date) -> Check | None:
    """Where the patient stands on `on` relative to the last session (None without one)."""
    past = [p.date for p in previous_visits if p.date <= on]
    return interval_check(max(past), on) if past else None


def interval_check(last: date, current: date) -> Check:
    """Classify the days between two sessions: too soon / due / overdue (reference §3.1)."""
    interval = load_care_catalog().botulinum.interval
    days = (current - last).days
    weeks = f"{days} days ({days / 7:.1f} weeks) after the session of {last.isoformat()}"
    sources = interval.sources
    if days < interval.minimum_days:
        due = last + timedelta(days=interval.minimum_days)
        return Check(
            "botulinum-toxin-too-soon",
            Severity.WARNING,
            f"Re-injection {weeks}: sooner than the 12-week minimum; due from "
            f"{due.isoformat()}. More frequent injection may favour antibody formation and "
            "tolerance (R11, R14).",
            sources,
        )
    if days <= interval.usual_max_days:
        return Check(
            "botulinum-toxin-due",
            Severity.INFO,
            f"Re-injection {weeks}: within the usual 12-16 week cycle.",
            sources,
        )
    return Check(
        "botulinum-toxin-overdue",
        Severity.INFO,
        f"Re-injection {weeks}: later than the usual 12-16 week cycle. {interval.note}",
        sources,
    )


def _switch(last: PastInjection, visit: InjectionVisit) -> list[Check]:
    if last.product is None or last.product == visit.product:
        return []
    units = f"{_num(last.total_units)} U, " if last.total_units is not None else ""
    return [
        Check(
            "botulinum-toxin-product-switch",
            Severity.WARNING,
            f"Product changed from {last.product} ({units}{last.date.isoformat()}) to "
            f"{visit.product}: units are specific to each product and cannot be converted; "
            "do not carry the previous dose over by a ratio (reference §3.1).",
            _UNITS_SOURCES,
        )
    ]


def _off_label(catalog: BotulinumCatalog, visit: InjectionVisit) -> list[Check]:
    product = catalog.product(visit.product)
    if product is None or product.labelled_for(visit.indication) is not None:
        return []
    labelled = ", ".join(x.indication for x in product.labelled)
    return [
        Check(
            "botulinum-toxin-off-label",
            Severity.INFO,
            f"{visit.product} has no FDA label for {visit.indication} (labelled dystonia "
            f"indications: {labelled}): this use is off-label.",
            product.sources,
        )
    ]


def _maxima(
    catalog: BotulinumCatalog, visit: InjectionVisit, previous: Sequence[PastInjection]
) -> list[Check]:
    checks = []
    for maximum in catalog.maxima:
        if maximum.product != visit.product:
            continue
        if maximum.indication not in (None, visit.indication):
            continue
        counted = _counted(maximum, visit, previous)
        total = visit.total_units + sum(p.total_units or 0.0 for p in counted)
        if total > maximum.max_units:
            checks.append(_above_max(maximum, visit, counted, total))
    return checks


def _counted(
    maximum: Maximum, visit: InjectionVisit, previous: Sequence[PastInjection]
) -> list[PastInjection]:
    if maximum.scope == "session":
        return []
    start = window_start(visit.date, maximum)
    return [
        p
        for p in previous
        if p.product == visit.product
        and maximum.indication in (None, p.indication)
        and start < p.date <= visit.date
    ]


def window_start(day: date, maximum: Maximum) -> date:
    """The day before a cumulative window ending on `day` begins (exclusive bound)."""
    if maximum.window_days is not None:
        return day - timedelta(days=maximum.window_days)
    months = maximum.window_months or 0
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def _above_max(
    maximum: Maximum, visit: InjectionVisit, counted: list[PastInjection], total: float
) -> Check:
    where = "in this session"
    if counted:
        dates = ", ".join(sorted(p.date.isoformat() for p in counted))
        where = f"in this session plus earlier sessions in the window ({dates})"
    return Check(
        "botulinum-toxin-dose-above-label-max",
        Severity.WARNING,
        f"{visit.product}: {_num(total)} U {where} exceeds the labelled maximum "
        f"({maximum.text}; {maximum.source} [{maximum.tag}]).",
        (maximum.source,),
    )


def _ranges(catalog: BotulinumCatalog, visit: InjectionVisit) -> list[Check]:
    checks = []
    for dose_range in catalog.dose_ranges:
        if (dose_range.product, dose_range.indication) != (visit.product, visit.indication):
            continue
        if dose_range.max_units is not None and visit.total_units > dose_range.max_units:
            checks.append(
                Check(
                    "botulinum-toxin-dose-above-label-range",
                    Severity.INFO,
                    f"{visit.product}: {_num(visit.total_units)} U is above the labelled "
                    f"dose range for {visit.indication} ({dose_range.text} "
                    f"{dose_range.source} [{dose_range.tag}]).",
                    (dose_range.source,),
                )
            )
    return checks


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
