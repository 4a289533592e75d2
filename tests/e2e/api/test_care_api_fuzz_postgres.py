"""The same generated requests against a server on the real PostgreSQL server: its text type
refuses what SQLite stores (a NUL character made 500s there, and only there)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from care_api_server import Server, start_server
from test_care_api_fuzz import (  # the same test, collected here with this module's server
    test_generated_requests_never_cause_a_server_error,
    token,
)

__all__ = ["test_generated_requests_never_cause_a_server_error", "token"]
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, postgres_module_url: str) -> Iterator[Server]:
    running = start_server(postgres_module_url, tmp_path_factory.mktemp("api-pg") / "server.log")
    yield running
    running.stop()
