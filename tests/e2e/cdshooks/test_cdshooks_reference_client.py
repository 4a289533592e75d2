"""The service as the HL7 reference CDS client (the CDS Hooks sandbox) uses it (issue 12, item 17).

`ReferenceClient` behaves as that client does: it keys the discovered services by id (one hook
per id), fills each prefetch template with `POST Type/_search` before falling back to `GET`,
passes a searchset page on as it came (with its `next` link), signs every call with an ES384
JWT carrying `jku` and `kid`, and posts feedback with `acceptedSuggestions`. The CDS service
runs under uvicorn; `PagingFhir` is a loopback FHIR server that pages HAPI-style
(`{base}?_getpages=...`), two entries a page, and wants the bearer token. Synthetic data only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jwt
import pytest
from cdshooks_support import (
    EhrKeys,
    bont_procedure,
    condition,
    draft_medication,
    draft_service,
    patient,
    reserve,
    serve,
)
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dystonia_cds.app import create_app
from dystonia_cds.config import Settings
from dystonia_cds.store.feedback_models import CdsFeedback

ISSUER = "https://ehr.example.org"
PID = "ref-1"
TOKEN = "ehr-access-token"
LOINC = "http://loinc.org"
PAGE = 2


def observation(pid: str, n: int, code: str, display: str, kg: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{pid}-obs-{n}",
        "status": "final",
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "valueQuantity": {"value": kg, "unit": "kg", "system": "http://unitsofmeasure.org"},
    }


RECORD: list[dict[str, Any]] = [
    patient(PID, 45),
    condition(PID, "G24.3", "Spasmodic torticollis (cervical dystonia)", n=1),
    condition(PID, "I10", "Essential hypertension", n=2),
    condition(PID, "H40.20", "Primary angle-closure glaucoma", n=3),  # page 2
    *[bont_procedure(PID, days, n=n) for n, days in enumerate((600, 500, 400, 300), 1)],
    bont_procedure(PID, 21, n=5),  # page 3: three weeks ago
    observation(PID, 1, "29463-7", "Body weight", 70.0),
    observation(PID, 2, "8867-4", "Heart rate", 72.0),  # not asked for
]


@dataclass
class PagingFhir:
    """Reads, `GET` and `POST _search` searches by patient (and Observation code), paged."""

    resources: list[dict[str, Any]]
    base: str = ""
    log: list[tuple[str, str, bool]] = field(default_factory=list)  # method, target, token
    searches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/fhir", self.page),
                Route("/fhir/Patient/{pid}", self.read),
                Route("/fhir/{rtype}/_search", self.post_search, methods=["POST"]),
                Route("/fhir/{rtype}", self.get_search),
            ]
        )

    def _seen(self, request: Request) -> bool:
        authorised = request.headers.get("authorization") == f"Bearer {TOKEN}"
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        self.log.append((request.method, target, authorised))
        return authorised

    async def read(self, request: Request) -> Response:
        if not self._seen(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        pid = request.path_params["pid"]
        found = [r for r in self.resources if r["resourceType"] == "Patient" and r["id"] == pid]
        return JSONResponse(found[0]) if found else Response(status_code=404)

    async def get_search(self, request: Request) -> Response:
        if not self._seen(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        return self.first_page(request.path_params["rtype"], dict(request.query_params))

    async def post_search(self, request: Request) -> Response:
        if not self._seen(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        params = dict(parse_qsl((await request.body()).decode()))
        return self.first_page(request.path_params["rtype"], params)

    def first_page(self, rtype: str, params: dict[str, str]) -> Response:
        codes = set(params["code"].split(",")) if "code" in params else None
        found = [
            r
            for r in self.resources
            if r["resourceType"] == rtype
            and r["subject"]["reference"] == f"Patient/{params.get('patient')}"
            and (
                codes is None
                or any(f"{c['system']}|{c['code']}" in codes for c in r["code"]["coding"])
            )
        ]
        search = uuid.uuid4().hex
        self.searches[search] = found
        return JSONResponse(self.bundle(search, 0))

    async def page(self, request: Request) -> Response:
        if not self._seen(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        search = request.query_params["_getpages"]
        return JSONResponse(self.bundle(search, int(request.query_params["_getpagesoffset"])))

    def bundle(self, search: str, offset: int) -> dict[str, Any]:
        found = self.searches[search]
        chunk = found[offset : offset + PAGE]
        out: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": [{"relation": "self", "url": f"{self.base}/fhir?_getpages={search}"}],
            "entry": [
                {
                    "fullUrl": f"{self.base}/fhir/{r['resourceType']}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in chunk
            ],
        }
        if offset + PAGE < len(found):
            following = f"{self.base}/fhir?_getpages={search}&_getpagesoffset={offset + PAGE}"
            out["link"].append({"relation": "next", "url": following})
        return out


@dataclass
class ReferenceClient:
    cds: str
    fhir: str
    keys: EhrKeys
    jwks_url: str
    services: dict[str, dict[str, Any]] = field(default_factory=dict)

    def discover(self) -> None:
        listed = httpx.get(f"{self.cds}/cds-services", timeout=10).json()["services"]
        self.services = {s["id"]: s for s in listed}  # keyed by id: one hook per id

    def service_for(self, hook: str) -> str:
        return next(sid for sid, s in self.services.items() if s["hook"] == hook)

    def prefetch(self, service_id: str, patient_id: str) -> dict[str, Any]:
        templates = self.services[service_id]["prefetch"]
        return {
            key: self.fetch(t.replace("{{context.patientId}}", patient_id))
            for key, t in templates.items()
        }

    def fetch(self, query: str) -> Any:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        if "?" in query:
            rtype, params = query.split("?", 1)
            posted = httpx.post(
                f"{self.fhir}/{rtype}/_search",
                content=params,
                headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
                timeout=10,
            )
            if posted.status_code == 200:
                return posted.json()
        got = httpx.get(f"{self.fhir}/{query}", headers=auth, timeout=10)
        return got.json() if got.status_code == 200 else None

    def token(self, service_id: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "sandbox",
            "aud": f"{self.cds}/cds-services/{service_id}",
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        header = {"typ": "JWT", "kid": "ec-1", "jku": self.jwks_url}
        return jwt.encode(claims, self.keys.ec_key, algorithm="ES384", headers=header)

    def call(self, hook: str, context: dict[str, Any]) -> httpx.Response:
        service_id = self.service_for(hook)
        body = {
            "hook": hook,
            "hookInstance": str(uuid.uuid4()),
            "fhirServer": self.fhir,
            "fhirAuthorization": {
                "access_token": TOKEN,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "patient/*.read user/*.read",
                "subject": "cds-service",
            },
            "context": {"userId": "Practitioner/dr-1", **context},
            "prefetch": self.prefetch(service_id, context["patientId"]),
        }
        headers = {"Authorization": f"Bearer {self.token(service_id)}"}
        url = f"{self.cds}/cds-services/{service_id}"
        return httpx.post(url, json=body, headers=headers, timeout=30)

    def accept(self, hook: str, card: dict[str, Any], suggestion: dict[str, Any]) -> httpx.Response:
        service_id = self.service_for(hook)
        entry = {
            "card": card["uuid"],
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": suggestion["uuid"]}],
            "outcomeTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        headers = {"Authorization": f"Bearer {self.token(service_id)}"}
        url = f"{self.cds}/cds-services/{service_id}/feedback"
        return httpx.post(url, json={"feedback": [entry]}, headers=headers, timeout=10)


@dataclass
class Session:
    client: ReferenceClient
    fhir: PagingFhir
    database_url: str


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    keys, fhir = EhrKeys(), PagingFhir(RECORD)
    tmp: Path = tmp_path_factory.mktemp("reference")
    cds_sock, fhir_sock = reserve(), reserve()
    cds_base = f"http://127.0.0.1:{cds_sock.getsockname()[1]}"
    fhir.base = f"http://127.0.0.1:{fhir_sock.getsockname()[1]}"
    with serve(keys.app()) as jwks_base, serve(fhir.app(), sock=fhir_sock):
        jwks_url = f"{jwks_base}/jwks"
        database_url = f"sqlite:///{tmp / 'db.sqlite'}"
        settings = Settings(
            database_url=database_url,
            public_url=cds_base,
            trusted_issuers={ISSUER: {"jwks_url": jwks_url, "fhir_servers": [f"{fhir.base}/fhir"]}},
        )
        with serve(create_app(settings), sock=cds_sock):
            client = ReferenceClient(cds_base, f"{fhir.base}/fhir", keys, jwks_url)
            client.discover()
            yield Session(client, fhir, database_url)


def topics_of(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        assert 0 < len(card["summary"]) < 140
    return {c["source"]["topic"]["code"]: c for c in cards}


def test_the_client_finds_one_service_for_each_hook(session: Session) -> None:
    hooks = sorted(s["hook"] for s in session.client.services.values())
    assert hooks == ["order-select", "order-sign", "patient-view"]


def test_patient_view_reads_every_page_of_the_prefetched_searches(session: Session) -> None:
    session.fhir.log.clear()
    cards = topics_of(session.client.call("patient-view", {"patientId": PID}))
    assert "botulinum-toxin-too-soon" in cards, "the injection on page 3 was read"
    assert cards["botulinum-toxin-too-soon"]["indicator"] == "info", "context in a patient view"
    details = " ".join(c["detail"] for c in cards.values())
    assert "glaucoma" in details.lower(), "the glaucoma on page 2 was read"
    followed = [t for m, t, ok in session.fhir.log if m == "GET" and "_getpages" in t]
    assert followed, "the service followed the next links itself"
    assert all(ok for _, _, ok in session.fhir.log), "with the bearer token"


def test_the_client_fills_prefetch_with_post_search_and_only_the_observations_read(
    session: Session,
) -> None:
    session.fhir.log.clear()
    prefetch = session.client.prefetch(session.client.service_for("patient-view"), PID)
    posted = [t for m, t, _ in session.fhir.log if m == "POST"]
    assert "/fhir/Observation/_search" in posted
    weights = [e["resource"]["id"] for e in prefetch["observations"]["entry"]]
    assert weights == [f"{PID}-obs-1"], "the heart rate is not asked for"


def test_order_select_warns_of_an_injection_inside_the_window(session: Session) -> None:
    order = draft_service(PID, "Botulinum toxin injection (onabotulinumtoxinA)", "sr-1")
    context = {
        "patientId": PID,
        "selections": ["ServiceRequest/sr-1"],
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": order}],
        },
    }
    cards = topics_of(session.client.call("order-select", context))
    card = cards["botulinum-toxin-too-soon"]
    assert card["indicator"] == "warning"
    assert card["suggestions"][0]["actions"][0]["resourceId"] == "ServiceRequest/sr-1"


def test_order_sign_of_a_contraindicated_drug_and_its_accepted_suggestion_is_stored(
    session: Session,
) -> None:
    order = draft_medication(PID, "trihexyphenidyl 2 MG Oral Tablet", "mr-9")
    context = {
        "patientId": PID,
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": order}],
        },
    }
    cards = topics_of(session.client.call("order-sign", context))
    card = cards["trihexyphenidyl"]
    assert card["indicator"] == "critical"
    remove = card["suggestions"][0]
    assert remove["actions"][0] == {
        "type": "delete",
        "description": remove["actions"][0]["description"],
        "resourceId": "MedicationRequest/mr-9",
    }
    response = session.client.accept("order-sign", card, remove)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1}
    from dystonia_cds.store.database import open_database

    sessions = open_database(session.database_url)
    with sessions() as db:
        saved = db.scalars(select(CdsFeedback).where(CdsFeedback.card_uuid == card["uuid"])).one()
    assert saved.outcome == "accepted"
    assert remove["uuid"] in saved.accepted_suggestions
    assert saved.topic == "trihexyphenidyl"
    assert saved.service_id == session.client.service_for("order-sign")
