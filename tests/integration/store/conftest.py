"""Store fixtures: every repository test runs on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.database import open_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    factory = open_database(database_url)
    yield factory
    factory.kw["bind"].dispose()
