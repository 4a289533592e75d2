"""The audit log: who read or wrote which patient, when, from where, and how it ended.

Entries for successful writes are added in the same transaction as the write, so that a write
and its audit entry stand or fall together; failed calls are audited in their own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dystonia_cds.store.care_models import AuditEntry


def record_call(
    session: Session,
    *,
    actor: str,
    action: str,
    patient_id: str | None,
    client: str | None,
    status: int,
) -> None:
    session.add(
        AuditEntry(
            actor=actor[:200],
            action=action[:200],
            patient_id=patient_id[:36] if patient_id else None,
            client=client[:100] if client else None,
            status=status,
        )
    )


def entries_for_patient(session: Session, patient_id: str) -> Sequence[AuditEntry]:
    """The patient's audit trail, oldest first."""
    query = select(AuditEntry).where(AuditEntry.patient_id == patient_id)
    return session.scalars(query.order_by(AuditEntry.at, AuditEntry.id)).all()
