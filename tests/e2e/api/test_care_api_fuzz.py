"""Fuzzing the care REST API: schemathesis generates requests from its OpenAPI schema and
sends them, with a valid token, to a real server; none may end in a server error (5xx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from care_api_server import Server, new_token
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from dystonia_cds.api.routes import install

# The schema of the /api routes alone (the same as in the whole app's /openapi.json).
_APP = FastAPI()
install(_APP, None)  # type: ignore[arg-type]  # the routes read the context per request
schema = schemathesis.openapi.from_dict(_APP.openapi()).include(path_regex="^/api/")


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    token = new_token(server.database_url, "fuzz")
    # one real patient, so that some generated calls get past the 404
    headers = {"Authorization": f"Bearer {token}"}
    body = {"birth_date": "1970-01-01", "sex": "female", "display_name": "Test Fuzz"}
    httpx.post(server.url + "/api/patients", json=body, headers=headers).raise_for_status()
    return token


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_cause_a_server_error(
    case: Any, server: Server, token: str
) -> None:
    response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
