"""Engines, sessions and schema state. SQLite (a file, WAL mode) by default; PostgreSQL in
production. The schema is owned by the Alembic migrations in `store/migrations/`.

`open_database(url)` applies the migrations to a new, empty database itself (the embedded
default must just work) and refuses an existing database whose schema is behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.domain.errors import InvalidInput, SchemaOutOfDate
from dystonia_cds.domain.nul import find_nul, without_nul

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITE_OPTION = "dystonia_cds_write"  # a connection execution option: this transaction writes


def _sqlite_begin(conn: Connection) -> None:
    """A write transaction on SQLite starts with `BEGIN IMMEDIATE`: it takes the database's
    write lock before its first read, so that two read-modify-write units of work run one
    after the other (the second waits up to `busy_timeout`) instead of interleaving. Other
    transactions keep the driver's deferred begin."""
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _no_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    """Inputs refuse NUL characters by name; one that still reaches a statement (an id in a
    URL, a search) is replaced, so that PostgreSQL, whose text type cannot hold it, does not
    fail where SQLite would not."""
    if parameters and find_nul(parameters) is not None:
        parameters = without_nul(parameters)
    return statement, parameters


def make_engine(url: str) -> Engine:
    """An engine for a SQLAlchemy URL; SQLite gets WAL, foreign keys and a busy timeout;
    PostgreSQL a pool that pings a connection before using it. Error messages never carry
    the statement's parameters (`hide_parameters`: patient data stays out of logs)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            engine = create_engine(
                url, connect_args={"check_same_thread": False}, hide_parameters=True
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
            )
    except Exception as exc:  # ArgumentError, NoSuchModuleError ...
        raise InvalidInput(f"cannot use database URL {url!r}: {exc}") from exc
    event.listen(engine, "before_cursor_execute", _no_nul, retval=True)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def script_heads(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def upgrade(engine: Engine) -> None:
    """Apply every migration up to the current heads."""
    command.upgrade(alembic_config(engine), "heads")


def ensure_schema_current(engine: Engine, *, create_if_empty: bool = True) -> None:
    if create_if_empty and is_empty(engine):
        log.info("empty database: creating the schema")
        upgrade(engine)
        return
    behind = script_heads(engine) - current_heads(engine)
    if behind:
        raise SchemaOutOfDate(
            f"the database schema is behind this version (missing {', '.join(sorted(behind))}); "
            "run `dystonia-cds db upgrade`"
        )


def open_database(url: str, *, create_if_empty: bool = True) -> sessionmaker[Session]:
    """Connect, check (or create) the schema, and return a session factory."""
    engine = make_engine(url)
    try:
        ensure_schema_current(engine, create_if_empty=create_if_empty)
    except BaseException:
        engine.dispose()  # do not leave pooled connections behind a refusal
        raise
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that writes: committed on success, rolled back on an error. On SQLite it
    holds the write lock from its first statement (`BEGIN IMMEDIATE`); on PostgreSQL the
    repository locks the rows it replaces (`SELECT ... FOR UPDATE`)."""
    with sessions(execution_options={WRITE_OPTION: True}) as session, session.begin():
        yield session
