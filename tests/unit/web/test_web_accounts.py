"""Accounts, sessions and the demo clinician (real SQLite file, migrations applied)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dystonia_cds.config import Settings
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store.account_models import WebSession, WebUser
from dystonia_cds.store.database import open_database
from dystonia_cds.web import accounts
from dystonia_cds.web.demo import ensure_demo_clinician


@pytest.fixture
def sessions(sqlite_url: str):  # type: ignore[no-untyped-def]
    return open_database(sqlite_url)


def test_password_is_stored_only_as_an_argon2_hash(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        accounts.create_user(s, "alice", "admin", "correct horse")
    with sessions() as s:
        user = s.scalars(select(WebUser)).one()
    assert user.password_hash.startswith("$argon2")
    assert "correct horse" not in user.password_hash


def test_authenticate_accepts_the_right_password_only(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        accounts.create_user(s, "alice", "clinician", "correct horse")
    with sessions.begin() as s:
        assert accounts.authenticate(s, "alice", "correct horse") is not None
        assert accounts.authenticate(s, "alice", "wrong horse!") is None
        assert accounts.authenticate(s, "nobody", "correct horse") is None


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("a", "clinician", "longenough", "username"),
        ("bob", "nurse", "longenough", "role"),
        ("bob", "admin", "short", "password"),
    ],
)
def test_bad_account_input_names_the_field(sessions, username, role, password, field) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s, pytest.raises(InvalidInput, match=field):
        accounts.create_user(s, username, role, password)


def test_duplicate_username_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        accounts.create_user(s, "alice", "clinician", "correct horse")
    with sessions.begin() as s, pytest.raises(InvalidInput, match="already exists"):
        accounts.create_user(s, "alice", "admin", "other horse")


def test_a_new_session_revokes_the_old_token(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        first = accounts.start_session(s, user, 3600, None)
        second = accounts.start_session(s, user, 3600, first)
    with sessions() as s:
        assert accounts.resolve_session(s, first) is None
        signed_in = accounts.resolve_session(s, second)
    assert signed_in is not None
    assert signed_in.username == "alice"


def test_an_expired_session_is_not_accepted(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        token = accounts.start_session(s, user, 3600, None)
    with sessions.begin() as s:
        s.execute(update(WebSession).values(expires_at=accounts.now() - timedelta(seconds=1)))
    with sessions() as s:
        assert accounts.resolve_session(s, token) is None


def test_demo_clinician_is_created_once_and_its_password_reset_each_start(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=sqlite_url)
    ctx = AppContext(settings=settings, sessions=open_database(sqlite_url), knowledge=None)  # type: ignore[arg-type]
    name1, pw1 = ensure_demo_clinician(ctx)
    name2, pw2 = ensure_demo_clinician(ctx)
    assert name1 == name2 == "demo"
    assert pw1 != pw2
    with ctx.sessions.begin() as s:
        assert len(accounts.list_users(s)) == 1
        assert accounts.authenticate(s, "demo", pw2) is not None
        assert accounts.authenticate(s, "demo", pw1) is None
        assert accounts.find_user(s, "demo").role == "clinician"  # type: ignore[union-attr]


def test_user_add_command_creates_an_admin(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from dystonia_cds.commands.users import user_add

    assert user_add("root", "admin", "long password", sqlite_url) == 0
    assert "admin" in capsys.readouterr().out
    with open_database(sqlite_url).begin() as s:
        assert accounts.find_user(s, "root").role == "admin"  # type: ignore[union-attr]


def test_cli_user_add_creates_an_admin_and_refuses_a_bad_role(sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from dystonia_cds.cli import app as cli_app

    ok = CliRunner().invoke(
        cli_app,
        [
            "user",
            "add",
            "--username",
            "chief",
            "--role",
            "admin",
            "--password",
            "chief-password",
            "--database",
            sqlite_url,
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(
        cli_app,
        [
            "user",
            "add",
            "--username",
            "x2",
            "--role",
            "nurse",
            "--password",
            "long-password",
            "--database",
            sqlite_url,
        ],
    )
    assert bad.exit_code == 2
    assert "role" in bad.output
    with open_database(sqlite_url).begin() as s:
        assert [u.username for u in accounts.list_users(s)] == ["chief"]


@pytest.mark.postgres
def test_sessions_work_on_postgresql(postgres_url: str) -> None:
    sessions = open_database(postgres_url)
    try:
        with sessions.begin() as s:
            user = accounts.create_user(s, "pg-user", "clinician", "pg-password")
            token = accounts.start_session(s, user, 60, None)
        with sessions() as s:
            signed_in = accounts.resolve_session(s, token)
        assert signed_in is not None
        assert signed_in.role == "clinician"
    finally:
        sessions.kw["bind"].dispose()


def _deadline(sessions, token: str):  # type: ignore[no-untyped-def]
    with sessions() as s:
        row = s.get(WebSession, accounts.token_digest(token))
        return accounts.as_utc(row.expires_at)


def _shift(sessions, **delta: float) -> None:  # type: ignore[no-untyped-def]
    """Move every session's clock marks back, as if that much time had passed."""
    back = timedelta(**delta)
    with sessions.begin() as s:
        for row in s.scalars(select(WebSession)):
            row.created_at = accounts.as_utc(row.created_at) - back
            row.expires_at = accounts.as_utc(row.expires_at) - back


def test_an_idle_session_ends_after_the_idle_limit(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        token = accounts.start_session(s, user, 8 * 3600, None, idle_s=1800)
    _shift(sessions, minutes=31)
    with sessions.begin() as s:
        assert accounts.resolve_session(s, token, idle_s=1800, max_age_s=8 * 3600) is None


def test_use_keeps_a_session_alive_past_the_idle_limit(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        token = accounts.start_session(s, user, 8 * 3600, None, idle_s=1800)
    for _ in range(3):  # a request every 20 minutes for an hour
        _shift(sessions, minutes=20)
        with sessions.begin() as s:
            assert accounts.resolve_session(s, token, idle_s=1800, max_age_s=8 * 3600)
    remaining = _deadline(sessions, token) - accounts.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_use_never_extends_a_session_past_its_maximum_age(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        token = accounts.start_session(s, user, 3600, None, idle_s=1800)
    for _ in range(2):  # active every 20 minutes: the idle deadline slides ...
        _shift(sessions, minutes=20)
        with sessions.begin() as s:
            assert accounts.resolve_session(s, token, idle_s=1800, max_age_s=3600)
    with sessions() as s:
        created = accounts.as_utc(s.get(WebSession, accounts.token_digest(token)).created_at)
    assert _deadline(sessions, token) == created + timedelta(hours=1)  # ... up to the max age
    _shift(sessions, minutes=21)  # 61 minutes after sign-in, 21 after the last request
    with sessions.begin() as s:
        assert accounts.resolve_session(s, token, idle_s=1800, max_age_s=3600) is None


def test_requests_within_a_minute_do_not_rewrite_the_deadline(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        user = accounts.create_user(s, "alice", "clinician", "correct horse")
        token = accounts.start_session(s, user, 8 * 3600, None, idle_s=1800)
    before = _deadline(sessions, token)
    _shift(sessions, seconds=30)
    with sessions.begin() as s:
        assert accounts.resolve_session(s, token, idle_s=1800, max_age_s=8 * 3600)
    assert _deadline(sessions, token) == before - timedelta(seconds=30)
