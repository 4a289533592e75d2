"""A real `dystonia-cds serve` process for the API e2e tests, and API tokens.
Synthetic data only."""

from __future__ import annotations

from dystonia_cds.store.database import open_database
from dystonia_cds.store.tokens import create_token
from serving import CLI, Server, start_server

__all__ = ["CLI", "Server", "new_token", "start_server"]


def new_token(database_url: str, name: str = "e2e") -> str:
    sessions = open_database(database_url)
    try:
        with sessions.begin() as session:
            return create_token(session, name)
    finally:
        sessions.kw["bind"].dispose()
