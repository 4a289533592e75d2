"""The patient page's alerts, arranged for attention: what interrupts now (warning and critical,
not yet answered, each with its action links and an acknowledge / override form), what was
answered (quiet until its facts change), what is context (info), and the botulinum-toxin
interval alerts that live in the next-injection panel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dystonia_cds.context import AppContext
from dystonia_cds.domain.recommendation import Alert, Severity
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.acknowledgements import REASONS, Answer, Key, latest_answers
from dystonia_cds.web.alert_actions import (
    PANEL_ALERTS,
    actions_for,
    alert_digest,
    alert_title,
    by_severity,
    is_interruptive,
)
from dystonia_cds.web.feedback import votes_for


@dataclass(frozen=True, slots=True)
class AlertRow:
    alert: Alert
    title: str
    digest: str
    actions: tuple[tuple[str, str], ...]  # (label, href)
    answer: Answer | None

    @property
    def severity(self) -> str:
        return self.alert.severity.value

    @property
    def interruptive(self) -> bool:
        return is_interruptive(self.alert)


@dataclass(slots=True)
class AlertBoard:
    active: list[AlertRow] = field(default_factory=list)
    answered: list[AlertRow] = field(default_factory=list)
    context: list[AlertRow] = field(default_factory=list)
    panel: list[AlertRow] = field(default_factory=list)
    reasons: Mapping[str, str] = field(default_factory=lambda: REASONS)

    @property
    def overdue_warning(self) -> bool:
        """The panel's overdue is a warning only when the engine says so (past 16 weeks with
        the treatment ongoing)."""
        return any(
            r.alert.id == "botulinum-toxin-overdue" and r.alert.severity != Severity.INFO
            for r in self.panel
        )


def arrange_alerts(
    alerts: Iterable[Alert], patient_id: str, answers: Mapping[Key, Answer]
) -> AlertBoard:
    board = AlertBoard()
    for alert in by_severity(alerts):
        row = _row(alert, patient_id, answers)
        if alert.id in PANEL_ALERTS:
            board.panel.append(row)
        elif not row.interruptive:
            board.context.append(row)
        elif row.answer is not None:
            board.answered.append(row)
        else:
            board.active.append(row)
    return board


def _row(alert: Alert, patient_id: str, answers: Mapping[Key, Answer]) -> AlertRow:
    digest = alert_digest(alert)
    actions = tuple((a.label, a.href(patient_id)) for a in actions_for(alert))
    answer = answers.get((alert.id, digest)) if is_interruptive(alert) else None
    return AlertRow(alert, alert_title(alert.id), digest, actions, answer)


def attention_context(
    ctx: AppContext, user: SignedIn, patient_id: str, alerts: Iterable[Alert]
) -> dict[str, Any]:
    """What the patient page adds for alerts and votes: the arranged alerts (`board`) and the
    user's helpful votes on this patient's options (`votes`: option id -> helpful)."""
    with ctx.sessions() as session:
        answers = latest_answers(session, patient_id)
        votes = votes_for(session, patient_id, user.user_id)
    return {"board": arrange_alerts(alerts, patient_id, answers), "votes": votes}
