"""Missing or partial prefetch: the service fetches from the EHR's FHIR server (a real HTTP
server on loopback serving search Bundles) with the `fhirAuthorization` bearer token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cdshooks_support import (
    FhirServer,
    condition,
    hook_body,
    medication_request,
    patient,
    prefetch_for,
    serve,
    topics,
)

from dystonia_cds.app import create_app
from dystonia_cds.cdshooks.prefetch import UNAVAILABLE
from dystonia_cds.config import Settings

PID = "fetch-1"
TREATMENT = "dystonia-treatment-options"
RESOURCES: list[dict[str, Any]] = [
    patient(PID, 45),
    condition(PID, "G24.3", "Spasmodic torticollis (cervical dystonia)"),
    *[medication_request(PID, f"ibuprofen {n}00 MG", n=n, status="completed") for n in range(1, 5)],
]


@pytest.fixture(scope="module")
def fhir() -> Iterator[tuple[FhirServer, str]]:
    server = FhirServer(RESOURCES)
    with serve(server.app()) as base:
        yield server, f"{base}/fhir"


@pytest.fixture(scope="module")
def cds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("prefetch")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}", insecure_dev=True, fhir_timeout_s=5
    )
    with serve(create_app(settings)) as base:
        yield base


def post(cds: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{cds}/cds-services/{TREATMENT}", json=body, timeout=20)


def auth(token: str) -> dict[str, Any]:
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "cds",
    }


def test_without_prefetch_the_service_searches_the_fhir_server_with_the_bearer_token(
    cds: str, fhir: tuple[FhirServer, str]
) -> None:
    server, url = fhir
    server.requests.clear()
    body = hook_body(
        "patient-view", PID, None, fhirServer=url, fhirAuthorization=auth(server.token)
    )
    response = post(cds, body)
    assert response.status_code == 200, response.text
    assert "botulinum-toxin" in topics(response.json()["cards"])
    assert any(f"/fhir/Patient/{PID}" in r for r in server.requests)
    assert any(f"/fhir/Condition?patient={PID}" in r for r in server.requests)
    assert any("_page=1" in r for r in server.requests), "the next page of a search is followed"


def test_partial_prefetch_fetches_only_the_missing_keys(
    cds: str, fhir: tuple[FhirServer, str]
) -> None:
    server, url = fhir
    server.requests.clear()
    prefetch = prefetch_for(RESOURCES)
    del prefetch["conditions"]
    prefetch["procedures"] = {"resourceType": "OperationOutcome", "issue": []}
    body = hook_body(
        "patient-view",
        PID,
        None,
        prefetch=prefetch,
        fhirServer=url,
        fhirAuthorization=auth(server.token),
    )
    response = post(cds, body)
    assert response.status_code == 200, response.text
    fetched = sorted(r.split("/fhir/")[1].split("?")[0] for r in server.requests)
    assert fetched == ["Condition", "Procedure"]
    assert "botulinum-toxin" in topics(response.json()["cards"])


def test_full_prefetch_needs_no_fhir_server(cds: str) -> None:
    body = hook_body("patient-view", PID, RESOURCES, fhirServer="http://127.0.0.1:9/fhir")
    assert post(cds, body).status_code == 200


def test_a_fhir_server_refusing_the_token_is_412(cds: str, fhir: tuple[FhirServer, str]) -> None:
    _, url = fhir
    body = hook_body("patient-view", PID, None, fhirServer=url, fhirAuthorization=auth("wrong"))
    response = post(cds, body)
    assert response.status_code == 412
    assert response.json()["error"] == UNAVAILABLE, "one message: no FHIR server detail leaks"


def test_missing_keys_and_no_fhir_server_is_412(cds: str) -> None:
    prefetch = prefetch_for(RESOURCES)
    del prefetch["observations"]
    response = post(cds, hook_body("patient-view", PID, None, prefetch=prefetch))
    assert response.status_code == 412
    assert response.json()["error"] == UNAVAILABLE


def test_a_fhir_server_too_slow_to_answer_is_412_in_bounded_time(tmp_path: Path) -> None:
    slow = FhirServer(RESOURCES, delay_s=5.0)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", insecure_dev=True, fhir_timeout_s=0.3
    )
    with serve(slow.app()) as fhir_base, serve(create_app(settings)) as cds:
        body = hook_body(
            "patient-view",
            PID,
            None,
            fhirServer=f"{fhir_base}/fhir",
            fhirAuthorization=auth(slow.token),
        )
        started = time.monotonic()
        response = post(cds, body)
        elapsed = time.monotonic() - started
    assert response.status_code == 412
    assert elapsed < 4.0
