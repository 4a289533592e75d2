"""CDS Hooks card tables: what the service issued (counted per topic) and the feedback EHRs send.

A card's uuid carries a 24-bit key of its topic (the option or alert id; see
`dystonia_cds.cdshooks.cardids`), so no row per issued card is needed:
- `cds_topic`     topic key -> topic code (one row per topic ever issued);
- `cds_issued`    how many cards of a topic a worker issued in one flush interval;
- `cds_feedback`  one row per feedback entry received (accepted / overridden, reason, time).
No patient data is stored in any of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base


class CdsTopic(Base):
    """The topic code behind a topic key found in card uuids."""

    __tablename__ = "cds_topic"

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(100))


class CdsIssued(Base):
    """Cards of one topic issued by one service during one flush interval."""

    __tablename__ = "cds_issued"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(100), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CdsFeedback(Base):
    """One feedback entry about one card, as posted to `/cds-services/{id}/feedback`."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(100))
    card_uuid: Mapped[str] = mapped_column(String(64), index=True)
    topic_key: Mapped[int | None] = mapped_column(Integer)
    topic: Mapped[str | None] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    accepted_suggestions: Mapped[str] = mapped_column(Text, default="")
    override_system: Mapped[str | None] = mapped_column(String(200))
    override_code: Mapped[str | None] = mapped_column(String(100))
    override_display: Mapped[str | None] = mapped_column(String(300))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
