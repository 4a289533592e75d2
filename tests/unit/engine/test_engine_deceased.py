"""A deceased patient (FHIR Patient.deceased[x]) gets no options and no alerts, and is shown
with the age at death."""

from __future__ import annotations

from datetime import date

from builders import patient
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.engine import alert_ids, recommend
from dystonia_cds.fhir.mapping import build_record
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from fhir_builders import condition, icd10
from fhir_builders import patient as fhir_patient

ON = date(2026, 11, 25)


def _record(**deceased: object) -> PatientRecord:
    person = {**fhir_patient(birth_date="1950-06-01"), **deceased}
    return build_record([person, condition(icd10("G24.3"))], load_vocabulary())


def test_a_deceased_date_is_read_and_the_age_is_the_age_at_death() -> None:
    record = _record(deceasedDateTime="2025-03-02")
    assert record.deceased
    assert record.deceased_date == date(2025, 3, 2)
    rec = recommend(record, load_knowledge(), on=ON)
    assert rec.age_years == 74
    assert rec.options == ()
    assert rec.alerts == ()
    assert any("died on 2025-03-02" in n for n in rec.notes)


def test_deceased_true_without_a_date_is_deceased_too() -> None:
    record = _record(deceasedBoolean=True)
    assert record.deceased
    assert alert_ids(record, load_knowledge(), on=ON) == ()


def test_a_living_patient_is_not_deceased() -> None:
    assert not _record(deceasedBoolean=False).deceased
    living = patient(age=40, forms=["cervical-dystonia"], onset_age=35)
    assert recommend(living, load_knowledge(), on=ON).options
