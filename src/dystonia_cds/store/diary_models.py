"""The patient diary: one row per weekly check-in (issue "Patient companion").

Patient-reported values: symptom severity 0-10, the benefit of the last toxin injection as a
percentage (optional), side effects as ids of `DIARY_SIDE_EFFECTS` (a JSON list) and a note.
The schema is owned by the migration `0012_diary.py`; keep the two in step (`alembic check`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base
from dystonia_cds.store.care_models import ID, utc_now


class DiaryEntryRow(Base):
    __tablename__ = "diary_entries"
    __table_args__ = (
        CheckConstraint("severity >= 0 AND severity <= 10", name="severity_range"),
        CheckConstraint(
            "benefit_percent IS NULL OR (benefit_percent >= 0 AND benefit_percent <= 100)",
            name="benefit_range",
        ),
        Index("ix_diary_entries_patient_date", "patient_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ID, ForeignKey("patients.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    severity: Mapped[int] = mapped_column(Integer)
    benefit_percent: Mapped[int | None] = mapped_column(Integer)
    side_effects: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )
