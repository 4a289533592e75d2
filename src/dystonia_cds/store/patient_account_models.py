"""Tables of the patient companion: patient accounts and the one-time invitations that create
them (issue 13).

A patient account is a `web_users` row with the role "patient" (argon2 password, the same
server-side sessions as clinicians) linked here to exactly one patient. Invitation tokens are
stored only as SHA-256 digests; a link works once and for 7 days.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base

PATIENT_ROLE = "patient"


class PatientAccount(Base):
    """The link from a patient's web account to the one patient it may see."""

    __tablename__ = "patient_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("web_users.id", ondelete="CASCADE"), unique=True, index=True
    )
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PatientInvitation(Base):
    """A one-time link a clinician gave a patient to choose a username and password."""

    __tablename__ = "patient_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
