"""Tables of SMART App Launch (docs/smart.md): launches in flight, EHR users and patients linked to
local accounts and patients, and the EHR tokens of a web session (server-side only, encrypted).

The schema is owned by the migration `0008_smart.py`; keep the two in step (`alembic check`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base

URL = String(2048)  # an iss may carry encoded launch options (test launchers)


class SmartLaunch(Base):
    """An authorization request in flight: found by the SHA-256 of its `state`, used once."""

    __tablename__ = "smart_launches"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    iss: Mapped[str] = mapped_column(URL)
    kind: Mapped[str] = mapped_column(String(16))  # "ehr" or "standalone"
    verifier: Mapped[str] = mapped_column(Text)  # PKCE code verifier, encrypted
    endpoints: Mapped[dict[str, str]] = mapped_column(JSON)  # token_endpoint, jwks_uri, issuer
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SmartUser(Base):
    """An EHR user (`fhirUser` of the id token) and the local clinician account it signs in as."""

    __tablename__ = "smart_users"
    __table_args__ = (UniqueConstraint("iss", "fhir_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    iss: Mapped[str] = mapped_column(URL)
    fhir_user: Mapped[str] = mapped_column(URL)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmartPatient(Base):
    """An EHR patient (`iss`, patient id) linked to the local patient its care tracking uses."""

    __tablename__ = "smart_patients"
    __table_args__ = (UniqueConstraint("iss", "ehr_patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    iss: Mapped[str] = mapped_column(URL)
    ehr_patient_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # what the last read brought: {"read": ["Condition/1", ...], "skipped": ["..."]}
    summary: Mapped[dict[str, list[str]]] = mapped_column(JSON)


class SmartSession(Base):
    """The EHR context of one web session: its patient and tokens (encrypted; never sent out)."""

    __tablename__ = "smart_sessions"

    token_hash: Mapped[str] = mapped_column(
        String(64), ForeignKey("web_sessions.token_hash", ondelete="CASCADE"), primary_key=True
    )
    iss: Mapped[str] = mapped_column(URL)
    # None until a patient is picked (a standalone launch where the EHR gave none)
    ehr_patient_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    patient_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("patients.id", ondelete="CASCADE"), index=True, nullable=True
    )
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    scope: Mapped[str] = mapped_column(Text)
    token_endpoint: Mapped[str] = mapped_column(URL)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
