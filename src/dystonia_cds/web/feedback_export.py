"""The feedback export (`GET /admin/feedback.csv`): every helpful vote, error report and alert
acknowledgement or override, newest first, as people read them: date, user, patient name,
option or alert title, what was said. No internal ids. A cell that a spreadsheet would run as
a formula (starting with = + - @, tab or carriage return) is prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from dystonia_cds.store.account_models import WebUser
from dystonia_cds.store.alert_models import AlertAcknowledgement
from dystonia_cds.store.care_models import Patient
from dystonia_cds.web.acknowledgements import OUTCOME_LABELS, REASONS
from dystonia_cds.web.alert_actions import alert_title
from dystonia_cds.web.feedback import FeedbackRow, feedback_rows

HEADER = ("date", "user", "patient", "about", "kind", "answer", "comment", "knowledge version")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Line = tuple[str, str, str, str, str, str, str, str]


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _option_line(row: FeedbackRow, titles: Mapping[str, str]) -> Line:
    about = titles.get(row.option_id) or row.option_id.replace("-", " ").capitalize()
    if row.kind == "error":
        return (
            row.when,
            row.who,
            row.patient,
            about,
            "error report",
            "",
            row.text,
            row.knowledge_version,
        )
    answer = "" if row.helpful is None else ("helpful" if row.helpful else "not helpful")
    return (
        row.when,
        row.who,
        row.patient,
        about,
        "helpful vote",
        answer,
        "",
        row.knowledge_version,
    )


def _alert_lines(session: Session) -> list[Line]:
    query = (
        select(AlertAcknowledgement, WebUser.username, Patient.display_name)
        .outerjoin(WebUser, WebUser.id == AlertAcknowledgement.user_id)
        .outerjoin(Patient, Patient.id == AlertAcknowledgement.patient_id)
    )
    return [
        (
            row.created_at.strftime("%Y-%m-%d %H:%M"),
            username or "(deleted)",
            name or "(no name)",
            alert_title(row.alert_id),
            f"alert {OUTCOME_LABELS.get(row.outcome, row.outcome).lower()}",
            row.reason_display or REASONS.get(row.reason_code or "", ""),
            row.comment or "",
            "",
        )
        for row, username, name in session.execute(query)
    ]


def feedback_csv(session: Session, titles: Mapping[str, str]) -> str:
    lines = [_option_line(r, titles) for r in feedback_rows(session)]
    lines += _alert_lines(session)
    lines.sort(key=lambda line: line[0], reverse=True)
    return _render(lines)


def _render(lines: Iterable[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([safe_cell(cell) for cell in line])
    return out.getvalue()
