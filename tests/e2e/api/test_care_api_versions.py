"""Conflicting writers through the care API, on a SQLite server and on a server on the real
PostgreSQL server: concurrent `PUT .../phenotype` calls end in exactly one submitted body
(never a merge, never a 500), and `ETag` / `If-Match` refuse a change made against a stale
version with 412, writing nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from care_api_server import Server, new_token

WRITERS = 8
ROUNDS = 3
FORMS = (
    "cervical-dystonia",
    "blepharospasm",
    "oromandibular-dystonia",
    "laryngeal-dystonia",
    "task-specific-limb-dystonia",
    "tardive-dystonia",
    "genetic-torsion-dystonia",
    "idiopathic-nonfamilial-dystonia",
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend_api(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    running: Server = request.getfixturevalue(
        "server" if request.param == "sqlite" else "postgres_server"
    )
    token = new_token(running.database_url, "versions")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=60.0) as client:
        yield client


def _patient(api: httpx.Client) -> str:
    body = {"birth_date": "1971-02-03", "sex": "female", "display_name": "Test Versions"}
    response = api.post("/api/patients", json=body)
    response.raise_for_status()
    return str(response.json()["id"])


def _body(i: int) -> dict[str, Any]:
    return {
        "diagnoses": [{"form": FORMS[i % len(FORMS)]}, {"form": FORMS[(i + 3) % len(FORMS)]}],
        "genes": [],
        "conditions": [],
        "findings": [],
    }


def _summary(phenotype: dict[str, Any]) -> list[str]:
    return sorted(d["form"] for d in phenotype["diagnoses"])


def _put_all_at_once(api: httpx.Client, patient_id: str) -> list[int]:
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []

    def put(i: int) -> None:
        barrier.wait()
        response = api.put(f"/api/patients/{patient_id}/phenotype", json=_body(i))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=put, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_concurrent_phenotype_replaces_leave_exactly_one_submitted_body(
    backend_api: httpx.Client,
) -> None:
    expected = [_summary(_body(i)) for i in range(WRITERS)]
    for _ in range(ROUNDS):
        patient_id = _patient(backend_api)
        statuses = _put_all_at_once(backend_api, patient_id)
        assert statuses == [200] * WRITERS
        stored = backend_api.get(f"/api/patients/{patient_id}/phenotype").json()
        assert _summary(stored) in expected


def test_a_replace_against_a_stale_etag_is_refused_with_412_and_changes_nothing(
    backend_api: httpx.Client,
) -> None:
    patient_id = _patient(backend_api)
    url = f"/api/patients/{patient_id}/phenotype"
    first = backend_api.get(url)
    stale = first.headers["ETag"]
    changed = backend_api.put(url, json=_body(1), headers={"If-Match": stale})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != stale
    refused = backend_api.put(url, json=_body(2), headers={"If-Match": stale})
    assert refused.status_code == 412
    assert "If-Match" in refused.json()["detail"]
    assert _summary(backend_api.get(url).json()) == _summary(_body(1))


def test_the_etag_of_a_read_is_the_one_a_replace_accepts(backend_api: httpx.Client) -> None:
    patient_id = _patient(backend_api)
    url = f"/api/patients/{patient_id}/phenotype"
    backend_api.put(url, json=_body(3)).raise_for_status()
    current = backend_api.get(url).headers["ETag"]
    assert backend_api.put(url, json=_body(4), headers={"If-Match": current}).status_code == 200
    assert backend_api.put(url, json=_body(5), headers={"If-Match": "*"}).status_code == 200


def test_a_patient_patch_against_a_stale_etag_is_refused_with_412(
    backend_api: httpx.Client,
) -> None:
    patient_id = _patient(backend_api)
    url = f"/api/patients/{patient_id}"
    stale = backend_api.get(url).headers["ETag"]
    renamed = backend_api.patch(
        url, json={"display_name": "Test Renamed"}, headers={"If-Match": stale}
    )
    assert renamed.status_code == 200
    assert renamed.headers["ETag"] == backend_api.get(url).headers["ETag"]
    refused = backend_api.patch(
        url, json={"display_name": "Test Lost"}, headers={"If-Match": stale}
    )
    assert refused.status_code == 412
    assert backend_api.get(url).json()["display_name"] == "Test Renamed"
