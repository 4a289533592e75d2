"""CDS Hooks card tables: the cards the service issued and the feedback EHRs send about them.

`cds_card` records each issued card's uuid with its topic (the option or alert id), so that
feedback, which names only the card uuid, can be summarised per topic. `cds_feedback` holds
one row per feedback entry received (accepted / overridden, override reason, time).
No patient data is stored in either table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base


class CdsCard(Base):
    """A card issued by a CDS Hooks service call."""

    __tablename__ = "cds_card"

    uuid: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(100), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CdsFeedback(Base):
    """One feedback entry about one card, as posted to `/cds-services/{id}/feedback`."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(100))
    card_uuid: Mapped[str] = mapped_column(String(64), index=True)
    topic: Mapped[str | None] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    accepted_suggestions: Mapped[str] = mapped_column(Text, default="")
    override_system: Mapped[str | None] = mapped_column(String(200))
    override_code: Mapped[str | None] = mapped_column(String(100))
    override_display: Mapped[str | None] = mapped_column(String(300))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
