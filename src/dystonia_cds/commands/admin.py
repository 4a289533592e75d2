"""`dystonia-cds db upgrade` and `dystonia-cds token create`."""

from __future__ import annotations

import sys

from dystonia_cds.config import get_settings


def db_upgrade(database: str | None) -> int:
    """Apply every migration to the database (created if it does not exist yet)."""
    from dystonia_cds.store.database import make_engine, upgrade

    engine = make_engine(get_settings(database_url=database).database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    sys.stdout.write("database schema is up to date\n")
    return 0


def token_create(name: str, database: str | None) -> int:
    """Create an API token; print it once, as the last word of the last line."""
    from dystonia_cds.store.database import open_database
    from dystonia_cds.store.tokens import create_token

    sessions = open_database(get_settings(database_url=database).database_url)
    try:
        with sessions.begin() as session:
            token = create_token(session, name)
    finally:
        sessions.kw["bind"].dispose()
    sys.stdout.write(
        f"API token for {name.strip()!r} (shown once; store it safely, it is kept only hashed):\n"
        f"{token}\n"
    )
    return 0


def token_revoke(name: str, database: str | None) -> int:
    """Revoke every active API token of that name (a running server stops accepting them
    within its 30-second token cache)."""
    from dystonia_cds.domain.errors import InvalidInput
    from dystonia_cds.store.database import open_database
    from dystonia_cds.store.tokens import revoke_token

    sessions = open_database(get_settings(database_url=database).database_url)
    try:
        with sessions.begin() as session:
            revoked = revoke_token(session, name)
    finally:
        sessions.kw["bind"].dispose()
    if not revoked:
        raise InvalidInput(f"no active API token named {name!r}", location="--name")
    sys.stdout.write(f"revoked {revoked} API token(s) named {name!r}\n")
    return 0
