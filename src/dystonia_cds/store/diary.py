"""The patient diary store: `DiaryRepository(session)`.

- `add(patient_id, data)` stores a weekly check-in and answers its id;
- `update(patient_id, entry_id, data, today)` changes one within `EDITABLE_DAYS` of its date;
- `list(patient_id)` answers the patient's entries newest first;
- `entries(patient_id)` answers them as domain `DiaryEntry` values, oldest first (the engine's order).

Every entry is validated first (`diary_values.validate_entry`); a refused one changes nothing.
Unknown patients raise `PatientNotFound`; an entry of another patient is refused as unknown.
"""

from __future__ import annotations

import builtins
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS, DiaryEntry
from dystonia_cds.store.diary_models import DiaryEntryRow
from dystonia_cds.store.diary_values import (
    EDITABLE_DAYS,
    SOURCE_MAX,
    DiaryEntryData,
    StoredDiaryEntry,
    check_editable,
    validate_entry,
)
from dystonia_cds.store.repository import CareRepository

__all__ = [
    "EDITABLE_DAYS",
    "DiaryEntryData",
    "DiaryRepository",
    "StoredDiaryEntry",
]


class DiaryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._care = CareRepository(session)

    def add(self, patient_id: str, data: DiaryEntryData, *, today: date | None = None) -> int:
        """Store a check-in; with `today`, a date after it is refused."""
        validate_entry(data, today)
        self._care.get_patient(patient_id)
        row = DiaryEntryRow(patient_id=patient_id)
        _fill(row, data)
        self.session.add(row)
        self.session.flush()
        return row.id

    def update(self, patient_id: str, entry_id: int, data: DiaryEntryData, today: date) -> None:
        """Replace a check-in's values; refused (naming the date) once it is over 7 days old."""
        validate_entry(data, today)
        self._care.lock_patient(patient_id)
        row = self.session.get(DiaryEntryRow, entry_id, populate_existing=True)
        if row is None or row.patient_id != patient_id:
            raise InvalidInput(f"no diary entry {entry_id} for this patient", location="id")
        check_editable(row.date, today)
        check_editable(data.date, today)
        _fill(row, data)
        self.session.flush()

    def add_imported(self, patient_id: str, entries: tuple[DiaryEntry, ...]) -> None:
        """Store check-ins read from outside (a FHIR import); a refused one names its source."""
        for entry in entries:
            data = DiaryEntryData(
                date=entry.date,
                severity=entry.severity,
                benefit_percent=entry.benefit_percent,
                side_effects=tuple(sorted(entry.side_effects)),
                note=entry.note,
                source=entry.source[:SOURCE_MAX],
            )
            try:
                self.add(patient_id, data)
            except InvalidInput as exc:
                raise InvalidInput(str(exc), location=entry.source or "diary") from exc

    def get(self, patient_id: str, entry_id: int) -> StoredDiaryEntry:
        row = self.session.get(DiaryEntryRow, entry_id)
        if row is None or row.patient_id != patient_id:
            raise InvalidInput(f"no diary entry {entry_id} for this patient", location="id")
        return _stored(row)

    def list(self, patient_id: str) -> builtins.list[StoredDiaryEntry]:
        """The patient's check-ins, newest first (by date, then the later stored first)."""
        self._care.get_patient(patient_id)
        query = (
            select(DiaryEntryRow)
            .where(DiaryEntryRow.patient_id == patient_id)
            .order_by(DiaryEntryRow.date.desc(), DiaryEntryRow.id.desc())
        )
        return [_stored(row) for row in self.session.scalars(query)]

    def entries(self, patient_id: str) -> tuple[DiaryEntry, ...]:
        """The check-ins as the engine reads them, oldest first (no patient check)."""
        query = (
            select(DiaryEntryRow)
            .where(DiaryEntryRow.patient_id == patient_id)
            .order_by(DiaryEntryRow.date, DiaryEntryRow.id)
        )
        return tuple(_stored(row).to_domain() for row in self.session.scalars(query))


def _fill(row: DiaryEntryRow, data: DiaryEntryData) -> None:
    row.date = data.date
    row.severity = data.severity
    row.benefit_percent = data.benefit_percent
    chosen = set(data.side_effects)
    row.side_effects = [s for s in DIARY_SIDE_EFFECTS if s in chosen]  # the checklist's order
    row.note = data.note
    row.source = data.source


def _stored(row: DiaryEntryRow) -> StoredDiaryEntry:
    return StoredDiaryEntry(
        id=row.id,
        date=row.date,
        severity=row.severity,
        benefit_percent=row.benefit_percent,
        side_effects=tuple(row.side_effects or ()),
        note=row.note,
        source=row.source,
    )
