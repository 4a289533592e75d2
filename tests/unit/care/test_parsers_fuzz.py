"""Parsers fed arbitrary JSON-like input either succeed or raise InvalidInput naming a field;
never another exception."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from dystonia_cds.care import parse_titration, parse_visit, score_assessment
from dystonia_cds.domain.errors import InvalidInput

ON = date(2026, 11, 25)


def attempt(function, *args, **kwargs):
    """(result, None) on success, (None, location) on InvalidInput; anything else raises."""
    try:
        return function(*args, **kwargs), None
    except InvalidInput as err:
        return None, err.location


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2026-06-01", "2027-01-01", "left", "trapezius", "emg", "cervical-dystonia"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
muscle_rows = st.fixed_dictionaries(
    {
        "muscle": st.one_of(st.sampled_from(["trapezius", "procerus", "nope"]), json_values),
        "side": st.one_of(st.sampled_from(["left", "bilateral", "up"]), json_values),
        "units": st.one_of(st.floats(min_value=-10, max_value=500), json_values),
    }
)
visit_bodies = st.fixed_dictionaries(
    {
        "date": st.one_of(st.sampled_from(["2026-06-01", "2026-12-01", "x"]), json_values),
        "product": st.one_of(st.sampled_from(["onabotulinumtoxinA", "botox"]), json_values),
        "indication": st.one_of(
            st.sampled_from(["cervical-dystonia", "blepharospasm"]), json_values
        ),
        "muscles": st.one_of(st.lists(muscle_rows, max_size=4), json_values),
    },
    optional={"lot": json_values, "dilution": json_values, "guidance": json_values},
)


@settings(max_examples=200)
@given(st.one_of(visit_bodies, json_values))
def test_parse_visit_accepts_or_names_the_field(data):
    visit, location = attempt(parse_visit, data, on=ON)
    assert location or visit.total_units > 0


@settings(max_examples=200)
@given(
    st.sampled_from(["twstrs", "bfmdrs", "jrs", "other"]),
    st.one_of(
        st.dictionaries(st.sampled_from(["severity", "frequency", "x"]), scalars), json_values
    ),
)
def test_score_assessment_accepts_or_names_the_item(scale, items):
    score, location = attempt(score_assessment, scale, items)
    assert location or 0 <= score.total <= 8


@settings(max_examples=200)
@given(
    st.fixed_dictionaries(
        {
            "drug": st.sampled_from(
                ["trihexyphenidyl", "tetrabenazine", "levodopa", "baclofen", "x"]
            ),
            "start": st.sampled_from(["2026-12-01", "never"]),
        },
        optional={
            "age_years": st.one_of(st.floats(min_value=-1, max_value=120), scalars),
            "weight_kg": st.one_of(st.floats(min_value=-1, max_value=200), scalars),
            "target_daily_mg": st.one_of(st.floats(min_value=-1, max_value=200), scalars),
            "trial_days": st.one_of(st.integers(min_value=-5, max_value=400), scalars),
            "cyp2d6": st.one_of(st.sampled_from(["poor", "extensive"]), scalars),
            "times_per_day": st.one_of(st.integers(min_value=0, max_value=5), scalars),
        },
    )
)
def test_parse_titration_accepts_or_names_the_option(data):
    schedule, location = attempt(parse_titration, data)
    assert location or schedule.steps
