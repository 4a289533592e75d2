"""What the web pages read and write about patients, through the care repository (H4).

One unit of work per request; every read or write of a patient is audited in the same
transaction (`store.audit.record_call`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import PatientNotFound
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.store.care_models import Assessment, InjectionVisit, Patient
from dystonia_cds.store.records import record_from_patient
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web.accounts import SignedIn

log = logging.getLogger(__name__)
MIN_INTERVAL_DAYS = 84  # fallback when the care catalog is absent (reference §3.1, R11/R14/R17)
USUAL_MAX_DAYS = 112


class WebPatientNotFound(Exception):
    """The page names a patient id that does not exist (404 page)."""


@contextmanager
def unit_of_work(ctx: AppContext, *, write: bool = False) -> Iterator[Session]:
    """One transaction; `write=True` for a read-modify-write (store.database.write_transaction:
    on SQLite it holds the write lock from the start, so concurrent edits never interleave)."""
    if write:
        from dystonia_cds.store.database import write_transaction

        with write_transaction(ctx.sessions) as session:
            yield session
        return
    with ctx.sessions.begin() as session:
        yield session


def audit(
    session: Session, user: SignedIn, action: str, patient_id: str | None, status: int = 200
) -> None:
    from dystonia_cds.store.audit import record_call
    from dystonia_cds.web.client_address import current_client

    record_call(
        session,
        actor=f"web:{user.username}",
        action=action,
        patient_id=patient_id,
        client=current_client() or "web",
        status=status,
    )


def require_patient(session: Session, patient_id: str) -> Patient:
    """The patient row alone (no history); `WebPatientNotFound` for an unknown id."""
    try:
        return CareRepository(session).get_patient(patient_id)
    except PatientNotFound as exc:
        raise WebPatientNotFound(patient_id) from exc


def load_history(session: Session, patient_id: str) -> Patient:
    try:
        return CareRepository(session).history(patient_id)
    except PatientNotFound as exc:
        raise WebPatientNotFound(patient_id) from exc


# The patient page shows assessment totals, never item scores: loading the whole history
# without the item rows (`CareRepository.history` loads them) saves about 40 % of the read
# for a 10-year record (bench/web_pages.py).
PAGE_HISTORY = (
    selectinload(Patient.phenotype),
    selectinload(Patient.diagnoses),
    selectinload(Patient.facts),
    selectinload(Patient.medications),
    selectinload(Patient.trials),
    selectinload(Patient.injection_visits).selectinload(InjectionVisit.muscles),
    selectinload(Patient.assessments).raiseload(Assessment.items),
)


def load_page_history(session: Session, patient_id: str) -> Patient:
    """The patient with everything the patient page shows (no assessment item rows)."""
    query = select(Patient).where(Patient.id == patient_id).options(*PAGE_HISTORY)
    patient = session.scalars(query).one_or_none()
    if patient is None:
        raise WebPatientNotFound(patient_id)
    return patient


@dataclass(frozen=True, slots=True)
class PatientView:
    """Everything the patient page shows, read in one transaction."""

    patient: Patient
    record: PatientRecord
    recommendation: Recommendation
    today: date


def read_patient_view(
    ctx: AppContext, user: SignedIn, patient_id: str, on: date, action: str = "web.patient.read"
) -> PatientView:
    """The patient's page data, audited as `action` (the handout and its PDF have their own)."""
    from dystonia_cds.engine import recommend

    with unit_of_work(ctx) as session:
        patient = load_page_history(session, patient_id)
        record = record_from_patient(patient)
        audit(session, user, action, patient_id)
    rec = recommend(record, ctx.knowledge, on=on)
    return PatientView(patient=patient, record=record, recommendation=rec, today=on)


def interval_days() -> tuple[int, int]:
    try:
        from dystonia_cds.knowledge.care_catalog import load_care_catalog

        interval = load_care_catalog().botulinum.interval
        return interval.minimum_days, interval.usual_max_days
    except Exception:  # the catalog is validated at start-up elsewhere
        return MIN_INTERVAL_DAYS, USUAL_MAX_DAYS


def injection_window(last: date | None) -> tuple[date, date] | None:
    """Next re-injection window: 12-16 weeks after the last session (reference §3.1)."""
    if last is None:
        return None
    earliest, latest = interval_days()
    return last + timedelta(days=earliest), last + timedelta(days=latest)


def due_patient_ids(session: Session, on: date) -> set[str]:
    """Patients whose last injection was at least the minimum interval ago."""
    earliest, _ = interval_days()
    last = func.max(InjectionVisit.date)
    query = (
        select(InjectionVisit.patient_id)
        .group_by(InjectionVisit.patient_id)
        .having(last <= on - timedelta(days=earliest))
    )
    return set(session.scalars(query))


def last_injections(session: Session, ids: list[str]) -> dict[str, date]:
    if not ids:
        return {}
    query = (
        select(InjectionVisit.patient_id, func.max(InjectionVisit.date))
        .where(InjectionVisit.patient_id.in_(ids))
        .group_by(InjectionVisit.patient_id)
    )
    return {pid: last for pid, last in session.execute(query)}


def alerts_for(ctx: AppContext, session: Session, patient_id: str, on: date) -> list[Any]:
    from dystonia_cds.engine import recommend

    record = record_from_patient(load_page_history(session, patient_id))
    return list(recommend(record, ctx.knowledge, on=on).alerts)


def patient_name(ctx: AppContext, user: SignedIn, patient_id: str) -> str:
    """The display name of an existing patient (404 otherwise); audited as a read."""
    with unit_of_work(ctx) as session:
        patient = require_patient(session, patient_id)
        audit(session, user, "web.patient.read", patient_id)
        return patient.display_name or "(no name)"
