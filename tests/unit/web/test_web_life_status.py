"""A deceased patient is shown as deceased with the age at death (Patient.deceased[x])."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.web.life_status import life_status

TODAY = date(2026, 12, 5)
BORN = date(1950, 6, 1)


@dataclass(frozen=True)
class _Record:
    """A record with the fields the domain gains for Patient.deceased[x]."""

    birth_date: date | None
    deceased: bool = False
    deceased_date: date | None = None


def test_a_living_patient_has_todays_age_and_no_note() -> None:
    status = life_status(PatientRecord(patient_id="p", birth_date=BORN), TODAY)
    assert (status.deceased, status.age_years, status.note) == (False, 76, "")


def test_a_patient_with_a_date_of_death_is_shown_with_the_age_at_death() -> None:
    status = life_status(_Record(BORN, deceased_date=date(2025, 3, 2)), TODAY)  # type: ignore[arg-type]
    assert status.deceased
    assert status.age_years == 74
    assert status.note == "Deceased 2025-03-02, aged 74 at death"


def test_deceased_without_a_date_says_the_date_is_not_recorded() -> None:
    status = life_status(_Record(BORN, deceased=True), TODAY)  # type: ignore[arg-type]
    assert status.age_years is None
    assert status.note == "Deceased (date of death not recorded)"


def test_a_date_of_death_before_the_birth_date_gives_no_age() -> None:
    status = life_status(_Record(BORN, deceased_date=date(1940, 1, 1)), TODAY)  # type: ignore[arg-type]
    assert status.age_years is None
    assert status.note == "Deceased 1940-01-01"
