"""Alert acknowledgements from the web app: a clinician acknowledged or overrode one warning
or critical alert of one patient, with a coded reason (the CDS Hooks override reasons) and a
comment. `digest` (see `web.alert_actions.alert_digest`) ties the row to the facts behind the
alert: while the alert's digest is unchanged it stays quiet; a change of facts shows it again.
Rows are never updated: a later answer adds a row, and the latest one counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base

OUTCOMES = ("acknowledged", "overridden")


class AlertAcknowledgement(Base):
    __tablename__ = "alert_acknowledgements"
    __table_args__ = (
        Index("ix_alert_acknowledgements_lookup", "patient_id", "alert_id", "digest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(String(64))
    alert_id: Mapped[str] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(100))
    reason_display: Mapped[str | None] = mapped_column(String(300))
    comment: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
