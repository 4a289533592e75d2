"""How the patient page names a patient who has died (FHIR Patient.deceased[x]).

Reads `deceased` (Patient.deceasedBoolean) and `deceased_date` (Patient.deceasedDateTime)
from the patient record; a record without them is a living patient. The age shown for a
deceased patient is the age at death, never the age they would have today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dystonia_cds.domain.patient import PatientRecord, age_in_years


@dataclass(frozen=True, slots=True)
class LifeStatus:
    deceased: bool
    age_years: int | None  # today's age, or the age at death
    note: str  # "" for a living patient; e.g. "Deceased 2025-03-02, aged 71"


def life_status(record: PatientRecord, today: date) -> LifeStatus:
    died: date | None = getattr(record, "deceased_date", None)
    deceased = bool(getattr(record, "deceased", False)) or died is not None
    birth = record.birth_date
    if not deceased:
        return LifeStatus(False, age_in_years(birth, today) if birth else None, "")
    if died is None:
        return LifeStatus(True, None, "Deceased (date of death not recorded)")
    age = age_in_years(birth, died) if birth and birth <= died else None
    aged = f", aged {age} at death" if age is not None else ""
    return LifeStatus(True, age, f"Deceased {died.isoformat()}{aged}")
