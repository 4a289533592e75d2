"""What the diary repository is given to store, and the checks every entry passes first.

`validate_entry` refuses, naming the field: a severity outside 0-10, a benefit outside 0-100,
a side effect that is not one of `DIARY_SIDE_EFFECTS`, a note longer than `NOTE_MAX` characters,
and control characters (NUL included) in the note or the source; a note may hold line breaks
and tabs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS, DiaryEntry

NOTE_MAX = 2000
SOURCE_MAX = 200
EDITABLE_DAYS = 7  # an entry can be changed for 7 days after its date (issue "Patient companion")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class DiaryEntryData:
    """One weekly check-in as the patient (or an import) gives it."""

    date: date
    severity: int
    benefit_percent: int | None = None
    side_effects: tuple[str, ...] = ()
    note: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class StoredDiaryEntry:
    """A stored check-in with its row id (detached from the session)."""

    id: int
    date: date
    severity: int
    benefit_percent: int | None
    side_effects: tuple[str, ...]
    note: str
    source: str

    def to_domain(self) -> DiaryEntry:
        return DiaryEntry(
            date=self.date,
            severity=self.severity,
            benefit_percent=self.benefit_percent,
            side_effects=frozenset(self.side_effects),
            note=self.note,
            source=self.source or f"diary-entry/{self.id}",
        )


def validate_entry(data: DiaryEntryData, today: date | None = None) -> None:
    """Raise `InvalidInput` naming the first field that is wrong."""
    _check_int(data.severity, 0, 10, "severity")
    if data.benefit_percent is not None:
        _check_int(data.benefit_percent, 0, 100, "benefit_percent")
    unknown = sorted(set(data.side_effects) - set(DIARY_SIDE_EFFECTS))
    if unknown:
        known = ", ".join(DIARY_SIDE_EFFECTS)
        raise InvalidInput(
            f"unknown side effect {unknown[0]!r} (known: {known})", location="side_effects"
        )
    _check_text(data.note, NOTE_MAX, "note")
    _check_text(data.source, SOURCE_MAX, "source")
    if today is not None and data.date > today:
        raise InvalidInput(f"{data.date} is in the future", location="date")


def check_editable(entry_date: date, today: date) -> None:
    """Entries can be changed until `EDITABLE_DAYS` days after their date."""
    if today - entry_date > timedelta(days=EDITABLE_DAYS):
        raise InvalidInput(
            f"the entry of {entry_date} can no longer be changed "
            f"(entries are editable for {EDITABLE_DAYS} days after their date)",
            location="date",
        )


def _check_int(value: object, low: int, high: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"must be a whole number from {low} to {high}", location=field)
    if not low <= value <= high:
        raise InvalidInput(f"{value} is outside {low}-{high}", location=field)


def _check_text(value: str, limit: int, field: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput("must be text", location=field)
    if _CONTROL.search(value):
        raise InvalidInput("contains a control character (e.g. NUL)", location=field)
    if len(value) > limit:
        raise InvalidInput(f"is longer than {limit} characters", location=field)
