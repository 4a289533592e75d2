"""The mutated-Bundle import test against a server on the real PostgreSQL server, whose types
are stricter than SQLite's (text lengths, NUL characters, integer ranges)."""

from __future__ import annotations

import pytest
from care_api_server import Server
from test_care_api_mutation import (  # the same test, collected here with this module's server
    clinician,
    test_a_mutated_bundle_imports_or_is_refused_and_every_view_of_it_answers,
)

__all__ = ["clinician", "test_a_mutated_bundle_imports_or_is_refused_and_every_view_of_it_answers"]
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server(postgres_server: Server) -> Server:
    return postgres_server
