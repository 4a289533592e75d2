"""The checks of a drug entry being recorded, shown before it is saved (issue 10, point 2):
a treatment trial (trial form) or a drug the patient takes (medication form).

An ongoing trial, or a drug still taken, is a drug being taken. The patient's stored record
with the proposed entry added goes through the engine (`recommend`), and the alerts about a
drug in use that concern this entry are shown on the form: a daily dose above a reference
limit (`dose-above-limit`, naming the limit and its source), a contraindication or caution
for a drug being taken, tetrabenazine with depression or suicidality. An alert concerns the
entry when it names the drug, or appears or changes only because of the entry.

Saving with such checks needs a second, deliberate step: the form comes back with the checks
and a tick box; the tick counts only for the checks shown (a digest of them travels with the
form), so a changed dose or record is checked and confirmed afresh. Nothing is stored before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import Medication, PatientRecord, TreatmentTrial
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


@dataclass(frozen=True, slots=True)
class Proposal:
    """A drug entry about to be recorded: a trial or a drug taken (the medication form)."""

    kind: str  # "trial" or "medication": the audit actions' middle word
    drug: str  # ingredient or option id
    taken: bool  # ongoing: only a drug being taken raises the checks
    add: Callable[[PatientRecord], PatientRecord]  # the record with the entry, first
    save: Callable[[CareRepository, str], object]  # store it for a patient id


def trial_proposal(trial: TreatmentTrial, note: str | None = None) -> Proposal:
    return Proposal(
        kind="trial",
        drug=trial.treatment,
        taken=trial.active,
        add=lambda record: with_trial(record, trial),
        save=lambda repo, pid: repo.add_trial(pid, trial, note=note),
    )


def medication_proposal(medication: Medication) -> Proposal:
    return Proposal(
        kind="medication",
        drug=medication.ingredient,
        taken=medication.active,
        add=lambda record: replace(record, medications=(medication, *record.medications)),
        save=lambda repo, pid: repo.add_medication(pid, medication),
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


def proposal_alerts(
    kb: KnowledgeBase, record: PatientRecord, proposal: Proposal, on: date
) -> tuple[Alert, ...]:
    """The drug-in-use alerts that concern the entry once added to `record` (none unless
    its drug is being taken)."""
    if not proposal.taken:
        return ()
    from dystonia_cds.engine import recommend

    before = {(a.id, a.message) for a in _drug_alerts(recommend(record, kb, on=on).alerts)}
    after = _drug_alerts(recommend(proposal.add(record), kb, on=on).alerts)
    return tuple(
        a for a in after if (a.id, a.message) not in before or names_drug(a.message, proposal.drug)
    )


def trial_alerts(
    kb: KnowledgeBase, record: PatientRecord, trial: TreatmentTrial, on: date
) -> tuple[Alert, ...]:
    """The drug-in-use alerts that concern `trial` once added to `record`."""
    return proposal_alerts(kb, record, trial_proposal(trial), on)


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
    ctx: AppContext, session: Session, patient_id: str, proposal: Proposal, on: date
) -> tuple[Alert, ...]:
    if not proposal.taken:
        return ()
    record = record_from_patient(load_page_history(session, patient_id))
    return proposal_alerts(ctx.knowledge, record, proposal, on)


def check_and_save(
    ctx: AppContext,
    user: SignedIn,
    patient_id: str,
    proposal: Proposal,
    reader: FormReader,
    on: date,
) -> tuple[Alert, ...]:
    """Check the entry against the stored record and save it unless a check still needs the
    clinician's confirmation (then `reader.errors` says so); one write transaction with the
    patient locked, so two entries saved at once are each checked against the other."""
    with unit_of_work(ctx, write=True) as session:
        repo = CareRepository(session)
        repo.lock_patient(patient_id)
        alerts = stored_alerts(ctx, session, patient_id, proposal, on)
        confirm(reader, alerts)
        if not reader.errors:
            proposal.save(repo, patient_id)
            audit(session, user, f"web.{proposal.kind}.create", patient_id, 201)
    return alerts


def preview(
    ctx: AppContext, user: SignedIn, patient_id: str, proposal: Proposal, on: date
) -> tuple[Alert, ...]:
    """The checks of an entry being typed (blocking: run in the thread pool), audited."""
    with unit_of_work(ctx) as session:
        require_patient(session, patient_id)
        alerts = stored_alerts(ctx, session, patient_id, proposal, on)
        audit(session, user, f"web.{proposal.kind}.preview", patient_id)
    return alerts


def preview_body(alerts: tuple[Alert, ...], errors: dict[str, str]) -> dict[str, Any]:
    """The JSON the forms' script reads: the checks, their digest, the field errors."""
    return {
        "checks": [as_dict(a) for a in alerts],
        "checks_seen": digest(alerts) if alerts else "",
        "errors": errors,
    }


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
