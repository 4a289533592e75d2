"""Codes decide the concept; text refines a generic code to a more specific form and never
contradicts a specific one (reference §7.1); code hierarchies and dates reach the record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.patient import DystoniaForm, PatientRecord
from dystonia_cds.fhir.mapping import build_record
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from fhir_builders import condition, icd10, patient, snomed

GENERIC = {"G24.09", "G24.8", "G24.9"}
SPECIFIC = {
    "G24.02": "acute-drug-induced-dystonia",
    "G24.1": "genetic-torsion-dystonia",
    "G24.2": "idiopathic-nonfamilial-dystonia",
    "G24.3": "cervical-dystonia",
    "G24.4": "oromandibular-dystonia",
    "G24.5": "blepharospasm",
}
FORM_TEXTS = {
    "tardive-dystonia": "Tardive dystonia",
    "myoclonus-dystonia": "Myoclonus-dystonia",
    "dopa-responsive-dystonia": "Dopa-responsive dystonia",
    "task-specific-limb-dystonia": "Writer's cramp",
    "laryngeal-dystonia": "Laryngeal dystonia",
    "oromandibular-dystonia": "Oromandibular dystonia",
    "cervical-dystonia": "Cervical dystonia",
    "blepharospasm": "Blepharospasm",
}


def _record(*resources: dict[str, Any]) -> PatientRecord:
    return build_record([patient(birth_date="1980-01-01"), *resources], load_vocabulary())


def _forms(code: dict[str, Any], **extra: Any) -> set[str]:
    return {f.value for f in _record(condition(code, **extra)).phenotype.forms}


@pytest.mark.parametrize(
    ("code", "text", "form"),
    [
        ("G24.09", "Tardive dystonia", "tardive-dystonia"),
        ("G24.8", "Myoclonus-dystonia (SGCE)", "myoclonus-dystonia"),
        ("G24.9", "Dopa-responsive dystonia", "dopa-responsive-dystonia"),
        ("G24.9", "Writer's cramp", "task-specific-limb-dystonia"),
        ("G24.8", "Laryngeal dystonia (spasmodic dysphonia)", "laryngeal-dystonia"),
        ("G24.9", "Oromandibular dystonia", "oromandibular-dystonia"),
        ("G24.8", "Tardive dystonia after haloperidol", "tardive-dystonia"),
    ],
)
def test_text_refines_a_generic_dystonia_code(code: str, text: str, form: str) -> None:
    assert _forms(icd10(code, text=text)) == {form}


def test_a_generic_snomed_dystonia_code_is_refined_by_its_text_too() -> None:
    assert _forms(snomed("15802004", "Dystonia", text="Tardive dystonia")) == {"tardive-dystonia"}


def test_a_drug_induced_code_is_not_refined_to_a_form_that_contradicts_it() -> None:
    # G24.09 is drug-induced: text naming a genetic form does not override it
    assert _forms(icd10("G24.09", text="Dopa-responsive dystonia")) == {
        "other-drug-induced-dystonia"
    }


def test_a_generic_code_without_specific_text_keeps_its_own_form() -> None:
    assert _forms(icd10("G24.9", text="Dystonia")) == {"dystonia-unspecified"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SPECIFIC)), st.sampled_from(sorted(FORM_TEXTS)))
def test_text_never_overrides_a_specific_code(code: str, named: str) -> None:
    assert _forms(icd10(code, text=FORM_TEXTS[named])) == {SPECIFIC[code]}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(GENERIC)), st.sampled_from(sorted(FORM_TEXTS)))
def test_a_generic_code_gives_one_known_form_whatever_its_text(code: str, named: str) -> None:
    forms = _forms(icd10(code, text=FORM_TEXTS[named]))
    assert len(forms) == 1
    assert forms <= {f.value for f in DystoniaForm}


def test_an_acute_reaction_without_onset_is_dated_by_its_recorded_date() -> None:
    record = _record(condition(icd10("G24.02"), recordedDate="2026-11-20"))
    assert record.phenotype.acute_date == date(2026, 11, 20)


def test_an_acute_reaction_is_dated_by_its_onset_first() -> None:
    cond = condition(icd10("G24.02"), recordedDate="2026-11-20", onsetDateTime="2026-11-18")
    assert _record(cond).phenotype.acute_date == date(2026, 11, 18)


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("L03.221", "skin-infection-neck"),
        ("H00.033", "skin-infection-eyelid"),
        ("O09.523", "pregnancy"),
        ("Z39.1", "lactation"),
        ("G30.9", "cognitive-impairment"),
        ("F33.41", "depression-in-remission"),
        ("F33.1", "depression"),
        ("T14.91XA", "suicidality"),
        ("K74.60", "hepatic-impairment"),
        ("Z99.2", "renal-impairment"),
        ("G70.2", "neuromuscular-junction-disorder"),
        ("F11.20", "opioid-use"),
    ],
)
def test_a_specific_descendant_code_reaches_its_comorbidity(code: str, concept: str) -> None:
    assert concept in _record(condition(icd10(code))).conditions
