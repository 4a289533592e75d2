"""Weight-based doses: mg/kg statements computed for one patient, maxima applied (§2.1-§2.5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dystonia_cds.care.weight_doses import (
    MISSING_AGE,
    MISSING_WEIGHT,
    AgeLimits,
    WeightDose,
    doses_by_option,
    kg,
    mg,
    weight_doses,
)
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Option, Provenance, Recommendation, Strength
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.knowledge.care_catalog import load_care_catalog

LIMITS = AgeLimits(child_below=18, benztropine_from=3)


def doses(age: int | None, weight: float | None, option: str) -> list[WeightDose]:
    found = weight_doses(
        age_years=age,
        weight_kg=weight,
        limits=LIMITS,
        catalog=load_care_catalog().titration,
        option_ids=frozenset({option}),
    )
    return list(found)


def test_diphenhydramine_for_20_kg_is_20_to_40_mg_per_dose_uncapped():
    per_dose, daily = doses(5, 20.0, "diphenhydramine")
    assert (per_dose.low_mg, per_dose.high_mg, per_dose.cap) == (20.0, 40.0, "")
    assert per_dose.result() == "20–40 mg per dose for 20 kg"
    assert per_dose.sources == ("R21",)
    assert daily.result() == "at most 100 mg per day for 20 kg"
    assert daily.sources == ("R24b",)


def test_diphenhydramine_upper_end_is_capped_at_50_mg_per_dose_from_25_kg():
    per_dose, _ = doses(10, 30.0, "diphenhydramine")
    assert (per_dose.low_mg, per_dose.high_mg) == (30.0, 50.0)
    assert "upper end capped at the 50 mg per-dose maximum" in per_dose.result()


def test_diphenhydramine_both_ends_capped_at_50_mg_from_50_kg():
    per_dose, _ = doses(12, 55.0, "diphenhydramine")
    assert per_dose.result() == "50 mg per dose for 55 kg (capped at the 50 mg per-dose maximum)"


def test_diphenhydramine_daily_maximum_is_300_mg_above_60_kg():
    _, daily = doses(16, 70.0, "diphenhydramine")
    assert daily.high_mg == 300.0
    assert daily.cap == "capped at the 300 mg daily maximum"


def test_diphenhydramine_daily_maximum_is_exactly_5_mg_per_kg_at_60_kg_and_not_capped():
    _, daily = doses(16, 60.0, "diphenhydramine")
    assert (daily.high_mg, daily.cap) == (300.0, "")


def test_benztropine_is_0_02_mg_per_kg_below_the_1_mg_cap():
    (dose,) = doses(6, 20.0, "benztropine")
    assert dose.high_mg == pytest.approx(0.4)
    assert dose.result() == "0.4 mg per dose for 20 kg"
    assert dose.sources == ("R26",)


def test_benztropine_is_capped_at_1_mg_above_50_kg():
    (dose,) = doses(14, 51.0, "benztropine")
    assert dose.high_mg == 1.0
    assert dose.cap == "capped at the 1 mg per-dose maximum"


def test_benztropine_under_3_years_has_no_computed_dose_and_says_contraindicated():
    (dose,) = doses(2, 12.0, "benztropine")
    assert not dose.computed
    assert dose.result() == "no computed dose: contraindicated under 3 years"


def test_levodopa_under_6_years_is_1_to_10_mg_per_kg_per_day_from_the_catalogue():
    (dose,) = doses(4, 16.0, "levodopa-trial")
    assert (dose.low_mg, dose.high_mg, dose.per) == (16.0, 160.0, "day")
    assert dose.sources == ("R30",)


def test_levodopa_from_6_years_has_no_mg_per_kg_statement():
    assert doses(6, 22.0, "levodopa-trial") == []


def test_baclofen_child_starts_at_0_1_mg_per_kg_per_dose_three_times_a_day():
    start, target = doses(5, 18.0, "baclofen")
    assert start.result() == "1.8 mg per dose for 18 kg"
    assert start.sources == ("R40b",)
    assert (target.low_mg, target.high_mg, target.cap) == (18.0, 36.0, "")


def test_baclofen_target_is_capped_at_40_mg_per_day_from_2_to_under_8_years():
    _, target = doses(7, 25.0, "baclofen")
    assert (target.low_mg, target.high_mg) == (25.0, 40.0)
    assert target.cap == "upper end capped at the 40 mg daily maximum for age"
    assert target.sources == ("R40b", "R40c")


def test_baclofen_target_is_capped_at_60_mg_per_day_from_8_years():
    _, target = doses(8, 40.0, "baclofen")
    assert (target.low_mg, target.high_mg) == (40.0, 60.0)
    assert "60 mg daily maximum for age" in target.cap


def test_baclofen_under_2_years_has_no_computed_dose():
    (note,) = doses(1, 9.0, "baclofen")
    assert not note.computed
    assert "under 2 years" in note.result()


def test_trihexyphenidyl_child_start_and_ceiling_per_day():
    start, ceiling = doses(9, 30.0, "trihexyphenidyl")
    assert (start.low_mg, start.high_mg) == pytest.approx((3.0, 6.0))
    assert ceiling.result() == "at most 22 mg per day for 30 kg"  # 22.5 shown rounded down
    assert ceiling.sources == ("R36",)


def test_a_missing_weight_gives_no_computed_dose_and_says_why():
    found = doses(10, None, "diphenhydramine") + doses(10, None, "benztropine")
    assert found
    assert all(not d.computed and d.result() == MISSING_WEIGHT for d in found)


@pytest.mark.parametrize("weight", [0.0, -3.0, float("nan"), float("inf")])
def test_an_impossible_weight_counts_as_missing(weight):
    (dose,) = doses(6, weight, "benztropine")
    assert dose.result() == MISSING_WEIGHT


def test_an_unknown_age_gives_a_note_instead_of_a_dose():
    (note,) = doses(None, 30.0, "baclofen")
    assert note.line() == f"Baclofen: {MISSING_AGE}"


def test_adults_get_no_mg_per_kg_statements():
    assert (
        weight_doses(
            age_years=18, weight_kg=70.0, limits=LIMITS, catalog=load_care_catalog().titration
        )
        == ()
    )


def test_every_statement_names_a_source_and_never_project():
    found = weight_doses(
        age_years=5, weight_kg=20.0, limits=LIMITS, catalog=load_care_catalog().titration
    )
    assert all(d.sources and "project" not in d.sources for d in found)


def test_a_line_holds_the_statement_its_sources_and_the_dose():
    (dose,) = doses(6, 20.0, "benztropine")
    assert dose.line() == (
        "Benztropine: 0.02 mg/kg IV or IM, at most 1 mg [R26] → 0.4 mg per dose for 20 kg"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.246, "0.24"), (2.25, "2.2"), (22.5, "22"), (50.0, "50"), (0.4, "0.4"), (1.0, "1")],
)
def test_doses_are_rounded_down_at_the_precision_shown(value, shown):
    assert mg(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(3.456, "3.46 kg"), (30.04, "30 kg"), (72.25, "72.2 kg")]
)
def test_weights_are_shown_sensibly_rounded(value, shown):
    assert kg(value) == shown


def _rec(age: int | None, weight: float | None, strength: str) -> Recommendation:
    option = Option(
        id="benztropine",
        rank=1,
        strength=Strength(strength),
        title="Benztropine",
        rationale=(),
        cautions=(),
        evidence=(),
        provenance=Provenance(rule="r", facts=(), knowledge_version="v"),
    )
    return Recommendation(
        record=PatientRecord(patient_id="p1", weight_kg=weight),
        evaluated_at=date(2026, 12, 1),
        age_years=age,
        options=(option,),
        alerts=(),
        trace=(),
        knowledge_version="v",
    )


def test_doses_by_option_covers_positive_options_of_a_child():
    found = doses_by_option(_rec(6, 20.0, "first-line"), load_knowledge())
    assert [d.high_mg for d in found["benztropine"]] == [pytest.approx(0.4)]


def test_doses_by_option_leaves_out_contraindicated_options():
    assert doses_by_option(_rec(6, 20.0, "contraindicated"), load_knowledge()) == {}


def test_doses_by_option_is_empty_for_an_adult():
    assert doses_by_option(_rec(40, 70.0, "first-line"), load_knowledge()) == {}


CAPS = {  # (option, per) -> the largest dose any child may be shown
    ("diphenhydramine", "dose"): 50.0,
    ("diphenhydramine", "day"): 300.0,
    ("benztropine", "dose"): 1.0,
}


@given(
    age=st.integers(min_value=0, max_value=17),
    weight=st.floats(min_value=0.3, max_value=300.0, allow_nan=False),
)
def test_no_computed_dose_passes_its_maximum_and_ranges_are_ordered(age: int, weight: float):
    found = weight_doses(
        age_years=age, weight_kg=weight, limits=LIMITS, catalog=load_care_catalog().titration
    )
    for d in found:
        if not d.computed:
            continue
        assert d.low_mg <= d.high_mg
        assert d.high_mg <= CAPS.get((d.option_id, d.per), float("inf"))
        if d.option_id == "baclofen" and d.per == "day":
            assert d.high_mg <= (60.0 if age >= 8 else 40.0)
        assert float(mg(d.high_mg)) <= d.high_mg + 1e-9  # shown rounded down, never up
        if (d.option_id, d.per) == ("diphenhydramine", "dose"):
            assert (d.cap != "") == (2 * weight > 50)  # said exactly when the cap is reached
