"""Acknowledge or override a warning or critical alert in the web app, as an EHR does with a
CDS Hooks card: a coded reason (the CDS Hooks override reasons, `cdshooks.cards`), an optional
comment, stored and audited. The latest answer for an alert id and digest
(`alert_actions.alert_digest`) keeps that alert quiet; a change of the facts behind the alert
changes its digest and shows it again.

    POST /patients/{id}/alerts   alert_id, digest, outcome (acknowledged | overridden),
                                 reason, comment?, at? (the page's evaluation date)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dystonia_cds.cdshooks.cards import OVERRIDE_REASONS
from dystonia_cds.context import AppContext
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.store.account_models import WebUser
from dystonia_cds.store.alert_models import OUTCOMES, AlertAcknowledgement
from dystonia_cds.store.care_models import Patient
from dystonia_cds.web.accounts import SignedIn, now
from dystonia_cds.web.alert_actions import alert_digest, alert_title, is_interruptive
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, read_patient_view, unit_of_work
from dystonia_cds.web.templating import Renderer

REASONS: dict[str, str] = dict(OVERRIDE_REASONS)
OUTCOME_LABELS = {"acknowledged": "Acknowledged", "overridden": "Overridden"}
MAX_COMMENT = 1000
ALERT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DIGEST = re.compile(r"^[0-9a-f]{32}$")
Key = tuple[str, str]  # (alert id, digest)


@dataclass(frozen=True, slots=True)
class Answer:
    """The latest acknowledgement or override of one alert as it stands."""

    outcome: str
    reason: str
    comment: str
    who: str
    when: datetime

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


@dataclass(frozen=True, slots=True)
class AnswerForm:
    alert_id: str
    digest: str
    outcome: str
    reason: str
    comment: str | None
    on: date


def parse_answer(reader: FormReader, today: date) -> AnswerForm | None:
    """The submitted answer, or None with the errors in `reader.errors`."""
    alert_id, digest = reader.raw("alert_id"), reader.raw("digest")
    if not ALERT_ID.match(alert_id):
        reader.fail("alert_id", "Name a known alert.")
    if not DIGEST.match(digest):
        reader.fail("digest", "The alert's digest is missing or malformed; reload the page.")
    outcome = reader.choice("outcome", OUTCOMES, required=True)
    reason = reader.choice("reason", REASONS, required=True)
    comment = reader.text("comment", max_len=MAX_COMMENT)
    on = reader.day("at") or today
    if reader.errors or outcome is None or reason is None:
        return None
    return AnswerForm(alert_id, digest, outcome, reason, comment, on)


def latest_answers(session: Session, patient_id: str) -> dict[Key, Answer]:
    """The latest answer per (alert id, digest) of one patient."""
    query = (
        select(AlertAcknowledgement, WebUser.username)
        .outerjoin(WebUser, WebUser.id == AlertAcknowledgement.user_id)
        .where(AlertAcknowledgement.patient_id == patient_id)
        .order_by(AlertAcknowledgement.created_at.desc(), AlertAcknowledgement.id.desc())
    )
    out: dict[Key, Answer] = {}
    for row, username in session.execute(query):
        out.setdefault((row.alert_id, row.digest), _answer(row, username))
    return out


def _answer(row: AlertAcknowledgement, username: str | None) -> Answer:
    reason = row.reason_display or REASONS.get(row.reason_code or "", "")
    return Answer(row.outcome, reason, row.comment or "", username or "(deleted)", row.created_at)


def acknowledged_keys(session: Session, patient_ids: Iterable[str]) -> dict[str, set[Key]]:
    """Per patient, the (alert id, digest) pairs answered (for the patient-list filter)."""
    ids = list(patient_ids)
    out: dict[str, set[Key]] = defaultdict(set)
    if not ids:
        return out
    query = select(
        AlertAcknowledgement.patient_id, AlertAcknowledgement.alert_id, AlertAcknowledgement.digest
    ).where(AlertAcknowledgement.patient_id.in_(ids))
    for pid, alert_id, digest in session.execute(query):
        out[pid].add((alert_id, digest))
    return out


def store_answer(
    session: Session, patient_id: str, form: AnswerForm, alert: Alert, user_id: int
) -> None:
    session.add(
        AlertAcknowledgement(
            patient_id=patient_id,
            alert_id=form.alert_id,
            digest=form.digest,
            outcome=form.outcome,
            reason_code=form.reason,
            reason_display=REASONS[form.reason],
            comment=form.comment,
            message=alert.message,
            user_id=user_id,
            created_at=now(),
        )
    )


def find_alert(alerts: Iterable[Alert], alert_id: str, digest: str) -> Alert | None:
    """The interruptive alert the form answered, if it still stands as it was shown."""
    for alert in alerts:
        if alert.id == alert_id and is_interruptive(alert) and alert_digest(alert) == digest:
            return alert
    return None


@dataclass(slots=True)
class AlertSummary:
    """Acknowledgements and overrides of one alert, for the admin feedback summary."""

    title: str
    acknowledged: int = 0
    overridden: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    recent: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    # (date, user, patient, outcome, reason, comment)


def alert_summaries(session: Session, recent: int = 5) -> list[AlertSummary]:
    query = (
        select(AlertAcknowledgement, WebUser.username, Patient.display_name)
        .outerjoin(WebUser, WebUser.id == AlertAcknowledgement.user_id)
        .outerjoin(Patient, Patient.id == AlertAcknowledgement.patient_id)
        .order_by(AlertAcknowledgement.created_at.desc(), AlertAcknowledgement.id.desc())
    )
    table: dict[str, AlertSummary] = {}
    for row, username, patient in session.execute(query):
        summary = table.setdefault(row.alert_id, AlertSummary(alert_title(row.alert_id)))
        _count(summary, row, username, patient, recent)
    return sorted(table.values(), key=lambda s: (-(s.acknowledged + s.overridden), s.title))


def _count(
    s: AlertSummary,
    row: AlertAcknowledgement,
    username: str | None,
    patient: str | None,
    recent: int,
) -> None:
    if row.outcome == "overridden":
        s.overridden += 1
    else:
        s.acknowledged += 1
    reason = row.reason_display or REASONS.get(row.reason_code or "", "no reason")
    s.reasons[reason] += 1
    if len(s.recent) < recent:
        when = row.created_at.strftime("%Y-%m-%d %H:%M")
        outcome = OUTCOME_LABELS.get(row.outcome, row.outcome)
        s.recent.append(
            (
                when,
                username or "(deleted)",
                patient or "(no name)",
                outcome,
                reason,
                row.comment or "",
            )
        )


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def refused(request: Request, status: int, message: str) -> Response:
        context = {"heading": "Alert answer not saved", "message": message}
        return renderer.page(request, "error.html", context, status)

    @router.post("/patients/{patient_id}/alerts")
    async def answer_alert(request: Request, patient_id: str, user: CurrentUser) -> Response:
        reader = FormReader(await read_form(request))
        form = parse_answer(reader, date.today())
        if form is None:
            field_name, message = next(iter(reader.errors.items()))
            return refused(request, 422, f"{field_name}: {message}")
        return _save(request, patient_id, user, form) or refused(
            request, 409, "This alert has changed or is no longer raised. Reload the page."
        )

    return router


def _save(request: Request, patient_id: str, user: SignedIn, form: AnswerForm) -> Response | None:
    ctx = _ctx(request)
    view = read_patient_view(ctx, user, patient_id, form.on)
    alert = find_alert(view.recommendation.alerts, form.alert_id, form.digest)
    if alert is None:
        return None
    with unit_of_work(ctx) as session:
        if (form.alert_id, form.digest) not in latest_answers(session, patient_id):
            # a second submit of the same answer (a double click, another tab) stores nothing
            store_answer(session, patient_id, form, alert, user.user_id)
            audit(session, user, f"web.alert.{form.outcome}", patient_id, 201)
    at = f"?at={form.on.isoformat()}" if form.on != date.today() else ""
    return RedirectResponse(f"/patients/{patient_id}{at}#alerts-h", status_code=303)
