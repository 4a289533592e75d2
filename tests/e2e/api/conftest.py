"""Fixtures: a real server per test module and an httpx client carrying an API token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from care_api_server import Server, new_token, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One SQLite-backed server per test module (tests use their own patients)."""
    folder = tmp_path_factory.mktemp("api")
    running = start_server(f"sqlite:///{folder / 'api.sqlite'}", folder / "server.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def postgres_server(
    tmp_path_factory: pytest.TempPathFactory, postgres_module_url: str
) -> Iterator[Server]:
    """The same on a fresh database of the real PostgreSQL server (modules that test what only
    PostgreSQL's stricter types reveal return it as their `server`)."""
    running = start_server(postgres_module_url, tmp_path_factory.mktemp("api-pg") / "server.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    token = new_token(server.database_url)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30.0) as client:
        yield client
