"""The checks of a trial being recorded (web.trial_checks): which engine alerts concern the
proposed trial, and what the confirmation tick must match."""

from __future__ import annotations

from datetime import date
from functools import cache

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from dystonia_cds.domain.patient import (
    BodyRegion,
    DystoniaForm,
    Medication,
    PatientRecord,
    Phenotype,
    TreatmentTrial,
)
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.loader import load_knowledge
from dystonia_cds.web import trial_checks
from dystonia_cds.web.forms import FormReader

ON = date(2026, 11, 26)


@cache
def kb() -> KnowledgeBase:
    return load_knowledge()


def record(
    *conditions: str,
    findings: tuple[str, ...] = (),
    trials: tuple[TreatmentTrial, ...] = (),
    medications: tuple[Medication, ...] = (),
) -> PatientRecord:
    phenotype = Phenotype(
        forms=frozenset({DystoniaForm("tardive-dystonia")}),
        regions=frozenset({BodyRegion("neck")}),
        onset_age_years=50,
    )
    return PatientRecord(
        patient_id="p",
        birth_date=date(1971, 4, 5),
        phenotype=phenotype,
        conditions=frozenset(conditions),
        findings=frozenset(findings),
        trials=trials,
        medications=medications,
    )


def taking(treatment: str, dose: float | None, active: bool = True) -> TreatmentTrial:
    return TreatmentTrial(treatment=treatment, start=date(2026, 10, 1), active=active,
                          daily_dose_mg=dose)  # fmt: skip


def ids(alerts: tuple[Alert, ...]) -> list[str]:
    return [a.id for a in alerts]


def test_a_dose_above_the_genotype_limit_is_named_with_its_limit_and_source() -> None:
    alerts = trial_checks.trial_alerts(kb(), record(), taking("tetrabenazine", 75), ON)
    assert ids(alerts) == ["dose-above-limit"]
    assert "tetrabenazine 75 mg/day" in alerts[0].message
    assert "more than 50 mg/day needs the CYP2D6 genotype" in alerts[0].message
    assert "R42" in alerts[0].provenance.sources


def test_a_dose_within_the_limits_raises_no_check() -> None:
    assert trial_checks.trial_alerts(kb(), record(), taking("tetrabenazine", 50), ON) == ()


def test_a_genotyped_patient_is_held_to_the_daily_maximum() -> None:
    genotyped = record(findings=("cyp2d6-genotyped",))
    assert trial_checks.trial_alerts(kb(), genotyped, taking("tetrabenazine", 75), ON) == ()
    over = trial_checks.trial_alerts(kb(), genotyped, taking("tetrabenazine", 125), ON)
    assert "at most 100 mg/day" in over[0].message


def test_a_trial_not_ongoing_is_not_checked() -> None:
    ended = taking("tetrabenazine", 200, active=False)
    assert trial_checks.trial_alerts(kb(), record(), ended, ON) == ()


def test_the_new_dose_is_checked_when_an_older_trial_is_still_marked_ongoing() -> None:
    older = record(trials=(taking("tetrabenazine", 25),))
    alerts = trial_checks.trial_alerts(kb(), older, taking("tetrabenazine", 75), ON)
    assert "tetrabenazine 75 mg/day" in alerts[0].message


def test_a_contraindicated_drug_in_use_is_a_critical_check() -> None:
    glaucoma = record("narrow-angle-glaucoma")
    alerts = trial_checks.trial_alerts(kb(), glaucoma, taking("trihexyphenidyl", 6), ON)
    assert ids(alerts) == ["contraindicated-drug-in-use"]
    assert alerts[0].severity.value == "critical"


def test_an_alert_already_raised_by_another_drug_is_not_repeated() -> None:
    on_drug = record(medications=(Medication(ingredient="tetrabenazine", daily_dose_mg=75),))
    alerts = trial_checks.trial_alerts(kb(), on_drug, taking("clonazepam", 1), ON)
    assert "dose-above-limit" not in ids(alerts)


def test_an_alert_naming_the_drug_is_shown_even_when_it_was_raised_before() -> None:
    depressed = record("depression")
    alerts = trial_checks.trial_alerts(kb(), depressed, taking("tetrabenazine", 25), ON)
    assert "tetrabenazine-depression" in ids(alerts)


def test_the_drug_is_found_by_its_id_or_its_words() -> None:
    assert trial_checks.names_drug("Dose above: tetrabenazine 75 mg/day", "tetrabenazine")
    assert trial_checks.names_drug("Carbidopa levodopa taken", "carbidopa-levodopa")
    assert not trial_checks.names_drug("Baclofen taken", "clonazepam")


def reader(**fields: str) -> FormReader:
    return FormReader(FormData(list(fields.items())))


def test_checks_need_the_tick_and_the_digest_of_what_was_shown() -> None:
    alerts = trial_checks.trial_alerts(kb(), record(), taking("tetrabenazine", 75), ON)
    seen = trial_checks.digest(alerts)
    for form, error in [
        (reader(), trial_checks.REVIEW),
        (reader(confirm_warnings="on"), trial_checks.CHANGED),
        (reader(confirm_warnings="on", checks_seen="0" * 20), trial_checks.CHANGED),
    ]:
        trial_checks.confirm(form, alerts)
        assert form.errors == {"confirm_warnings": error}
    ticked = reader(confirm_warnings="on", checks_seen=seen)
    trial_checks.confirm(ticked, alerts)
    assert ticked.errors == {}


def test_no_checks_need_no_tick() -> None:
    form = reader()
    trial_checks.confirm(form, ())
    assert form.errors == {}


@given(st.floats(min_value=0, max_value=50), st.floats(min_value=50.001, max_value=100000))
def test_a_tetrabenazine_dose_breaches_without_a_genotype_exactly_above_50(
    within: float, above: float
) -> None:
    check = trial_checks.trial_alerts
    assert check(kb(), record(), taking("tetrabenazine", within), ON) == ()
    assert ids(check(kb(), record(), taking("tetrabenazine", above), ON)) == ["dose-above-limit"]


def test_a_drug_taken_with_a_contraindication_is_checked_from_the_medication_form() -> None:
    drug = trial_checks.medication_proposal(Medication(ingredient="tetrabenazine"))
    alerts = trial_checks.proposal_alerts(kb(), record("depression"), drug, ON)
    assert ids(alerts) == ["tetrabenazine-depression"]
    assert alerts[0].severity.value == "critical"


def test_a_drug_no_longer_taken_is_not_checked_from_the_medication_form() -> None:
    stopped = Medication(ingredient="tetrabenazine", active=False, end=date(2026, 11, 1))
    drug = trial_checks.medication_proposal(stopped)
    assert trial_checks.proposal_alerts(kb(), record("depression"), drug, ON) == ()
