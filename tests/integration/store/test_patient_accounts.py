"""Patient accounts by invitation (store.patient_accounts): a one-time, 7-day link; the
account it creates sees one patient; revoking ends it. On SQLite and PostgreSQL (the store's
`sessions` fixture). Synthetic data only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store import patient_accounts as store
from dystonia_cds.store.account_models import WebSession
from dystonia_cds.store.patient_account_models import PatientInvitation
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import accounts


def _patient(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        return CareRepository(session).add_patient(
            birth_date=date(1980, 1, 1), sex="female", display_name="Test Patient A"
        )


def _accept(sessions: sessionmaker[Session], token: str, username: str = "pat-a") -> int:
    with sessions.begin() as session:
        invitation = store.open_invitation(session, token)
        assert invitation is not None
        return store.accept(session, invitation, username, "secret-pass-1", "secret-pass-1").id


def test_an_invitation_expires_after_seven_days(sessions: sessionmaker[Session]) -> None:
    pid = _patient(sessions)
    with sessions.begin() as session:
        invitation = store.invite(session, pid, "clin")
    left = invitation.expires_at - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_an_accepted_invitation_gives_an_account_that_sees_only_its_patient(
    sessions: sessionmaker[Session],
) -> None:
    pid = _patient(sessions)
    _patient(sessions)
    with sessions.begin() as session:
        token = store.invite(session, pid, "clin").token
    user_id = _accept(sessions, token)
    with sessions.begin() as session:
        assert store.patient_of(session, user_id) == pid
        assert accounts.authenticate(session, "pat-a", "secret-pass-1") is not None


def test_an_invitation_works_only_once(sessions: sessionmaker[Session]) -> None:
    pid = _patient(sessions)
    with sessions.begin() as session:
        token = store.invite(session, pid, "clin").token
    _accept(sessions, token)
    with sessions.begin() as session:
        assert store.open_invitation(session, token) is None


def test_an_expired_invitation_does_not_open(sessions: sessionmaker[Session]) -> None:
    pid = _patient(sessions)
    with sessions.begin() as session:
        token = store.invite(session, pid, "clin").token
        session.flush()
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(PatientInvitation).values(expires_at=past))
    with sessions.begin() as session:
        assert store.open_invitation(session, token) is None


@pytest.mark.parametrize(
    ("username", "password", "confirm", "field"),
    [
        ("x", "secret-pass-1", "secret-pass-1", "username"),
        ("pat-b", "short", "short", "password"),
        ("pat-b", "secret-pass-1", "secret-pass-2", "password_confirm"),
    ],
)
def test_a_bad_choice_names_its_field_and_leaves_the_invitation_open(
    sessions: sessionmaker[Session], username: str, password: str, confirm: str, field: str
) -> None:
    pid = _patient(sessions)
    with sessions.begin() as session:
        token = store.invite(session, pid, "clin").token
    with sessions.begin() as session:
        invitation = store.open_invitation(session, token)
        assert invitation is not None
        with pytest.raises(InvalidInput) as caught:
            store.accept(session, invitation, username, password, confirm)
    assert caught.value.location == field
    with sessions.begin() as session:
        assert store.open_invitation(session, token) is not None


def test_revoking_ends_sessions_and_refuses_sign_in(sessions: sessionmaker[Session]) -> None:
    pid = _patient(sessions)
    with sessions.begin() as session:
        token = store.invite(session, pid, "clin").token
    user_id = _accept(sessions, token)
    with sessions.begin() as session:
        user = accounts.authenticate(session, "pat-a", "secret-pass-1")
        assert user is not None
        accounts.start_session(session, user, 3600, None)
        pending = store.invite(session, pid, "clin").token
    with sessions.begin() as session:
        assert store.revoke(session, pid) == 1
    with sessions.begin() as session:
        assert store.patient_of(session, user_id) is None
        assert accounts.authenticate(session, "pat-a", "secret-pass-1") is None
        assert session.query(WebSession).filter_by(user_id=user_id).count() == 0
        assert store.open_invitation(session, pending) is None
