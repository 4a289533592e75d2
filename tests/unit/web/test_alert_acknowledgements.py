"""Acknowledging or overriding an alert: the form is checked field by field, the latest
answer per alert and digest counts, the admin summary counts outcomes and reasons by title."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.datastructures import FormData

from dystonia_cds.domain.recommendation import Alert, Provenance, Severity
from dystonia_cds.store.alert_models import AlertAcknowledgement
from dystonia_cds.store.database import open_database
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import accounts
from dystonia_cds.web.acknowledgements import (
    REASONS,
    acknowledged_keys,
    alert_summaries,
    find_alert,
    latest_answers,
    parse_answer,
)
from dystonia_cds.web.alert_actions import alert_digest
from dystonia_cds.web.forms import FormReader

TODAY = date(2026, 12, 5)
DIGEST = "a" * 32


def reader(**fields: str) -> FormReader:
    base = {"alert_id": "wilson-disease-screen", "digest": DIGEST, "outcome": "overridden"}
    base["reason"] = "patient-declined"
    base.update(fields)
    return FormReader(FormData(list(base.items())))


def test_the_reasons_are_the_cds_hooks_override_reasons() -> None:
    assert set(REASONS) == {
        "already-addressed",
        "patient-declined",
        "not-applicable",
        "clinical-judgment",
    }


def test_a_complete_answer_is_read_with_its_comment_and_date() -> None:
    form = parse_answer(reader(comment="will test next visit", at="2026-11-30"), TODAY)
    assert form is not None
    assert (form.outcome, form.reason, form.comment, form.on) == (
        "overridden",
        "patient-declined",
        "will test next visit",
        date(2026, 11, 30),
    )


def test_an_answer_without_a_reason_or_with_an_unknown_outcome_names_the_field() -> None:
    no_reason = reader(reason="")
    assert parse_answer(no_reason, TODAY) is None
    assert "reason" in no_reason.errors
    odd = reader(outcome="ignored", digest="not-hex")
    assert parse_answer(odd, TODAY) is None
    assert {"outcome", "digest"} <= set(odd.errors)
    long = reader(comment="x" * 1001)
    assert parse_answer(long, TODAY) is None
    assert "comment" in long.errors


def test_only_a_warning_or_critical_alert_with_the_same_digest_is_found() -> None:
    wilson = Alert("wilson-disease-screen", Severity.WARNING, "m", Provenance("r", ("a",), "k"))
    info = Alert("genetic-testing", Severity.INFO, "m", Provenance("r", ("a",), "k"))
    assert find_alert([wilson], wilson.id, alert_digest(wilson)) is wilson
    assert find_alert([wilson], wilson.id, DIGEST) is None
    assert find_alert([info], info.id, alert_digest(info)) is None


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_the_latest_answer_counts_and_the_summary_names_titles_reasons_and_patients(
    backend: str, request: pytest.FixtureRequest
) -> None:
    sessions = open_database(request.getfixturevalue(backend))
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with sessions.begin() as s:
        doc = accounts.create_user(s, "doc", "clinician", "long password")
        pid = CareRepository(s).add_patient(
            birth_date=date(2000, 1, 1), sex="male", display_name="Ben Synthetic"
        )
        for n, (outcome, reason) in enumerate(
            [("acknowledged", "already-addressed"), ("overridden", "patient-declined")]
        ):
            s.add(
                AlertAcknowledgement(
                    patient_id=pid, alert_id="wilson-disease-screen", digest=DIGEST,
                    outcome=outcome, reason_code=reason, reason_display=REASONS[reason],
                    comment=f"c{n}", message="m", user_id=doc.id,
                    created_at=start + timedelta(hours=n),
                )
            )  # fmt: skip
    with sessions() as s:
        answers = latest_answers(s, pid)
        keys = acknowledged_keys(s, [pid, "other"])
        (summary,) = alert_summaries(s)
    answer = answers[("wilson-disease-screen", DIGEST)]
    assert (answer.outcome, answer.reason, answer.comment, answer.who) == (
        "overridden",
        "Patient declined",
        "c1",
        "doc",
    )
    assert keys[pid] == {("wilson-disease-screen", DIGEST)}
    assert "other" not in keys
    assert (summary.title, summary.acknowledged, summary.overridden) == (
        "Wilson disease not excluded",
        1,
        1,
    )
    assert summary.reasons == {"Already addressed or in place": 1, "Patient declined": 1}
    assert summary.recent[0][1:5] == ("doc", "Ben Synthetic", "Overridden", "Patient declined")
    sessions.kw["bind"].dispose()
