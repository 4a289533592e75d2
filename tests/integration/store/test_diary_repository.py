"""The diary repository on SQLite and PostgreSQL: check-ins come back newest first, stay
editable for 7 days, and a refused entry (named field) changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.domain.errors import InvalidInput, PatientNotFound
from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository
from dystonia_cds.store.records import load_patient_record
from dystonia_cds.store.repository import CareRepository

Sessions = sessionmaker[Session]
TODAY = date(2026, 3, 10)


def _patient(sessions: Sessions) -> str:
    with sessions.begin() as session:
        return CareRepository(session).add_patient(
            birth_date=date(1970, 3, 1), sex="female", display_name="Test Diary"
        )


def _entry(on: date, severity: int = 5, **fields: object) -> DiaryEntryData:
    return DiaryEntryData(date=on, severity=severity, **fields)  # type: ignore[arg-type]


def _add(sessions: Sessions, patient_id: str, data: DiaryEntryData) -> int:
    with sessions.begin() as session:
        return DiaryRepository(session).add(patient_id, data, today=TODAY)


def test_entries_come_back_newest_first_with_every_value(sessions: Sessions) -> None:
    pid = _patient(sessions)
    _add(sessions, pid, _entry(TODAY - timedelta(days=14), 7))
    newest = _add(
        sessions,
        pid,
        _entry(TODAY, 3, benefit_percent=60, side_effects=("dry-mouth",), note="better\nweek"),
    )
    with sessions() as session:
        entries = DiaryRepository(session).list(pid)
    assert [e.severity for e in entries] == [3, 7]
    assert entries[0].id == newest
    assert entries[0].benefit_percent == 60
    assert entries[0].side_effects == ("dry-mouth",)
    assert entries[0].note == "better\nweek"
    assert entries[1].benefit_percent is None


def test_the_stored_record_carries_the_diary_oldest_first(sessions: Sessions) -> None:
    pid = _patient(sessions)
    _add(sessions, pid, _entry(TODAY, 2, side_effects=("trouble-swallowing",)))
    _add(sessions, pid, _entry(TODAY - timedelta(days=7), 6))
    with sessions() as session:
        record = load_patient_record(session, pid)
    assert [e.severity for e in record.diary] == [6, 2]
    assert record.diary[1].side_effects == frozenset({"trouble-swallowing"})
    assert record.diary[1].source.startswith("diary-entry/")


def test_an_entry_can_be_changed_within_seven_days_of_its_date(sessions: Sessions) -> None:
    pid = _patient(sessions)
    day = TODAY - timedelta(days=7)
    entry_id = _add(sessions, pid, _entry(day, 5))
    with sessions.begin() as session:
        DiaryRepository(session).update(pid, entry_id, _entry(day, 4, benefit_percent=30), TODAY)
    with sessions() as session:
        stored = DiaryRepository(session).get(pid, entry_id)
    assert (stored.severity, stored.benefit_percent) == (4, 30)


def test_an_entry_older_than_seven_days_is_refused_naming_its_date(sessions: Sessions) -> None:
    pid = _patient(sessions)
    day = TODAY - timedelta(days=8)
    entry_id = _add(sessions, pid, _entry(day, 5))
    with pytest.raises(InvalidInput, match=str(day)), sessions.begin() as session:
        DiaryRepository(session).update(pid, entry_id, _entry(day, 1), TODAY)
    with sessions() as session:
        assert DiaryRepository(session).get(pid, entry_id).severity == 5


def test_another_patients_entry_cannot_be_changed(sessions: Sessions) -> None:
    owner, other = _patient(sessions), _patient(sessions)
    entry_id = _add(sessions, owner, _entry(TODAY, 5))
    with pytest.raises(InvalidInput, match="no diary entry"), sessions.begin() as session:
        DiaryRepository(session).update(other, entry_id, _entry(TODAY, 1), TODAY)
    with sessions() as session:
        assert DiaryRepository(session).list(other) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"severity": 11}, "severity"),
        ({"severity": -1}, "severity"),
        ({"benefit_percent": 101}, "benefit_percent"),
        ({"side_effects": ("headache-xyz",)}, "side_effects"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "bell\x07"}, "note"),
        ({"date": TODAY + timedelta(days=1)}, "date"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field_and_nothing_is_stored(
    sessions: Sessions, fields: dict[str, object], field: str
) -> None:
    pid = _patient(sessions)
    values: dict[str, object] = {"date": TODAY, "severity": 5, **fields}
    with pytest.raises(InvalidInput) as caught, sessions.begin() as session:
        DiaryRepository(session).add(pid, DiaryEntryData(**values), today=TODAY)  # type: ignore[arg-type]
    assert caught.value.location == field
    with sessions() as session:
        assert DiaryRepository(session).list(pid) == []


def test_an_unknown_patient_is_not_found(sessions: Sessions) -> None:
    with pytest.raises(PatientNotFound), sessions.begin() as session:
        DiaryRepository(session).add("no-such-patient", _entry(TODAY), today=TODAY)
