"""Real-world input: the twelve Synthea R4 transaction Bundles in shared/interop (read in place,
never copied). Each is read without error and shows no active dystonia; the same Bundles with a
dystonia Condition or an acute reaction added are understood like any other input."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from dystonia_cds.domain.patient import DystoniaForm
from dystonia_cds.engine import recommend
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.knowledge import load_knowledge
from fhir_builders import synthea_dir

FILES = sorted(synthea_dir().glob("*.json"))
ON = date(2026, 11, 25)
pytestmark = pytest.mark.skipif(not FILES, reason="shared/interop/synthea-r4 not present")


def _load(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


def _living(b: dict[str, Any]) -> dict[str, Any]:
    """The bundle with its Patient alive: 4 of the 12 Synthea patients died, and a deceased
    patient gets no options; the tests that add a dystonia test the mapping, not that rule."""
    for e in b["entry"]:
        if e["resource"]["resourceType"] == "Patient":
            e["resource"].pop("deceasedDateTime", None)
            e["resource"].pop("deceasedBoolean", None)
    return b


def _patient_key(b: dict[str, Any]) -> str:
    return next(e["fullUrl"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")


def _add(b: dict[str, Any], resource: dict[str, Any]) -> None:
    resource["subject"] = {"reference": _patient_key(b)}
    b["entry"].append(
        {
            "fullUrl": f"urn:uuid:{resource['id']}",
            "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]},
        }
    )


def test_all_twelve_synthea_bundles_are_present() -> None:
    assert len(FILES) == 12


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:20])
def test_synthea_bundle_is_read_and_shows_no_active_dystonia(path: Path) -> None:
    record = read_bundle(path.read_bytes(), source=path.name)
    assert record.birth_date is not None
    assert not record.phenotype.has_dystonia
    rec = recommend(record, load_knowledge(), on=ON)
    assert rec.options == ()
    said = "The patient died" if record.deceased else "No active dystonia recorded"
    assert any(said in n for n in rec.notes)
    assert any(u.location == "input" for u in record.unrecognized)


def test_the_deceased_synthea_patients_are_read_as_deceased() -> None:
    died = [p.name[:14] for p in FILES if read_bundle(p.read_bytes(), source=p.name).deceased]
    assert len(died) == 4, died


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:20])
def test_synthea_bundle_with_cervical_dystonia_added_is_understood(path: Path) -> None:
    b = _living(copy.deepcopy(_load(path)))
    _add(b, {
        "resourceType": "Condition", "id": "11111111-2222-4333-8444-555555555555",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G24.3", "display": "Spasmodic torticollis"}]},
        "onsetDateTime": "2024-01-01T00:00:00+00:00",
    })  # fmt: skip
    record = read_bundle(orjson.dumps(b), source=path.name)
    assert record.phenotype.forms == {DystoniaForm.CERVICAL}
    rec = recommend(record, load_knowledge(), on=ON)
    assert "botulinum-toxin" in {o.id for o in rec.options if o.strength.is_positive}


@pytest.mark.parametrize("path", FILES[:4], ids=lambda p: p.name[:20])
def test_synthea_bundle_with_an_acute_reaction_to_haloperidol_raises_the_critical_alert(
    path: Path,
) -> None:
    b = _living(copy.deepcopy(_load(path)))
    _add(b, {
        "resourceType": "Condition", "id": "21111111-2222-4333-8444-555555555555",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G24.02", "display": "Drug induced acute dystonia"}]},
        "onsetDateTime": "2026-11-24T20:00:00+00:00",
    })  # fmt: skip
    _add(b, {
        "resourceType": "MedicationRequest", "id": "31111111-2222-4333-8444-555555555555", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "5093", "display": "haloperidol"}]},
        "authoredOn": "2026-11-23T09:00:00+00:00",
    })  # fmt: skip
    record = read_bundle(orjson.dumps(b), source=path.name)
    rec = recommend(record, load_knowledge(), on=ON)
    assert rec.alerts[0].id == "acute-dystonic-reaction"
    assert rec.options[0].id in ("diphenhydramine", "benztropine")


def test_synthea_clinical_drug_products_map_to_ingredients_by_name() -> None:
    path = next(p for p in FILES if p.name.startswith("Karena"))
    record = read_bundle(path.read_bytes(), source=path.name)
    assert "hydrocodone" in {m.ingredient for m in record.medications}
