"""Feedback that counts once: one helpful vote per user, option and patient (a second vote
changes it, on SQLite and PostgreSQL), error reports unlimited, the migration keeps the
latest of earlier duplicate votes, and the CSV export names no internal id."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.account_models import RecommendationFeedback
from dystonia_cds.store.alert_models import AlertAcknowledgement
from dystonia_cds.store.database import alembic_config, make_engine, open_database
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import accounts
from dystonia_cds.web.feedback import add_feedback, feedback_rows, option_summaries, votes_for
from dystonia_cds.web.feedback_export import HEADER, feedback_csv, safe_cell


@pytest.fixture(params=["sqlite", "postgres"])
def sessions(request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    made = open_database(request.getfixturevalue(name))
    yield made
    made.kw["bind"].dispose()


def vote(s: Session, user_id: int, helpful: bool, patient_id: str = "p1") -> None:
    add_feedback(
        s,
        patient_id=patient_id,
        option_id="baclofen",
        user_id=user_id,
        helpful=helpful,
        text=None,
        knowledge_version="k",
    )


def report(s: Session, user_id: int, words: str) -> None:
    add_feedback(
        s,
        patient_id="p1",
        option_id="baclofen",
        user_id=user_id,
        helpful=None,
        text=words,
        knowledge_version="k",
    )


def test_a_second_vote_by_the_same_user_changes_the_first(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        doc = accounts.create_user(s, "doc", "clinician", "long password")
        vote(s, doc.id, True)
    with sessions.begin() as s:
        vote(s, doc.id, False)
    with sessions() as s:
        (summary,) = option_summaries(s, {"baclofen": "Oral baclofen"})
        assert votes_for(s, "p1", doc.id) == {"baclofen": False}
    assert (summary.helpful, summary.not_helpful, summary.title) == (0, 1, "Oral baclofen")


def test_votes_of_other_users_and_patients_each_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        doc = accounts.create_user(s, "doc", "clinician", "long password")
        nurse = accounts.create_user(s, "nurse", "clinician", "long password")
        vote(s, doc.id, True)
        vote(s, nurse.id, True)
        vote(s, doc.id, False, patient_id="p2")
        report(s, doc.id, "dose wrong")
        report(s, doc.id, "source missing")
    with sessions() as s:
        (summary,) = option_summaries(s)
    assert (summary.helpful, summary.not_helpful, summary.errors) == (2, 1, 2)


def test_the_database_refuses_a_duplicate_vote_row(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        doc = accounts.create_user(s, "doc", "clinician", "long password")
        vote(s, doc.id, True)
    now = datetime.now(UTC)
    row = RecommendationFeedback(
        patient_id="p1", option_id="baclofen", user_id=doc.id, kind="helpful",
        helpful=False, knowledge_version="k", created_at=now,
    )  # fmt: skip
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(row)


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_upgrade_keeps_only_the_latest_of_earlier_duplicate_votes(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine = make_engine(request.getfixturevalue(backend))
    command.upgrade(alembic_config(engine), "0005")
    insert = text(
        "INSERT INTO recommendation_feedback (patient_id, option_id, user_id, kind, helpful, "
        "text, knowledge_version, created_at) VALUES ('p1', 'baclofen', 1, :kind, :helpful, "
        ":text, 'k', :at)"
    )
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO web_users (id, username, role, password_hash, active, created_at) "
                "VALUES (1, 'doc', 'clinician', 'x', :yes, :at)"
            ),
            {"yes": True, "at": at},
        )
        for kind, helpful, words in [
            ("helpful", True, None),
            ("helpful", True, None),
            ("helpful", False, None),
            ("error", None, "a"),
            ("error", None, "b"),
        ]:
            conn.execute(insert, {"kind": kind, "helpful": helpful, "text": words, "at": at})
    command.upgrade(alembic_config(engine), "heads")
    with Session(engine) as s:
        kinds = dict(
            s.execute(
                select(RecommendationFeedback.kind, func.count()).group_by(
                    RecommendationFeedback.kind
                )
            ).all()
        )
        kept = s.scalars(
            select(RecommendationFeedback.helpful).where(RecommendationFeedback.kind == "helpful")
        ).all()
    engine.dispose()
    assert kinds == {"helpful": 1, "error": 2}
    assert kept == [False]


def test_the_csv_export_names_dates_users_patients_and_titles_never_ids(sqlite_url: str) -> None:
    sessions = open_database(sqlite_url)
    with sessions.begin() as s:
        doc = accounts.create_user(s, "doc", "clinician", "long password")
        pid = CareRepository(s).add_patient(
            birth_date=date(1980, 1, 1), sex="female", display_name="Ada Synthetic"
        )
        add_feedback(
            s, patient_id=pid, option_id="baclofen", user_id=doc.id, helpful=True,
            text=None, knowledge_version="k",
        )  # fmt: skip
        add_feedback(
            s, patient_id=pid, option_id="baclofen", user_id=doc.id, helpful=None,
            text="=HYPERLINK(1)", knowledge_version="k",
        )  # fmt: skip
        s.add(
            AlertAcknowledgement(
                patient_id=pid, alert_id="wilson-disease-screen", digest="0" * 32,
                outcome="overridden", reason_code="patient-declined",
                reason_display="Patient declined", comment="later", message="m",
                user_id=doc.id, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    with sessions() as s:
        data = feedback_csv(s, {"baclofen": "Oral baclofen"})
        rows = feedback_rows(s)
    lines = list(csv.reader(io.StringIO(data)))
    assert tuple(lines[0]) == HEADER
    body = lines[1:]
    assert len(body) == 3
    assert {line[3] for line in body} == {"Oral baclofen", "Wilson disease not excluded"}
    assert all(line[1] == "doc" and line[2] == "Ada Synthetic" for line in body)
    assert "'=HYPERLINK(1)" in data
    assert pid not in data
    assert "wilson-disease-screen" not in data
    assert {r.patient for r in rows} == {"Ada Synthetic"}
    sessions.kw["bind"].dispose()


@pytest.mark.parametrize(
    ("cell", "safe"), [("=1+1", "'=1+1"), ("+x", "'+x"), ("@a", "'@a"), ("plain", "plain")]
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe
