"""The same generated requests against a server on the real PostgreSQL server: its text type
refuses what SQLite stores (a NUL character made 500s there, and only there)."""

from __future__ import annotations

import pytest
from care_api_server import Server
from test_care_api_fuzz import (  # the same test, collected here with this module's server
    test_generated_requests_never_cause_a_server_error,
    token,
)

__all__ = ["test_generated_requests_never_cause_a_server_error", "token"]
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server(postgres_server: Server) -> Server:
    return postgres_server
