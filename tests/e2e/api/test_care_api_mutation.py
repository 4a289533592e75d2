"""Mutated example Bundles imported over HTTP, then every page and API view of the imported
patient: a 201 or a 422 naming the problem, and never a 5xx anywhere after. (This found a
Patient name that failed the import with 500, and a dose near the float maximum that failed
the patient page's chart.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from care_api_server import Server
from hypothesis import HealthCheck, given, settings

from dystonia_cds.store.database import open_database
from dystonia_cds.web.accounts import create_user, start_session
from mutation import mutated_bundles

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture(scope="module")
def clinician(server: Server) -> Iterator[httpx.Client]:
    sessions = open_database(server.database_url)
    with sessions.begin() as session:
        user = create_user(session, "mutation", "clinician", "mutation-pass-1")
        token = start_session(session, user, 3600, None)
    sessions.kw["bind"].dispose()
    cookies = {"dcds_session": token}
    with httpx.Client(base_url=server.url, cookies=cookies, timeout=30.0) as client:
        yield client


def _views(patient_id: str) -> list[str]:
    api = [f"/api/patients/{patient_id}/{view}" for view in ("history", "fhir", "recommendation")]
    pages = [f"/patients/{patient_id}{page}" for page in ("", "/handout", "/handout.pdf", "/edit")]
    return api + pages + ["/patients", "/patients?filter=due"]


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(bundle=mutated_bundles())
def test_a_mutated_bundle_imports_or_is_refused_and_every_view_of_it_answers(
    api: httpx.Client, clinician: httpx.Client, bundle: dict[str, Any]
) -> None:
    response = api.post("/api/patients/import", content=orjson.dumps(bundle), headers=FHIR)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.json()["detail"][0]["field"]
        return
    patient_id = response.json()["id"]
    for path in _views(patient_id):
        client = clinician if path.startswith("/patients") else api
        view = client.get(path)
        assert view.status_code == 200, f"{path}: {view.status_code} {view.text[:200]}"
