"""Drug mapping: status rules, dates, product -> ingredient, Medication references, outcomes,
botulinum-toxin administrations as injections."""

from __future__ import annotations

from datetime import date

import pytest

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import PatientRecord, TrialOutcome
from dystonia_cds.fhir.bundle import read_bundle
from fhir_builders import (
    OUTCOME,
    bundle,
    coding,
    concept,
    medication_administration,
    medication_request,
    medication_statement,
    outcome,
    patient,
    rxnorm,
    text_only,
)


def record(*resources: dict) -> PatientRecord:
    return read_bundle(bundle(patient(), *resources), source="meds.json")


def test_rxnorm_ingredient_code_maps_to_the_ingredient() -> None:
    rec = record(medication_request(rxnorm("5093", "haloperidol")))
    assert [(m.ingredient, m.active, m.start) for m in rec.medications] == [
        ("haloperidol", True, date(2026, 1, 10))
    ]


def test_clinical_drug_product_maps_to_its_ingredients_by_name() -> None:
    rec = record(
        medication_request(rxnorm("197540", "Carbidopa 25 MG / Levodopa 100 MG Oral Tablet"))
    )
    assert [m.ingredient for m in rec.medications] == ["levodopa"]
    assert [t.treatment for t in rec.trials] == ["levodopa"]


def test_a_verified_ingredient_code_counts_whatever_its_display() -> None:
    # levodopa 6375 was a candidate until reference §7.3 verified it (R79, 2026-12-05)
    for display in ("levodopa", "Sinemet 25/100"):
        rec = record(medication_request(rxnorm("6375", display)))
        assert [m.ingredient for m in rec.medications] == ["levodopa"]


def test_text_only_drug_is_matched_by_name() -> None:
    rec = record(medication_request(text_only("Cogentin 1 mg tablet")))
    assert [m.ingredient for m in rec.medications] == ["benztropine"]


def test_unknown_drug_is_reported() -> None:
    rec = record(medication_request(rxnorm("198014", "Naproxen 500 MG Oral Tablet")))
    assert not rec.medications
    assert "198014" in rec.unrecognized[0].reason


@pytest.mark.parametrize(
    ("status", "kept", "active"),
    [
        ("active", True, True),
        ("on-hold", True, True),
        ("completed", True, False),
        ("stopped", True, False),
        ("unknown", True, False),
        ("entered-in-error", False, False),
        ("cancelled", False, False),
        ("draft", False, False),
    ],
)
def test_medication_request_status_rules(status: str, kept: bool, active: bool) -> None:
    rec = record(medication_request(rxnorm("5093", "haloperidol"), status=status))
    assert bool(rec.medications) is kept
    assert all(m.active is active for m in rec.medications)


@pytest.mark.parametrize(
    ("status", "kept", "active"),
    [
        ("active", True, True),
        ("completed", True, False),
        ("stopped", True, False),
        ("not-taken", False, False),
        ("intended", False, False),
        ("entered-in-error", False, False),
    ],
)
def test_medication_statement_status_rules(status: str, kept: bool, active: bool) -> None:
    rec = record(medication_statement(rxnorm("3322", "diazepam"), status=status))
    assert bool(rec.medications) is kept
    assert all(m.active is active for m in rec.medications)


def test_stopped_statement_keeps_its_dates_as_history() -> None:
    stmt = medication_statement(
        text_only("trihexyphenidyl 2 mg"), status="stopped", start="2024-01-01", end="2024-06-30"
    )
    trial = record(stmt).trials[0]
    assert (trial.treatment, trial.start, trial.end, trial.active) == (
        "trihexyphenidyl",
        date(2024, 1, 1),
        date(2024, 6, 30),
        False,
    )


@pytest.mark.parametrize(
    ("status", "kept"),
    [("completed", True), ("in-progress", True), ("not-done", False), ("entered-in-error", False)],
)
def test_medication_administration_status_rules(status: str, kept: bool) -> None:
    rec = record(medication_administration(rxnorm("5093", "haloperidol"), status=status))
    assert bool(rec.medications) is kept


def test_administration_records_date_and_route() -> None:
    med = record(
        medication_administration(
            text_only("Diphenhydramine 50 mg injection"), route="Intravenous route"
        )
    ).medications[0]
    assert (med.ingredient, med.start, med.route) == (
        "diphenhydramine",
        date(2026, 11, 20),
        "intravenous",
    )


@pytest.mark.parametrize(
    "code", ["ineffective", "partial-response", "good-response", "not-tolerated"]
)
def test_trial_outcome_in_status_reason(code: str) -> None:
    stmt = medication_statement(
        text_only("trihexyphenidyl"), status="stopped", statusReason=[outcome(code)]
    )
    assert record(stmt).trials[0].outcome is TrialOutcome(code)


def test_trial_outcome_on_a_request_status_reason_and_in_a_note() -> None:
    req = medication_request(
        text_only("baclofen 10 mg"), status="stopped", statusReason=outcome("not-tolerated")
    )
    assert record(req).trials[0].outcome is TrialOutcome.NOT_TOLERATED
    noted = medication_statement(
        text_only("clonazepam"), status="stopped", note=[{"text": "trial-outcome: ineffective"}]
    )
    assert record(noted).trials[0].outcome is TrialOutcome.INEFFECTIVE


def test_unknown_trial_outcome_code_is_reported() -> None:
    stmt = medication_statement(
        text_only("trihexyphenidyl"), statusReason=[concept(coding(OUTCOME, "meh"))]
    )
    rec = record(stmt)
    assert rec.trials[0].outcome is None
    assert any("meh" in u.reason for u in rec.unrecognized)


def test_drug_that_is_not_a_dystonia_treatment_is_a_medication_not_a_trial() -> None:
    rec = record(medication_request(rxnorm("6915", "metoclopramide")))
    assert [m.ingredient for m in rec.medications] == ["metoclopramide"]
    assert rec.trials == ()


def test_contained_medication_is_resolved() -> None:
    req = medication_request(text_only("x"))
    del req["medicationCodeableConcept"]
    req["contained"] = [
        {"resourceType": "Medication", "id": "m1", "code": rxnorm("10390", "tetrabenazine")}
    ]
    req["medicationReference"] = {"reference": "#m1"}
    assert [m.ingredient for m in record(req).medications] == ["tetrabenazine"]


def test_medication_reference_to_a_bundle_medication_is_resolved_by_urn_uuid() -> None:
    med = {"resourceType": "Medication", "id": "b7c1", "code": text_only("Sinemet 25/100")}
    req = medication_request(text_only("x"))
    del req["medicationCodeableConcept"]
    req["medicationReference"] = {"reference": "urn:uuid:b7c1"}
    assert [m.ingredient for m in record(med, req).medications] == ["levodopa"]


def test_medication_ingredient_items_are_read() -> None:
    med = {
        "resourceType": "Medication",
        "id": "combo",
        "code": text_only("house combination"),
        "ingredient": [{"itemCodeableConcept": rxnorm("1292", "baclofen")}],
    }
    req = medication_request(text_only("x"))
    del req["medicationCodeableConcept"]
    req["medicationReference"] = {"reference": "Medication/combo"}
    assert [m.ingredient for m in record(med, req).medications] == ["baclofen"]


def test_dangling_medication_reference_is_reported() -> None:
    req = medication_request(text_only("x"))
    del req["medicationCodeableConcept"]
    req["medicationReference"] = {"reference": "Medication/missing"}
    rec = record(req)
    assert not rec.medications
    assert any("Medication/missing" in u.reason for u in rec.unrecognized)


def test_botulinum_toxin_administration_is_an_injection_with_product_and_units() -> None:
    adm = medication_administration(
        text_only("Botox 100 unit injection"), when="2026-08-01", units=150
    )
    rec = record(adm)
    assert [(i.date, i.product, i.total_units) for i in rec.injections] == [
        (date(2026, 8, 1), "onabotulinumtoxinA", 150.0)
    ]
    assert rec.medications == ()


def test_botulinum_toxin_of_unknown_product_keeps_product_unknown() -> None:
    rec = record(medication_administration(text_only("botulinum toxin injection")))
    assert rec.injections[0].product is None


def test_botulinum_toxin_statement_with_outcome_is_a_trial() -> None:
    stmt = medication_statement(
        text_only("Dysport"), status="completed", statusReason=[outcome("ineffective")]
    )
    trial = record(stmt).trials[0]
    assert (trial.treatment, trial.outcome) == ("botulinum-toxin", TrialOutcome.INEFFECTIVE)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("authoredOn", "2026-13-01"),
        ("status", 3),
        ("medicationCodeableConcept", "haloperidol"),
        ("statusReason", ["ineffective"]),
        ("dosageInstruction", {"route": "oral"}),
    ],
)
def test_malformed_medication_fields_fail_naming_the_field(field: str, value: object) -> None:
    bad = medication_request(rxnorm("5093", "haloperidol"))
    bad[field] = value
    with pytest.raises(FhirInputError, match=rf"meds\.json: MedicationRequest/[^.]+\.{field}"):
        record(bad)


def _dosed(
    value: float, unit: str, frequency: int | None, period: float | None, period_unit: str | None
) -> dict:
    repeat = {
        k: v
        for k, v in (("frequency", frequency), ("period", period), ("periodUnit", period_unit))
        if v is not None
    }
    return {
        "timing": {"repeat": repeat},
        "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit, "code": unit}}],
    }


@pytest.mark.parametrize(
    ("dosage", "expected"),
    [
        (_dosed(5, "mg", 3, 1, "d"), 15.0),
        (_dosed(10, "mg", 1, 8, "h"), 30.0),
        (_dosed(0.5, "g", 2, 1, "d"), 1000.0),
        (_dosed(500, "ug", 1, 1, "d"), 0.5),
        (_dosed(12.5, "mg", None, 1, "d"), 12.5),
        (_dosed(5, "mL", 3, 1, "d"), None),
        (_dosed(5, "mg", 3, None, None), None),
        ({"asNeededBoolean": True, **_dosed(25, "mg", 4, 1, "d")}, None),
    ],
)
def test_daily_dose_is_read_from_dose_and_timing_or_left_unknown(
    dosage: dict, expected: float | None
) -> None:
    req = medication_request(
        text_only("Tetrabenazine 12.5 MG Oral Tablet"), dosageInstruction=[dosage]
    )
    trial = record(req).trials[0]
    assert trial.daily_dose_mg == expected


def test_statement_dosage_gives_the_daily_dose() -> None:
    stmt = medication_statement(
        text_only("trihexyphenidyl 2 mg"), dosage=[_dosed(2, "mg", 3, 1, "d")]
    )
    assert record(stmt).trials[0].daily_dose_mg == 6.0


def test_negative_dose_fails_naming_the_field() -> None:
    req = medication_request(text_only("baclofen"), dosageInstruction=[_dosed(-5, "mg", 3, 1, "d")])
    with pytest.raises(
        FhirInputError, match=r"dosageInstruction\[0\]\.doseAndRate\[0\]\.doseQuantity\.value"
    ):
        record(req)


def test_statement_with_one_date_has_a_start_but_no_end() -> None:
    stmt = medication_statement(text_only("clonazepam"), start=None, effectiveDateTime="2026-03-01")
    med = record(stmt).medications[0]
    assert (med.start, med.end, med.active) == (date(2026, 3, 1), None, True)
