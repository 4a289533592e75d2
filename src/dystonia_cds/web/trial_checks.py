"""The checks of a treatment trial being recorded, shown before it is saved (issue 10, 2).

A trial that is ongoing makes its drug one being taken. The patient's stored record with the
proposed trial added goes through the engine (`recommend`), and the alerts about a drug in
use that concern this trial are shown on the form: a daily dose above a reference limit
(`dose-above-limit`, naming the limit and its source), a contraindication or caution for a
drug being taken, tetrabenazine with depression or suicidality. An alert concerns the trial
when it names the drug, or appears or changes only because of the trial.

Saving with such checks needs a second, deliberate step: the form comes back with the checks
and a tick box; the tick counts only for the checks shown (a digest of them travels with the
form), so a changed dose or record is checked and confirmed afresh. Nothing is stored before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import PatientRecord, TreatmentTrial
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.store.records import record_from_patient
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import (
    audit,
    load_page_history,
    require_patient,
    unit_of_work,
)

# The engine's alerts about a drug being taken (engine.history, engine.plan, alerts.toml).
DRUG_ALERTS = frozenset(
    {
        "dose-above-limit",
        "contraindicated-drug-in-use",
        "caution-drug-in-use",
        "tetrabenazine-depression",
    }
)
CONFIRM = "confirm_warnings"  # the tick box
SEEN = "checks_seen"  # the digest of the checks the tick box confirms
REVIEW = "Review the checks above, then tick the box to save anyway."
CHANGED = (
    "The checks changed since they were shown (the drug, dose or record changed): "
    "review them, then tick the box again."
)


def with_trial(record: PatientRecord, trial: TreatmentTrial) -> PatientRecord:
    """The record with the proposed trial first: the engine reads the first daily dose it
    finds for a drug, and the dose being checked is the one now entered (a dose change
    recorded while an older trial of the drug is still marked ongoing)."""
    return replace(record, trials=(trial, *record.trials))


def names_drug(message: str, treatment: str) -> bool:
    """The alert's text names the treatment (its id, or the id with spaces)."""
    text = message.lower()
    return treatment.lower() in text or treatment.replace("-", " ").lower() in text


def _drug_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    return [a for a in alerts if a.id in DRUG_ALERTS]


def trial_alerts(
    kb: KnowledgeBase, record: PatientRecord, trial: TreatmentTrial, on: date
) -> tuple[Alert, ...]:
    """The drug-in-use alerts that concern `trial` once added to `record` (none unless the
    trial is ongoing: only a drug being taken raises them)."""
    if not trial.active:
        return ()
    from dystonia_cds.engine import recommend

    before = {(a.id, a.message) for a in _drug_alerts(recommend(record, kb, on=on).alerts)}
    after = _drug_alerts(recommend(with_trial(record, trial), kb, on=on).alerts)
    return tuple(
        a
        for a in after
        if (a.id, a.message) not in before or names_drug(a.message, trial.treatment)
    )


def digest(alerts: Iterable[Alert]) -> str:
    """A short fingerprint of the checks shown: what the tick box confirms."""
    text = "\n".join(f"{a.id}|{a.severity.value}|{a.message}" for a in alerts)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def confirm(reader: FormReader, alerts: tuple[Alert, ...]) -> None:
    """An error in `reader` unless the checks are none, or were shown and ticked as reviewed."""
    if not alerts:
        return
    if not reader.flag(CONFIRM):
        reader.fail(CONFIRM, REVIEW)
    elif reader.raw(SEEN) != digest(alerts):
        reader.fail(CONFIRM, CHANGED)


def stored_alerts(
    ctx: AppContext, session: Session, patient_id: str, trial: TreatmentTrial, on: date
) -> tuple[Alert, ...]:
    if not trial.active:
        return ()
    record = record_from_patient(load_page_history(session, patient_id))
    return trial_alerts(ctx.knowledge, record, trial, on)


def check_and_save(
    ctx: AppContext,
    user: SignedIn,
    patient_id: str,
    trial: TreatmentTrial,
    note: str | None,
    reader: FormReader,
    on: date,
) -> tuple[Alert, ...]:
    """Check the trial against the stored record and save it unless a check still needs the
    clinician's confirmation (then `reader.errors` says so); one write transaction with the
    patient locked, so two trials saved at once are each checked against the other."""
    with unit_of_work(ctx, write=True) as session:
        repo = CareRepository(session)
        repo.lock_patient(patient_id)
        alerts = stored_alerts(ctx, session, patient_id, trial, on)
        confirm(reader, alerts)
        if not reader.errors:
            repo.add_trial(patient_id, trial, note=note)
            audit(session, user, "web.trial.create", patient_id, 201)
    return alerts


def preview(
    ctx: AppContext, user: SignedIn, patient_id: str, trial: TreatmentTrial, on: date
) -> tuple[Alert, ...]:
    """The checks of a trial being typed (blocking: run in the thread pool), audited."""
    with unit_of_work(ctx) as session:
        require_patient(session, patient_id)
        alerts = stored_alerts(ctx, session, patient_id, trial, on)
        audit(session, user, "web.trial.preview", patient_id)
    return alerts


def as_dict(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "severity": alert.severity.value,
        "message": alert.message,
        "sources": list(alert.provenance.sources),
    }


def page_extra(alerts: tuple[Alert, ...]) -> dict[str, Any]:
    """What the trial form's template shows of the checks."""
    return {"checks": alerts, "checks_seen": digest(alerts) if alerts else ""}
