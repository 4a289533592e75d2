"""Where the service may fetch from, and paged or failed prefetch (issue 12, items 3, 9, 12, 13):
a real server with JWT verification, an EHR JWKS and two loopback FHIR servers, one bound to
the issuer and one not. Synthetic data only."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cdshooks_support import (
    EhrKeys,
    FhirServer,
    bont_procedure,
    condition,
    hook_body,
    patient,
    prefetch_for,
    serve,
    topics,
)
from fastapi import FastAPI
from sqlalchemy import select

from dystonia_cds.app import create_app
from dystonia_cds.cdshooks.prefetch import MAX_PAGES, UNAVAILABLE
from dystonia_cds.config import Settings
from dystonia_cds.store.care_models import AuditEntry

PUBLIC = "https://cds.example.org"
BOUND = "https://ehr.example.org"  # issuer with fhir_servers
PLAIN = "https://plain-ehr.example.org"  # issuer given as a JWKS URL only
SERVICE = "dystonia-treatment-options"
PID = "page-1"
RESOURCES: list[dict[str, Any]] = [
    patient(PID, 45),
    condition(PID, "G24.3", "Spasmodic torticollis (cervical dystonia)"),
    *[bont_procedure(PID, 400 + n, n=n) for n in range(1, 4)],  # page 1: old injections
    bont_procedure(PID, 21, n=9),  # page 2: three weeks ago
]


@dataclass
class World:
    cds: str
    app: FastAPI
    keys: EhrKeys
    ehr: FhirServer
    ehr_url: str
    other: FhirServer
    other_url: str


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    keys, ehr, other = EhrKeys(), FhirServer(RESOURCES), FhirServer(RESOURCES)
    tmp: Path = tmp_path_factory.mktemp("access")
    with serve(keys.app()) as jwks, serve(ehr.app()) as ehr_base, serve(other.app()) as other_base:
        settings = Settings(
            database_url=f"sqlite:///{tmp / 'db.sqlite'}",
            public_url=PUBLIC,
            trusted_issuers={
                BOUND: {"jwks_url": f"{jwks}/jwks", "fhir_servers": [f"{ehr_base}/fhir/"]},
                PLAIN: f"{jwks}/jwks",
            },
        )
        app = create_app(settings)
        with serve(app) as cds:
            yield World(cds, app, keys, ehr, f"{ehr_base}/fhir", other, f"{other_base}/fhir")


def call(w: World, body: dict[str, Any], issuer: str = BOUND) -> httpx.Response:
    token = w.keys.token(iss=issuer, aud=f"{PUBLIC}/cds-services/{SERVICE}", kid="ec-1")
    # no proxy is trusted here: a forged X-Forwarded-For must not reach the audit log
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": "203.0.113.9"}
    return httpx.post(f"{w.cds}/cds-services/{SERVICE}", json=body, headers=headers, timeout=20)


def fetch_body(server: str, token: str, prefetch: dict[str, Any] | None = None) -> dict[str, Any]:
    body = hook_body("patient-view", PID, None, fhirServer=server)
    body["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer"}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def test_the_issuers_own_fhir_server_is_searched_page_by_page(world: World) -> None:
    world.ehr.requests.clear()
    response = call(world, fetch_body(world.ehr_url, world.ehr.token))
    assert response.status_code == 200, response.text
    assert "botulinum-toxin-too-soon" in topics(response.json()["cards"]), "page 2 was read"
    assert any("_page=1" in r for r in world.ehr.requests)


@pytest.mark.parametrize("where", ["open", "closed", "plain-issuer"])
def test_any_other_fhir_server_is_412_with_one_message_and_no_request(
    world: World, where: str
) -> None:
    world.other.requests.clear()
    world.ehr.requests.clear()
    server = {
        "open": world.other_url,
        "closed": f"http://127.0.0.1:{closed_port()}/fhir",
        "plain-issuer": world.ehr_url,
    }[where]
    issuer = PLAIN if where == "plain-issuer" else BOUND
    response = call(world, fetch_body(server, world.ehr.token), issuer)
    assert response.status_code == 412
    assert response.json() == {"error": UNAVAILABLE}
    assert world.other.requests == [], "no request, no token sent"
    assert world.ehr.requests == []


def test_a_full_prefetch_needs_no_fetch_whatever_fhir_server_says(world: World) -> None:
    body = fetch_body(world.other_url, "t", prefetch_for(RESOURCES))
    assert call(world, body).status_code == 200
    assert world.other.requests == []


def paged_prefetch(next_url: str) -> dict[str, Any]:
    """Every key prefetched; procedures as the first page of three with a `next` link."""
    prefetch = prefetch_for(RESOURCES)
    entries = prefetch["procedures"]["entry"]
    prefetch["procedures"]["entry"] = entries[:3]
    prefetch["procedures"]["link"] = [{"relation": "next", "url": next_url}]
    return prefetch


def test_a_prefetched_page_with_a_next_link_is_completed_from_the_fhir_server(
    world: World,
) -> None:
    world.ehr.requests.clear()
    next_url = f"{world.ehr_url}/Procedure?patient={PID}&_page=1"
    response = call(world, fetch_body(world.ehr_url, world.ehr.token, paged_prefetch(next_url)))
    assert response.status_code == 200, response.text
    assert "botulinum-toxin-too-soon" in topics(response.json()["cards"])
    assert [r.split("/fhir/")[1] for r in world.ehr.requests] == [
        f"Procedure?patient={PID}&_page=1"
    ]


@pytest.mark.parametrize("case", ["next elsewhere", "no fhirServer"])
def test_a_page_that_cannot_be_completed_is_412_never_cards_from_part_of_the_data(
    world: World, case: str
) -> None:
    world.other.requests.clear()
    next_url = f"{world.other_url}/Procedure?patient={PID}&_page=1"
    body = fetch_body(world.ehr_url, world.ehr.token, paged_prefetch(next_url))
    if case == "no fhirServer":
        del body["fhirServer"]
    response = call(world, body)
    assert response.status_code == 412
    assert world.other.requests == []


def test_an_error_outcome_entry_in_a_prefetched_bundle_is_fetched_again(world: World) -> None:
    world.ehr.requests.clear()
    prefetch = prefetch_for(RESOURCES)
    prefetch["procedures"]["entry"].append(
        {
            "resource": {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "too-costly"}],
            },
            "search": {"mode": "outcome"},
        }
    )
    response = call(world, fetch_body(world.ehr_url, world.ehr.token, prefetch))
    assert response.status_code == 200, response.text
    assert any(f"/fhir/Procedure?patient={PID}" in r for r in world.ehr.requests)


def test_a_search_longer_than_the_page_limit_is_412(tmp_path: Path) -> None:
    many = [patient(PID, 45), *[bont_procedure(PID, 400 + n, n=n) for n in range(MAX_PAGES + 2)]]
    ehr = FhirServer(many, page_size=1)
    with serve(ehr.app()) as base:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", insecure_dev=True)
        with serve(create_app(settings)) as cds:
            body = fetch_body(f"{base}/fhir", ehr.token)
            response = httpx.post(f"{cds}/cds-services/{SERVICE}", json=body, timeout=20)
    assert response.status_code == 412
    assert sum("Procedure" in r for r in ehr.requests) == MAX_PAGES


def test_every_call_is_audited_with_service_patient_cards_and_status(world: World) -> None:
    ok = call(world, fetch_body(world.cds, "t", prefetch_for(RESOURCES)))
    refused = call(world, fetch_body(world.other_url, "t"))
    assert (ok.status_code, refused.status_code) == (200, 412)
    world.app.state.cdshooks.audit.flush()
    with world.app.state.context.sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    mine = [r for r in rows if r.action.startswith(f"cds-hooks {SERVICE}")]
    assert mine[-2].status == 200
    assert mine[-1].status == 412
    assert mine[-2].patient_id == PID
    assert mine[-2].actor == f"{BOUND} Practitioner/dr-1"
    assert "botulinum-toxin" in mine[-2].action, "the cards issued are named"
    assert mine[-2].client == "127.0.0.1", "the forged X-Forwarded-For is not believed"


def test_control_characters_in_the_user_id_are_not_written_to_the_audit_log(world: World) -> None:
    body = fetch_body(world.cds, "t", prefetch_for(RESOURCES))
    body["context"]["userId"] = "Practitioner/dr\u0000-\u001b2"
    assert call(world, body).status_code == 200
    world.app.state.cdshooks.audit.flush()
    with world.app.state.context.sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert last.actor == f"{BOUND} Practitioner/dr?-?2"


def test_a_fhir_page_over_the_size_limit_is_412(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dystonia_cds.cdshooks import prefetch

    monkeypatch.setattr(prefetch, "MAX_PAGE_BYTES", 300)  # a Patient fits, a page of 3 does not
    ehr = FhirServer(RESOURCES)
    with serve(ehr.app()) as base:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", insecure_dev=True)
        with serve(create_app(settings)) as cds:
            body = fetch_body(f"{base}/fhir", ehr.token)
            response = httpx.post(f"{cds}/cds-services/{SERVICE}", json=body, timeout=20)
    assert response.status_code == 412
    assert response.json() == {"error": UNAVAILABLE}
