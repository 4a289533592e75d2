"""Feedback summaries: helpful rate and error reports per option, CDS card acceptance."""

from __future__ import annotations

from datetime import UTC, datetime

from dystonia_cds.store.database import open_database
from dystonia_cds.store.feedback_models import CdsFeedback
from dystonia_cds.web import accounts
from dystonia_cds.web.feedback import add_feedback, card_summaries, option_summaries


def test_summaries_count_answers_and_keep_latest_reports(sqlite_url: str) -> None:
    sessions = open_database(sqlite_url)
    with sessions.begin() as s:
        user = accounts.create_user(s, "doc", "clinician", "long password")
        for patient_id, helpful in (("p1", True), ("p2", True), ("p3", False)):
            add_feedback(
                s,
                patient_id=patient_id,
                option_id="baclofen",
                user_id=user.id,
                helpful=helpful,
                text=None,
                knowledge_version="k",
            )
        add_feedback(
            s,
            patient_id="p1",
            option_id="baclofen",
            user_id=user.id,
            helpful=None,
            text="dose wrong",
            knowledge_version="k",
        )
    with sessions() as s:
        (summary,) = option_summaries(s)
    assert (summary.helpful, summary.not_helpful, summary.errors) == (2, 1, 1)
    assert summary.helpful_rate == 2 / 3
    assert summary.reports[0][1:] == ("doc", "(no name)", "dose wrong")


def test_card_feedback_is_summarised_per_topic(sqlite_url: str) -> None:
    sessions = open_database(sqlite_url)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        for outcome in ("accepted", "accepted", "overridden"):
            s.add(
                CdsFeedback(
                    service_id="dystonia-treatment-options",
                    card_uuid="c",
                    topic="levodopa-trial",
                    outcome=outcome,
                    accepted_suggestions="",
                    outcome_at=now,
                    received_at=now,
                )
            )
    with sessions() as s:
        cards = card_summaries(s)
    assert cards is not None
    (card,) = cards
    assert (card.topic, card.accepted, card.overridden) == ("levodopa-trial", 2, 1)
    assert card.acceptance_rate == 2 / 3
