"""Store side of SMART App Launch: launches in flight (used once), EHR users mapped to local
clinician accounts, EHR patients linked to local patients, and the EHR tokens of a web session.

A linked patient's rows read from the EHR carry the FHIR reference they came from as `source`
("Condition/12"); rows recorded here carry "web" or nothing. A refresh from the EHR replaces the
EHR's rows and the phenotype, and keeps what was recorded here (injections, scales, trials,
feedback). Tokens are stored as the caller hands them (encrypted by the web layer).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dystonia_cds.domain.patient import Injection, PatientRecord
from dystonia_cds.store.account_models import WebSession, WebUser
from dystonia_cds.store.care_models import (
    Assessment,
    InjectionVisit,
    MedicationUse,
    PatientFact,
    TreatmentTrialRow,
)
from dystonia_cds.store.care_values import InjectionVisitData
from dystonia_cds.store.repository import CareRepository, phenotype_data
from dystonia_cds.store.smart_models import SmartLaunch, SmartPatient, SmartSession, SmartUser

# A password hash no password matches (argon2 refuses it): EHR accounts sign in only through SMART.
NO_PASSWORD = "!smart-launch-only"  # noqa: S105 - not a password: a hash nothing matches
EHR_ROW = "%/%"  # a `source` holding a FHIR reference ("MedicationStatement/7") came from the EHR


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite drops the zone of stored datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# launches in flight ------------------------------------------------------------------------
def save_launch(
    session: Session,
    state_hash: str,
    *,
    iss: str,
    kind: str,
    verifier: str,
    endpoints: dict[str, str],
    ttl_s: int,
) -> None:
    session.execute(delete(SmartLaunch).where(SmartLaunch.expires_at < now()))
    session.add(
        SmartLaunch(
            state_hash=state_hash,
            iss=iss,
            kind=kind,
            verifier=verifier,
            endpoints=endpoints,
            expires_at=now() + timedelta(seconds=ttl_s),
        )
    )


def take_launch(session: Session, state_hash: str) -> SmartLaunch | None:
    """The launch with this state, removed so that it is used at most once; None if unknown or
    expired."""
    launch = session.get(SmartLaunch, state_hash)
    if launch is None:
        return None
    session.delete(launch)
    session.flush()
    return launch if as_utc(launch.expires_at) > now() else None


# clinicians --------------------------------------------------------------------------------
def clinician_for(session: Session, iss: str, fhir_user: str) -> WebUser:
    """The local clinician account of an EHR user, created on first launch (no password: it
    signs in only through the EHR)."""
    query = select(WebUser).join(SmartUser, SmartUser.user_id == WebUser.id)
    user = session.scalars(
        query.where(SmartUser.iss == iss, SmartUser.fhir_user == fhir_user)
    ).first()
    if user is not None:
        return user
    digest = hashlib.sha256(f"{iss}\n{fhir_user}".encode()).hexdigest()[:16]
    user = WebUser(
        username=f"ehr-{digest}",
        role="clinician",
        password_hash=NO_PASSWORD,
        active=True,
        created_at=now(),
    )
    session.add(user)
    session.flush()
    session.add(SmartUser(iss=iss, fhir_user=fhir_user, user_id=user.id, created_at=now()))
    return user


# patients ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EhrRead:
    """What one read of the EHR brought for one patient."""

    iss: str
    ehr_patient_id: str
    record: PatientRecord
    display_name: str | None
    summary: dict[str, list[str]]


def find_link(session: Session, iss: str, ehr_patient_id: str) -> SmartPatient | None:
    query = select(SmartPatient).where(
        SmartPatient.iss == iss, SmartPatient.ehr_patient_id == ehr_patient_id
    )
    return session.scalars(query).first()


def link_of(session: Session, patient_id: str) -> SmartPatient | None:
    """The EHR link of a local patient, if it came from an EHR."""
    return session.scalars(
        select(SmartPatient).where(SmartPatient.patient_id == patient_id)
    ).first()


def store_ehr_read(session: Session, read: EhrRead) -> str:
    """The local patient for the EHR patient, created on first read, else refreshed."""
    repo = CareRepository(session)
    link = find_link(session, read.iss, read.ehr_patient_id)
    if link is None:
        patient_id = repo.import_record(read.record, display_name=read.display_name)
        link = SmartPatient(iss=read.iss, ehr_patient_id=read.ehr_patient_id, patient_id=patient_id)
        session.add(link)
    else:
        _refresh(repo, link.patient_id, read)
    link.read_at = now()
    link.summary = read.summary
    session.flush()
    return link.patient_id


def _refresh(repo: CareRepository, patient_id: str, read: EhrRead) -> None:
    record = read.record
    changes: dict[str, Any] = {"birth_date": record.birth_date, "sex": record.sex.value}
    if read.display_name:
        changes["display_name"] = read.display_name
    repo.update_patient(patient_id, changes)
    # the facts go first: replacing a collection inserts the new rows before deleting the old,
    # and an unchanged (kind, code) would collide with itself on the unique key
    repo.session.execute(delete(PatientFact).where(PatientFact.patient_id == patient_id))
    repo.replace_phenotype(patient_id, phenotype_data(record))
    for table in (MedicationUse, TreatmentTrialRow, InjectionVisit):
        repo.session.execute(
            delete(table).where(table.patient_id == patient_id, table.source.like(EHR_ROW))
        )
    for medication in record.medications:
        repo.add_medication(patient_id, medication)
    for trial in record.trials:
        repo.add_trial(patient_id, trial)
    for injection in record.injections:
        repo.add_injection_visit(patient_id, _visit(injection))


def _visit(injection: Injection) -> InjectionVisitData:
    return InjectionVisitData(
        date=injection.date,
        product=injection.product,
        indication=injection.indication,
        total_units=injection.total_units,
        source=injection.source,
    )


# EHR tokens of a web session --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens as stored (the web layer encrypts them before they get here)."""

    access_token: str
    refresh_token: str | None
    scope: str
    expires_at: datetime


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_smart_session(
    session: Session,
    web_token: str,
    *,
    iss: str,
    token_endpoint: str,
    tokens: Tokens,
    patient: tuple[str, str] | None,
) -> None:
    """Attach the EHR context to a new web session; `patient` is (EHR id, local id) when known."""
    session.flush()  # the web session row must exist first (foreign key)
    session.add(
        SmartSession(
            token_hash=session_digest(web_token),
            iss=iss,
            ehr_patient_id=patient[0] if patient else None,
            patient_id=patient[1] if patient else None,
            token_endpoint=token_endpoint,
            **_token_columns(tokens),
        )
    )


def _token_columns(tokens: Tokens) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "scope": tokens.scope,
        "expires_at": tokens.expires_at,
    }


def smart_session(session: Session, web_token: str) -> SmartSession | None:
    """The EHR context of a live web session, if it was opened through SMART."""
    digest = session_digest(web_token)
    row = session.get(SmartSession, digest)  # most sessions are not SMART: one key lookup
    if row is None:
        return None
    web = session.get(WebSession, digest)
    return row if web is not None and as_utc(web.expires_at) > now() else None


def set_tokens(row: SmartSession, tokens: Tokens) -> None:
    for name, value in _token_columns(tokens).items():
        setattr(row, name, value)


def set_patient(row: SmartSession, ehr_patient_id: str, patient_id: str) -> None:
    row.ehr_patient_id, row.patient_id = ehr_patient_id, patient_id


# what may be sent back to the EHR -----------------------------------------------------------
def recorded_here(session: Session, patient_id: str, limit: int = 5) -> dict[str, list[Any]]:
    """The latest injection visits and rating-scale assessments recorded in this app (not read
    from the EHR), newest first."""
    visits = session.scalars(
        select(InjectionVisit)
        .where(InjectionVisit.patient_id == patient_id, InjectionVisit.source.not_like(EHR_ROW))
        .order_by(InjectionVisit.date.desc(), InjectionVisit.id.desc())
        .limit(limit)
    )
    assessments = session.scalars(
        select(Assessment)
        .where(Assessment.patient_id == patient_id)
        .order_by(Assessment.date.desc(), Assessment.id.desc())
        .limit(limit)
    )
    return {"injection": list(visits), "assessment": list(assessments)}


def recorded_row(session: Session, kind: str, patient_id: str, row_id: int) -> Any:
    """One injection visit or assessment of the patient recorded here, or None."""
    row: InjectionVisit | Assessment | None
    if kind == "injection":
        row = session.get(InjectionVisit, row_id)
        if row is not None and "/" in (row.source or ""):
            return None  # it came from the EHR
    elif kind == "assessment":
        row = session.get(Assessment, row_id)
    else:
        return None
    return row if row is not None and row.patient_id == patient_id else None
