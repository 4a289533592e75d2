"""Property tests: scores stay within bounds, out-of-range items are refused, schedules
never exceed their maxima and their dates increase."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dystonia_cds.care import (
    InjectionVisit,
    MuscleDose,
    check_injection,
    scale_definitions,
    score_assessment,
    titration_schedule,
)
from dystonia_cds.domain.errors import InvalidInput

DEFS = {d["id"]: d for d in scale_definitions()}
SCALES = sorted(DEFS)


@st.composite
def assessments(draw):
    scale = draw(st.sampled_from(SCALES))
    items = {
        i["key"]: draw(st.integers(min_value=i["min"], max_value=i["max"]))
        for i in DEFS[scale]["items"]
    }
    return scale, items


@given(assessments())
def test_scores_never_leave_the_scale_and_subscale_bounds(case):
    scale, items = case
    score = score_assessment(scale, items)
    ranges = DEFS[scale]["subscale_ranges"]
    for part, value in score.as_dict().items():
        low, high = ranges[part]
        assert low <= value <= high
    assert score.total == sum(score.subscales.values()) or not score.subscales


@given(assessments(), st.data())
def test_any_out_of_range_item_is_refused_and_named(case, data):
    scale, items = case
    item = data.draw(st.sampled_from(DEFS[scale]["items"]))
    bad = data.draw(
        st.one_of(
            st.integers(max_value=item["min"] - 1),
            st.integers(min_value=item["max"] + 1),
        )
    )
    with pytest.raises(InvalidInput) as err:
        score_assessment(scale, {**items, item["key"]: bad})
    assert err.value.location == f"items.{item['key']}"


def _check_schedule(schedule) -> None:
    days = [s.date for s in schedule.steps]
    assert days[0] == schedule.start
    assert all(a < b for a, b in itertools.pairwise(days))
    for step in schedule.steps:
        assert 0 < step.daily_mg <= schedule.max_daily_mg
        assert all(d > 0 for d in step.doses_mg)
        if schedule.max_single_mg is not None:
            assert step.dose_mg <= schedule.max_single_mg
    dailies = [s.daily_mg for s in schedule.steps]
    assert dailies == sorted(dailies)


starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1))


@settings(max_examples=150)
@given(
    starts,
    st.floats(min_value=0, max_value=100),
    st.one_of(st.none(), st.floats(min_value=3, max_value=150)),
    st.floats(min_value=0.5, max_value=60),
    st.booleans(),
)
def test_trihexyphenidyl_schedules_stay_within_the_ceiling(start, age, weight, target, prone):
    try:
        schedule = titration_schedule(
            "trihexyphenidyl",
            start=start,
            age_years=age,
            weight_kg=weight,
            target_daily_mg=round(target * 10) / 10,
            side_effect_prone=prone,
        )
    except InvalidInput:
        return
    _check_schedule(schedule)
    if weight is not None and age < 18:
        assert schedule.steps[-1].daily_mg <= 0.75 * weight + 1e-9


@given(
    starts,
    st.integers(min_value=1, max_value=12).map(lambda n: n * 12.5),
    st.sampled_from([None, "extensive", "normal", "intermediate", "poor"]),
    st.booleans(),
)
def test_tetrabenazine_schedules_respect_daily_and_single_dose_limits(
    start, target, cyp, inhibitor
):
    try:
        schedule = titration_schedule(
            "tetrabenazine",
            start=start,
            target_daily_mg=target,
            cyp2d6=cyp,
            strong_cyp2d6_inhibitor=inhibitor,
        )
    except InvalidInput:
        assert target > 50
        return
    _check_schedule(schedule)
    top = schedule.steps[-1].daily_mg
    assert top <= (100 if cyp in ("extensive", "normal", "intermediate") and not inhibitor else 50)
    assert all(s.dose_mg <= (25 if s.daily_mg <= 50 else 37.5) for s in schedule.steps)


@given(
    starts,
    st.floats(min_value=0, max_value=90),
    st.floats(min_value=3, max_value=150),
    st.integers(min_value=1, max_value=365),
    st.booleans(),
)
def test_levodopa_trials_stay_in_the_sourced_starting_ranges(start, age, weight, days, test):
    try:
        schedule = titration_schedule(
            "levodopa",
            start=start,
            age_years=age,
            weight_kg=weight,
            trial_days=days,
            test_titration=test,
        )
    except InvalidInput:
        return
    _check_schedule(schedule)
    assert schedule.review_date == start + timedelta(days=days)
    assert schedule.steps[-1].date < schedule.review_date
    if age < 6:
        assert schedule.steps[0].daily_mg <= 10 * weight


@given(
    starts,
    st.floats(min_value=0, max_value=90),
    st.one_of(st.none(), st.floats(min_value=5, max_value=150)),
    st.integers(min_value=1, max_value=20).map(lambda n: n * 5.0),
    st.booleans(),
)
def test_baclofen_schedules_never_exceed_80_mg_or_the_pediatric_ceiling(
    start, age, weight, target, renal
):
    try:
        schedule = titration_schedule(
            "baclofen",
            start=start,
            age_years=age,
            weight_kg=weight,
            target_daily_mg=target,
            renal_impairment=renal,
        )
    except InvalidInput:
        return
    _check_schedule(schedule)
    assert schedule.steps[-1].daily_mg <= 80
    if age < 18:
        assert weight is not None
        assert schedule.steps[-1].daily_mg <= min(2 * weight, 60)
    assert bool(schedule.warnings) is renal


@settings(max_examples=60)
@given(
    st.lists(st.integers(min_value=1, max_value=400), min_size=0, max_size=6),
    st.floats(min_value=0.5, max_value=600),
)
def test_injection_checks_are_deterministic_and_well_formed(gaps, units):
    day = date(2026, 6, 1)
    history, current = [], day
    for gap in gaps:
        current -= timedelta(days=gap)
        history.append(
            InjectionVisit(
                current,
                "onabotulinumtoxinA",
                "cervical-dystonia",
                (MuscleDose("trapezius", "left", 100),),
            )
        )
    visit = InjectionVisit(
        day, "onabotulinumtoxinA", "cervical-dystonia", (MuscleDose("trapezius", "left", units),)
    )
    first = check_injection(visit, history, on=day)
    assert first == check_injection(visit, history[::-1], on=day)
    interval_ids = [
        c.id
        for c in first
        if c.id in ("botulinum-toxin-too-soon", "botulinum-toxin-due", "botulinum-toxin-overdue")
    ]
    assert len(interval_ids) == (1 if gaps else 0)
