"""FHIR export of a stored patient and import of that export: the reader understands all of
it, every field the profile knows survives, and a second round trip changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.api.fhir_export import concept, patient_bundle
from dystonia_cds.api.records import display_name
from dystonia_cds.domain.patient import (
    BodyRegion,
    Distribution,
    DystoniaForm,
    Medication,
    PatientRecord,
    TreatmentTrial,
    TrialOutcome,
)
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.fhir.matching import match_concepts
from dystonia_cds.knowledge.vocabulary import COMORBIDITY_IDS, load_vocabulary
from dystonia_cds.store.care_values import (
    DiagnosisData,
    InjectionVisitData,
    MuscleDose,
    PhenotypeData,
)
from dystonia_cds.store.records import load_patient_record
from dystonia_cds.store.repository import CareRepository

Sessions = sessionmaker[Session]


def _store_rich_patient(sessions: Sessions) -> str:
    with sessions.begin() as session:
        repo = CareRepository(session)
        pid = repo.add_patient(
            birth_date=date(1990, 6, 15), sex="male", display_name="Test Export", weight_kg=72.5
        )
        repo.replace_phenotype(
            pid,
            PhenotypeData(
                diagnoses=(
                    DiagnosisData("cervical-dystonia", ("neck",), onset_age_years=25.0),
                    DiagnosisData("task-specific-limb-dystonia", ("upper-limb",)),
                ),
                distribution="multifocal",
                course="static",
                variability=("action-specific",),
                association="isolated",
                etiology="idiopathic",
                genes=("THAP1",),
                conditions=("epilepsy", "narrow-angle-glaucoma"),
                findings=("wilson-disease-excluded", "cyp2d6-poor-metabolizer", "cyp2d6-genotyped"),
            ),
        )
        repo.add_trial(pid, TreatmentTrial("trihexyphenidyl", date(2019, 1, 1), date(2019, 3, 1),
                                           outcome=TrialOutcome.NOT_TOLERATED), note="confused")  # fmt: skip
        repo.add_trial(pid, TreatmentTrial("deep-brain-stimulation", date(2022, 5, 1), active=True,
                                           outcome=TrialOutcome.PARTIAL_RESPONSE))  # fmt: skip
        repo.add_trial(pid, TreatmentTrial("rehabilitation-therapy", date(2020, 1, 1), date(2020, 6, 1),
                                           outcome=TrialOutcome.GOOD_RESPONSE))  # fmt: skip
        repo.add_medication(pid, Medication("clonazepam", date(2021, 1, 1), route="oral"))
        repo.add_injection_visit(
            pid,
            InjectionVisitData(
                date(2023, 2, 1),
                "incobotulinumtoxinA",
                "cervical-dystonia",
                (
                    MuscleDose("sternocleidomastoid", "left", 50.0),
                    MuscleDose("trapezius", "right", 70.0),
                ),
            ),
        )
    return pid


def _round_trip(sessions: Sessions, pid: str) -> tuple[dict[str, object], PatientRecord, str]:
    with sessions() as session:
        bundle = patient_bundle(CareRepository(session).history(pid))
    read = read_bundle(bundle, source="export")
    with sessions.begin() as session:
        new_id = CareRepository(session).import_record(read, display_name=display_name(bundle))
    return bundle, read, new_id


def _without_ids(record: PatientRecord) -> PatientRecord:
    return dataclasses.replace(
        record,
        patient_id="",
        trials=tuple(dataclasses.replace(t, source="") for t in record.trials),
        injections=tuple(dataclasses.replace(i, source="") for i in record.injections),
        medications=tuple(dataclasses.replace(m, source="") for m in record.medications),
    )


def test_the_reader_understands_every_part_of_an_export(sessions: Sessions) -> None:
    _, read, _ = _round_trip(sessions, _store_rich_patient(sessions))
    assert read.unrecognized == ()


def test_every_field_the_profile_knows_survives_export_and_import(sessions: Sessions) -> None:
    _, _, new_id = _round_trip(sessions, _store_rich_patient(sessions))
    with sessions() as session:
        back = load_patient_record(session, new_id)
        assert CareRepository(session).get_patient(new_id).display_name == "Test Export"
    assert (back.birth_date, back.sex.value, back.weight_kg) == (date(1990, 6, 15), "male", 72.5)
    ph = back.phenotype
    assert ph.forms == {DystoniaForm.CERVICAL, DystoniaForm.TASK_SPECIFIC_LIMB}
    assert ph.regions == {BodyRegion.NECK, BodyRegion.UPPER_LIMB}
    assert ph.distribution is Distribution.MULTIFOCAL
    assert (ph.course, ph.association, ph.etiology) == ("static", "isolated", "idiopathic")
    assert ph.variability == {"action-specific"}
    assert ph.onset_age_years == 25.0
    assert ph.genes == {"THAP1"}
    assert back.conditions == {"epilepsy", "narrow-angle-glaucoma"}
    assert back.findings == {
        "wilson-disease-excluded",
        "cyp2d6-poor-metabolizer",
        "cyp2d6-genotyped",
    }
    trials = {(t.treatment, t.start, t.end, t.active, t.outcome) for t in back.trials}
    assert trials >= {
        ("trihexyphenidyl", date(2019, 1, 1), date(2019, 3, 1), False, TrialOutcome.NOT_TOLERATED),
        ("deep-brain-stimulation", date(2022, 5, 1), None, True, TrialOutcome.PARTIAL_RESPONSE),
        (
            "rehabilitation-therapy",
            date(2020, 1, 1),
            date(2020, 6, 1),
            False,
            TrialOutcome.GOOD_RESPONSE,
        ),
    }
    assert [(i.date, i.product, i.total_units) for i in back.injections] == [
        (date(2023, 2, 1), "incobotulinumtoxinA", 120.0)
    ]
    assert ("clonazepam", date(2021, 1, 1), True, "oral") in {
        (m.ingredient, m.start, m.active, m.route) for m in back.medications
    }


def test_importing_the_export_yields_an_equal_record(sessions: Sessions) -> None:
    _, read, first = _round_trip(sessions, _store_rich_patient(sessions))
    _, read_again, second = _round_trip(sessions, first)
    with sessions() as session:
        imported = load_patient_record(session, first)
        reimported = load_patient_record(session, second)
    assert _without_ids(imported) == _without_ids(read)
    assert _without_ids(reimported) == _without_ids(imported)
    assert _without_ids(read_again) == _without_ids(read)


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("form", [f.value for f in DystoniaForm]),
        ("region", [r.value for r in BodyRegion]),
        ("condition", sorted(COMORBIDITY_IDS)),
        ("ingredient", sorted(load_vocabulary().concept_ids("ingredient"))),
        ("botulinum-toxin", sorted(load_vocabulary().concept_ids("botulinum-toxin"))),
    ],
)
def test_every_exported_concept_reads_back_as_exactly_itself(kind: str, ids: list[str]) -> None:
    vocab = load_vocabulary()
    for concept_id in ids:
        value = concept(vocab, concept_id)
        codings = [(c["system"], c["code"], c["display"]) for c in value.get("coding", [])]
        assert match_concepts(vocab, (kind,), codings, value["text"]) == [(kind, concept_id)]


def test_only_verified_codes_are_emitted_with_their_display() -> None:
    vocab = load_vocabulary()
    assert concept(vocab, "cervical-dystonia")["coding"] == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "G24.3",
            "display": vocab.emit_code("cervical-dystonia").display,
        }  # type: ignore[union-attr]
    ]
    # RxNorm verified in reference §7.3 (R79) since 2026-12-05
    assert concept(vocab, "trihexyphenidyl")["coding"] == [
        {
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
            "code": "10811",
            "display": "trihexyphenidyl",
        }
    ]
    assert "coding" not in concept(vocab, "abobotulinumtoxinA")  # no verified code (§7.3 [U])
    assert concept(vocab, "body-weight")["coding"][0]["code"] == "29463-7"
