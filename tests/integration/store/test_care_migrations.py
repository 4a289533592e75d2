"""Migrations on SQLite and PostgreSQL: the head matches the models (`alembic check`), and a
database behind the head is refused with a message naming `dystonia-cds db upgrade`."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from dystonia_cds.commands import admin
from dystonia_cds.domain.errors import SchemaOutOfDate
from dystonia_cds.store.database import (
    alembic_config,
    current_heads,
    make_engine,
    open_database,
    script_heads,
    upgrade,
)


def test_upgrading_to_head_leaves_no_difference_to_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        command.check(alembic_config(engine))  # raises when models and migrations differ
        assert {"patients", "injection_muscles", "audit_log"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_a_database_behind_the_head_is_refused_naming_db_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
    finally:
        engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="dystonia-cds db upgrade"):
        open_database(database_url)


def test_db_upgrade_brings_a_database_behind_the_head_up_to_date(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        assert admin.db_upgrade(database_url) == 0
        assert current_heads(engine) == script_heads(engine)
    finally:
        engine.dispose()
    assert "up to date" in capsys.readouterr().out
    open_database(database_url).kw["bind"].dispose()


def test_an_empty_database_gets_the_schema_on_first_open(sqlite_url: str) -> None:
    sessions = open_database(sqlite_url)
    engine = sessions.kw["bind"]
    try:
        assert current_heads(engine) == script_heads(engine)
    finally:
        engine.dispose()
