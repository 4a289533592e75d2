"""Titration schedules: each drug's steps, limits and refusals (reference §2.2-§2.6)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from dystonia_cds.care import titration_schedule
from dystonia_cds.domain.errors import InvalidInput

START = date(2026, 12, 1)


def dailies(schedule) -> list[float]:
    return [s.daily_mg for s in schedule.steps]


def gaps(schedule) -> set[int]:
    days = [s.date for s in schedule.steps]
    return {(b - a).days for a, b in itertools.pairwise(days)}


def refused(drug: str, location: str, **options) -> str:
    with pytest.raises(InvalidInput) as err:
        titration_schedule(drug, start=START, **options)
    assert err.value.location == location
    return str(err.value)


# ---------------------------------------------------------------- trihexyphenidyl


def test_trihexyphenidyl_young_adult_starts_at_1_mg_and_adds_2_mg_every_4_days():
    schedule = titration_schedule("trihexyphenidyl", start=START, age_years=25, target_daily_mg=10)
    assert dailies(schedule) == [1, 3, 5, 7, 9, 10]
    assert gaps(schedule) == {4}
    assert schedule.steps[0].date == START
    assert schedule.steps[0].times_per_day == 1
    assert schedule.steps[1].doses_mg == (1, 1, 1)
    assert schedule.steps[2].note.startswith("split as 2 + 1.5 + 1.5 mg")
    assert "target reached" in schedule.steps[-1].note
    assert set(schedule.sources) == {"R2", "R36"}


def test_trihexyphenidyl_every_3_days_is_allowed_for_the_young_but_not_faster():
    schedule = titration_schedule(
        "trihexyphenidyl", start=START, age_years=20, target_daily_mg=5, interval_days=3
    )
    assert gaps(schedule) == {3}
    refused("trihexyphenidyl", "interval_days", age_years=20, target_daily_mg=5, interval_days=2)


@pytest.mark.parametrize(
    "options", [{"age_years": 61}, {"age_years": 40, "side_effect_prone": True}]
)
def test_trihexyphenidyl_older_or_sensitive_adults_step_weekly(options):
    schedule = titration_schedule("trihexyphenidyl", start=START, target_daily_mg=6, **options)
    assert gaps(schedule) == {7}
    refused("trihexyphenidyl", "interval_days", target_daily_mg=6, interval_days=4, **options)


def test_trihexyphenidyl_at_65_mentions_the_beers_criteria():
    schedule = titration_schedule("trihexyphenidyl", start=START, age_years=70, target_daily_mg=3)
    assert any("Beers" in n for n in schedule.notes)


def test_trihexyphenidyl_needs_a_clinician_ceiling_because_no_dystonia_maximum_is_known():
    message = refused("trihexyphenidyl", "target_daily_mg", age_years=30)
    assert "clinician" in message
    schedule = titration_schedule("trihexyphenidyl", start=START, age_years=30, target_daily_mg=3)
    assert any("[U]" in w for w in schedule.warnings)


def test_trihexyphenidyl_child_with_weight_is_capped_at_0_75_mg_per_kg_per_day():
    schedule = titration_schedule(
        "trihexyphenidyl", start=START, age_years=8, weight_kg=20, target_daily_mg=15
    )
    assert schedule.max_daily_mg == 15
    assert dailies(schedule)[0] == 2  # 0.1 mg/kg/day
    assert schedule.steps[0].times_per_day == 3
    assert gaps(schedule) == {7}
    message = refused(
        "trihexyphenidyl", "target_daily_mg", age_years=8, weight_kg=20, target_daily_mg=15.1
    )
    assert "0.75 mg/kg/day" in message
    assert "R36" in message


def test_trihexyphenidyl_without_age_is_refused():
    refused("trihexyphenidyl", "age_years", target_daily_mg=6)


# ---------------------------------------------------------------- tetrabenazine


def test_tetrabenazine_titrates_weekly_from_12_5_once_daily_to_50_mg_tid():
    schedule = titration_schedule("tetrabenazine", start=START, target_daily_mg=50)
    assert dailies(schedule) == [12.5, 25, 37.5, 50]
    assert [s.times_per_day for s in schedule.steps] == [1, 2, 3, 3]
    assert gaps(schedule) == {7}
    assert max(s.dose_mg for s in schedule.steps) == 25
    assert schedule.max_single_mg == 25


def test_tetrabenazine_above_50_mg_without_a_cyp2d6_genotype_is_refused():
    message = refused("tetrabenazine", "target_daily_mg", target_daily_mg=62.5)
    assert "CYP2D6" in message
    assert "R42" in message


@pytest.mark.parametrize("status", ["extensive", "normal", "intermediate"])
def test_tetrabenazine_extensive_or_intermediate_metabolizers_go_to_100_mg(status):
    schedule = titration_schedule("tetrabenazine", start=START, target_daily_mg=100, cyp2d6=status)
    assert dailies(schedule)[-1] == 100
    assert all(s.dose_mg <= 37.5 for s in schedule.steps)
    refused("tetrabenazine", "target_daily_mg", target_daily_mg=112.5, cyp2d6=status)


@pytest.mark.parametrize(
    "options", [{"cyp2d6": "poor"}, {"cyp2d6": "extensive", "strong_cyp2d6_inhibitor": True}]
)
def test_tetrabenazine_poor_metabolizers_and_strong_inhibitors_stop_at_50_mg(options):
    assert (
        dailies(titration_schedule("tetrabenazine", start=START, target_daily_mg=50, **options))[-1]
        == 50
    )
    refused("tetrabenazine", "target_daily_mg", target_daily_mg=62.5, **options)


def test_tetrabenazine_dose_must_be_in_12_5_mg_steps_and_cyp2d6_known():
    refused("tetrabenazine", "target_daily_mg", target_daily_mg=30)
    refused("tetrabenazine", "cyp2d6", target_daily_mg=25, cyp2d6="fast")


def test_tetrabenazine_carries_the_boxed_warning_note():
    schedule = titration_schedule("tetrabenazine", start=START, target_daily_mg=12.5)
    assert len(schedule.steps) == 1
    assert any("suicidality" in n for n in schedule.notes)


# ---------------------------------------------------------------- levodopa trial


def test_levodopa_trial_under_6_is_weight_based_and_carries_the_clinicians_duration():
    schedule = titration_schedule("levodopa", start=START, age_years=4, weight_kg=15, trial_days=90)
    (step,) = schedule.steps
    assert step.daily_mg == 15  # 1 mg/kg/day
    assert step.times_per_day == 3
    assert schedule.trial_days == 90
    assert schedule.review_date == START + timedelta(days=90)
    assert any("No source establishes" in w for w in schedule.warnings)


def test_levodopa_under_6_outside_1_to_10_mg_per_kg_is_refused():
    message = refused(
        "levodopa", "mg_per_kg_day", age_years=3, weight_kg=14, trial_days=60, mg_per_kg_day=11
    )
    assert "R30" in message
    schedule = titration_schedule(
        "levodopa", start=START, age_years=3, weight_kg=14, trial_days=60, mg_per_kg_day=10
    )
    assert schedule.steps[0].daily_mg <= 140
    refused("levodopa", "weight_kg", age_years=3, trial_days=60)


def test_levodopa_from_6_years_is_25_to_50_mg_one_to_three_times_a_day():
    schedule = titration_schedule("levodopa", start=START, age_years=6, trial_days=30)
    assert schedule.steps[0].doses_mg == (25,)
    schedule = titration_schedule(
        "levodopa", start=START, age_years=12, trial_days=30, dose_mg=50, times_per_day=3
    )
    assert schedule.steps[0].daily_mg == 150
    refused("levodopa", "dose_mg", age_years=12, trial_days=30, dose_mg=75)
    refused("levodopa", "times_per_day", age_years=12, trial_days=30, times_per_day=4)


def test_levodopa_adult_test_titration_goes_from_50_to_100_mg_tid():
    schedule = titration_schedule(
        "levodopa", start=START, age_years=30, trial_days=60, test_titration=True
    )
    assert [s.doses_mg for s in schedule.steps] == [(50, 50, 50), (100, 100, 100)]
    assert schedule.steps[1].date - START == timedelta(days=7)
    assert "R31" in schedule.sources
    refused("levodopa", "test_titration", age_years=12, trial_days=60, test_titration=True)
    refused("levodopa", "trial_days", age_years=30, trial_days=5, test_titration=True)


def test_levodopa_trial_without_a_duration_is_refused_and_says_why():
    message = refused("levodopa", "trial_days", age_years=30)
    assert "no source establishes" in message


# ---------------------------------------------------------------- baclofen


def test_baclofen_adult_label_titration_5_mg_tid_plus_5_mg_tid_every_3_days():
    schedule = titration_schedule("baclofen", start=START, age_years=45, target_daily_mg=60)
    assert [s.doses_mg for s in schedule.steps] == [(5,) * 3, (10,) * 3, (15,) * 3, (20,) * 3]
    assert gaps(schedule) == {3}
    assert any("Never stop abruptly" in n for n in schedule.notes)


def test_baclofen_adult_maximum_is_80_mg_as_20_mg_qid():
    schedule = titration_schedule("baclofen", start=START, age_years=45, target_daily_mg=80)
    assert schedule.steps[-1].doses_mg == (20, 20, 20, 20)
    message = refused("baclofen", "target_daily_mg", age_years=45, target_daily_mg=85)
    assert "80 mg/day" in message


def test_baclofen_renal_impairment_says_reduce_and_that_the_schedule_is_not_reduced():
    schedule = titration_schedule(
        "baclofen", start=START, age_years=70, target_daily_mg=30, renal_impairment=True
    )
    (warning,) = schedule.warnings
    assert "reduce" in warning
    assert "NOT reduced" in warning


def test_baclofen_child_is_weight_based_and_capped_by_weight_and_age():
    schedule = titration_schedule(
        "baclofen",
        start=START,
        age_years=5,
        weight_kg=18,
        target_daily_mg=30,
        increment_mg_per_kg_day=0.3,
    )
    assert schedule.steps[0].doses_mg == (1.5, 1.5, 1.5)  # 0.1 mg/kg/dose, rounded down
    assert schedule.max_daily_mg == 36  # 2 mg/kg/day below the 40 mg/day age ceiling
    assert dailies(schedule)[-1] == 30
    refused("baclofen", "target_daily_mg", age_years=5, weight_kg=30, target_daily_mg=42)
    refused("baclofen", "target_daily_mg", age_years=5, weight_kg=18, target_daily_mg=37.5)
    refused("baclofen", "age_years", age_years=1, weight_kg=9, target_daily_mg=6)
    refused(
        "baclofen",
        "increment_mg_per_kg_day",
        age_years=5,
        weight_kg=18,
        target_daily_mg=30,
        increment_mg_per_kg_day=0.5,
    )


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "location"),
    [
        ({"age_years": -1}, "age_years"),
        ({"age_years": 30, "weight_kg": 0}, "weight_kg"),
        ({"age_years": 30, "weight_kg": 900}, "weight_kg"),
        ({"age_years": "30"}, "age_years"),
        ({"age_years": 30, "target_daily_mg": float("nan")}, "target_daily_mg"),
        ({"age_years": 30, "target_daily_mg": 6, "interval_days": 3.5}, "interval_days"),
        ({"age_years": 30, "target_daily_mg": 6, "side_effect_prone": "yes"}, "side_effect_prone"),
        ({"age_years": 30, "dose": 5}, "dose"),
    ],
)
def test_bad_options_are_named(options, location):
    refused("trihexyphenidyl", location, **options)


def test_an_unknown_drug_is_named():
    refused("clonazepam", "drug", age_years=30)


def test_schedules_serialise_to_plain_json_values():
    data = titration_schedule("tetrabenazine", start=START, target_daily_mg=25).as_dict()
    assert data["steps"][1] == {
        "date": "2026-12-08",
        "dose_mg": 12.5,
        "doses_mg": [12.5, 12.5],
        "times_per_day": 2,
        "daily_mg": 25.0,
        "note": "target reached: hold and review",
    }


def test_a_json_request_builds_the_same_schedule():
    from dystonia_cds.care import parse_titration

    schedule = parse_titration(
        {"drug": "baclofen", "start": "2026-12-01", "age_years": 40, "target_daily_mg": 30}
    )
    assert schedule == titration_schedule("baclofen", start=START, age_years=40, target_daily_mg=30)


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"start": "2026-12-01"}, "drug"),
        ({"drug": "baclofen", "start": "soon"}, "start"),
        ([], "body"),
    ],
)
def test_a_bad_json_request_is_named(data, location):
    from dystonia_cds.care import parse_titration

    with pytest.raises(InvalidInput) as err:
        parse_titration(data)
    assert err.value.location == location


def test_titration_definitions_list_every_drug_with_its_options_and_sources():
    from dystonia_cds.care import TITRATION_DRUGS, titration_definitions

    definitions = {d["id"]: d for d in titration_definitions()}
    assert set(definitions) == set(TITRATION_DRUGS)
    assert "cyp2d6" in definitions["tetrabenazine"]["options"]
    assert definitions["levodopa"]["unverified"]
    assert all(d["sources"] for d in definitions.values())


def test_an_option_the_drug_does_not_use_is_refused_unless_empty():
    refused("baclofen", "cyp2d6", age_years=40, target_daily_mg=30, cyp2d6="poor")
    schedule = titration_schedule(
        "baclofen", start=START, age_years=40, target_daily_mg=30, cyp2d6=None
    )
    assert schedule.steps


@pytest.mark.parametrize("target", [1e6, 1e15, 1e308])
def test_an_implausible_target_is_refused_naming_the_field(target: float) -> None:
    with pytest.raises(InvalidInput, match="not plausible") as err:
        titration_schedule(
            "trihexyphenidyl", start=date(2026, 12, 1), age_years=40, target_daily_mg=target
        )
    assert err.value.location == "target_daily_mg"


def test_a_target_that_would_take_hundreds_of_increases_is_refused() -> None:
    """Trihexyphenidyl has no sourced maximum (the ceiling is the clinician's), so a mistyped
    target (mg for µg, an extra zero ...) is caught by the schedule's length instead."""
    with pytest.raises(InvalidInput, match="more than 200 increases") as err:
        titration_schedule(
            "trihexyphenidyl", start=date(2026, 12, 1), age_years=40, target_daily_mg=20_000
        )
    assert err.value.location == "target_daily_mg"
