"""Every code and text the generator writes is understood by the FHIR mapping as intended."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest

from dystonia_cds.fhir.extract import extract_facts
from dystonia_cds.fhir.facts import ComorbidityFact, DrugFact, FormFact, UnrecognizedFact
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from dystonia_cds.screening.synth import codes, generate_export

SUBJECT = {"reference": "Patient/p1"}
FORMS = {
    "acute": "acute-drug-induced-dystonia",
    "tardive": "tardive-dystonia",
    "genetic": "genetic-torsion-dystonia",
    "idiopathic": "idiopathic-nonfamilial-dystonia",
    "cervical": "cervical-dystonia",
    "oromandibular": "oromandibular-dystonia",
    "blepharospasm": "blepharospasm",
    "other": "other-dystonia",
    "unspecified": "dystonia-unspecified",
    "writers-cramp": "task-specific-limb-dystonia",
    "laryngeal": "laryngeal-dystonia",
    "dopa-responsive": "dopa-responsive-dystonia",
    "myoclonus": "myoclonus-dystonia",
}


def _facts(resource: dict[str, Any]) -> list[Any]:
    return extract_facts(resource, load_vocabulary())


@pytest.mark.parametrize(("key", "form"), list(FORMS.items()))
def test_each_dystonia_concept_maps_to_its_form(key: str, form: str) -> None:
    facts = _facts(
        {"resourceType": "Condition", "id": "c", "subject": SUBJECT, "code": codes.DYSTONIA[key]}
    )
    assert [f.form for f in facts if isinstance(f, FormFact)] == [form]


@pytest.mark.parametrize("condition", sorted(codes.CONDITIONS))
def test_each_comorbidity_concept_maps_to_its_id(condition: str) -> None:
    facts = _facts(
        {
            "resourceType": "Condition",
            "id": "c",
            "subject": SUBJECT,
            "code": codes.CONDITIONS[condition],
        }
    )
    assert [f.condition for f in facts if isinstance(f, ComorbidityFact)] == [condition]


@pytest.mark.parametrize("ingredient", sorted(codes.DRUGS))
def test_each_drug_concept_maps_to_its_ingredient(ingredient: str) -> None:
    resource = {
        "resourceType": "MedicationRequest",
        "id": "m",
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": codes.DRUGS[ingredient],
    }
    assert [f.ingredient for f in _facts(resource) if isinstance(f, DrugFact)] == [ingredient]


# Expected displays from shared/clinical/reference.md §7.1 (ICD-10-CM) and §7.3 (RxNorm), [key]
REFERENCE_DISPLAYS = {
    "G24.02": "Drug induced acute dystonia",  # R70
    "G24.1": "Genetic torsion dystonia",  # R70
    "G24.2": "Idiopathic nonfamilial dystonia",  # R70
    "G24.3": "Spasmodic torticollis",  # R70
    "G24.4": "Idiopathic orofacial dystonia",  # R70
    "G24.5": "Blepharospasm",  # R70
    "G24.8": "Other dystonia",  # R70
    "G24.9": "Dystonia, unspecified",  # R70
    "E83.01": "Wilson's disease",  # R72
    "G80.3": "Athetoid cerebral palsy",  # R70b
    "3322": "diazepam",  # R73
    "10390": "tetrabenazine",  # R73
    "1292": "baclofen",  # R74
    "6915": "metoclopramide",  # R73
    "5093": "haloperidol",  # R73
}
WRITTEN = [
    c["coding"][0]
    for c in [*codes.DYSTONIA.values(), *codes.CONDITIONS.values(), *codes.DRUGS.values()]
    if "coding" in c
]


@pytest.mark.parametrize("coding", WRITTEN, ids=lambda c: c["code"])
def test_every_written_code_carries_its_reference_display(coding: dict[str, str]) -> None:
    assert coding["display"] == REFERENCE_DISPLAYS[coding["code"]]


@pytest.mark.parametrize("coding", WRITTEN, ids=lambda c: c["code"])
def test_written_codes_agree_with_the_vocabulary_when_it_lists_them(coding: dict[str, str]) -> None:
    folder = resources.files("dystonia_cds.knowledge") / "data" / "vocabulary"
    text = "".join(p.read_text() for p in folder.iterdir() if p.name.endswith(".toml"))
    if f'code = "{coding["code"]}"' in text:
        assert f'code = "{coding["code"]}", display = "{coding["display"]}"' in text


def test_a_generated_export_is_understood_without_unrecognized_input(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=1500, seed=8)
    kinds: Counter[str] = Counter()
    forms: set[str] = set()
    for path in tmp_path.iterdir():
        for line in path.read_bytes().splitlines():
            for fact in _facts(orjson.loads(line)):
                kinds[type(fact).__name__] += 1
                assert not isinstance(fact, UnrecognizedFact), fact
                if isinstance(fact, FormFact):
                    forms.add(fact.form)
    assert forms == set(FORMS.values()) - {"other-dystonia"}
    assert kinds["PatientFact"] == 1500
