"""Helpers for the CDS Hooks service tests: loopback servers, EHR keys and JWTs, synthetic
FHIR resources. Synthetic data only."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
TODAY = date.today()


# ---- servers --------------------------------------------------------------------------------


def reserve() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1 (for `serve`, when the URL must be known
    before the app is built)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(
    app: Any,
    *,
    timeout_s: float = 10.0,
    lifespan: str = "off",
    sock: socket.socket | None = None,
) -> Iterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1 (a free port, or `sock`) in a thread; yields
    its base URL (`lifespan="on"` runs the app's start-up and shut-down handlers)."""
    sock = sock or reserve()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan=lifespan,  # type: ignore[arg-type]
        ws="none",
        access_log=False,
        timeout_graceful_shutdown=2,
        proxy_headers=False,  # as `dystonia-cds serve` without DYSTONIA_CDS_TRUSTED_PROXIES
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        sock.close()


@dataclass
class FhirServer:
    """A tiny FHIR server: `Patient/{id}` reads and `Type?patient=` searches as Bundles."""

    resources: list[dict[str, Any]]
    token: str = "fhir-token-123"
    requests: list[str] = field(default_factory=list)
    page_size: int = 3
    delay_s: float = 0.0  # answer this late (a slow server)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/fhir/Patient/{pid}", self.read),
                Route("/fhir/{rtype}", self.search),
            ]
        )

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def read(self, request: Request) -> JSONResponse:
        self.requests.append(str(request.url))
        if not self._authorised(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        pid = request.path_params["pid"]
        for r in self.resources:
            if r["resourceType"] == "Patient" and r["id"] == pid:
                return JSONResponse(r, media_type="application/fhir+json")
        return JSONResponse({"resourceType": "OperationOutcome"}, status_code=404)

    async def search(self, request: Request) -> JSONResponse:
        self.requests.append(str(request.url))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if not self._authorised(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        rtype = request.path_params["rtype"]
        patient = request.query_params.get("patient", "")
        page = int(request.query_params.get("_page", "0"))
        found = [
            r
            for r in self.resources
            if r["resourceType"] == rtype
            and r.get("subject", r.get("patient", {})).get("reference") == f"Patient/{patient}"
        ]
        chunk = found[page * self.page_size : (page + 1) * self.page_size]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r} for r in chunk],
        }
        if (page + 1) * self.page_size < len(found):
            base = str(request.base_url).rstrip("/")
            bundle["link"] = [
                {
                    "relation": "next",
                    "url": f"{base}/fhir/{rtype}?patient={patient}&_page={page + 1}",
                }
            ]
        return JSONResponse(bundle, media_type="application/fhir+json")


# ---- keys and tokens ------------------------------------------------------------------------


@dataclass
class EhrKeys:
    """An EHR's signing keys (RSA and EC, generated here) and its JWKS."""

    rsa_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(65537, 2048)
    )
    ec_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP384R1())
    )
    jwks_hits: int = 0

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True)
        ec_jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True)
        rsa_jwk.update(kid="rsa-1", use="sig", alg="RS384")
        ec_jwk.update(kid="ec-1", use="sig", alg="ES384")
        return {"keys": [rsa_jwk, ec_jwk]}

    def app(self) -> Starlette:
        async def jwks(_request: Request) -> JSONResponse:
            self.jwks_hits += 1
            return JSONResponse(self.jwks())

        return Starlette(routes=[Route("/jwks", jwks)])

    def token(
        self,
        *,
        iss: str,
        aud: str | list[str],
        kid: str = "rsa-1",
        alg: str | None = None,
        key: Any = None,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": iss,
            "sub": "ehr-client",
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        signing_key = key or (self.rsa_key if kid.startswith("rsa") else self.ec_key)
        algorithm = alg or ("RS384" if isinstance(signing_key, rsa.RSAPrivateKey) else "ES384")
        header = {"kid": kid, "typ": "JWT", **(headers or {})}
        return jwt.encode(payload, signing_key, algorithm=algorithm, headers=header)


# ---- synthetic FHIR -------------------------------------------------------------------------


def born(years: int, days: int = 40) -> str:
    return (TODAY - timedelta(days=365 * years + years // 4 + days)).isoformat()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def patient(pid: str, years: int, gender: str = "female") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "birthDate": born(years), "gender": gender}


def condition(
    pid: str, code: str, display: str, *, onset_days: int | None = None, n: int = 1
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Condition",
        "id": f"{pid}-cond-{n}",
        "subject": {"reference": f"Patient/{pid}"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": ICD10, "code": code, "display": display}], "text": display},
    }
    if onset_days is not None:
        out["onsetDateTime"] = ago(onset_days)
    return out


def medication_request(
    pid: str,
    name: str,
    *,
    n: int = 1,
    status: str = "active",
    days_ago: int = 30,
    outcome: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": f"{pid}-mr-{n}",
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "authoredOn": ago(days_ago),
        "medicationCodeableConcept": {"text": name},
    }
    if outcome:
        out["note"] = [{"text": f"trial-outcome: {outcome}"}]
    return out


def bont_procedure(pid: str, days_ago: int, *, n: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": f"{pid}-proc-{n}",
        "status": "completed",
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"text": "Botulinum toxin injection (onabotulinumtoxinA)"},
        "performedDateTime": ago(days_ago),
    }


def draft_medication(pid: str, name: str, oid: str = "draft-1") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": oid,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": {"text": name},
    }


def draft_service(pid: str, text: str, oid: str = "draft-sr-1") -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": oid,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"text": text},
    }


PREFETCH_KEYS = {
    "Condition": "conditions",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "MedicationAdministration": "medicationAdministrations",
    "Procedure": "procedures",
    "Observation": "observations",
}


def prefetch_for(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Every prefetch key filled: the Patient, and a searchset Bundle (or null) per type."""
    out: dict[str, Any] = {"patient": next(r for r in resources if r["resourceType"] == "Patient")}
    for rtype, key in PREFETCH_KEYS.items():
        found = [r for r in resources if r["resourceType"] == rtype]
        out[key] = (
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in found],
            }
            if found
            else None
        )
    return out


def hook_body(
    hook: str, pid: str, resources: list[dict[str, Any]] | None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/dr-1", "patientId": pid},
    }
    if resources is not None:
        body["prefetch"] = prefetch_for(resources)
    body.update(extra)
    return body


def order_body(
    hook: str, pid: str, resources: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> dict[str, Any]:
    body = hook_body(hook, pid, resources)
    body["context"]["draftOrders"] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": o} for o in orders],
    }
    if hook == "order-select":
        body["context"]["selections"] = [f"{o['resourceType']}/{o['id']}" for o in orders]
    return body


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in cards]
