"""A test EHR on loopback: a SMART authorization server (PKCE S256 codes, tokens, an RS256 id
token with `fhirUser`, refresh tokens when asked for) and a FHIR server serving the example
Bundles, two resources a page, patient-scoped tokens. It records every request it gets.
Synthetic data only."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PAGE = 2  # resources per search page: every search with more than two pages
KID = "test-ehr-key-1"
CLIENT_ID = "dystonia-cds-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_examples(*names: str) -> dict[str, list[dict[str, Any]]]:
    """Patient id -> that patient's resources, from example Bundles."""
    patients: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        bundle = json.loads((EXAMPLES / f"{name}.json").read_text())
        resources = [e["resource"] for e in bundle["entry"]]
        pid = next(r["id"] for r in resources if r["resourceType"] == "Patient")
        patients[pid] = resources
    return patients


@dataclass
class Grant:
    patient: str | None
    scope: str
    client_id: str
    redirect_uri: str = ""
    challenge: str = ""
    app_context: str | None = None


@dataclass
class FakeEhr:
    patients: dict[str, list[dict[str, Any]]]
    client_id: str = CLIENT_ID
    fhir_user: str = "Practitioner/test-practitioner-1"
    token_lifetime_s: int = 3600
    grant_refresh: bool = False
    standalone_patient: str | None = None
    extra_resources: list[dict[str, Any]] = field(default_factory=list)  # served in searches
    answer_with_patient: str | None = None  # a broken EHR: reads return this Patient instead
    extra_grant: str = ""  # scopes granted beyond those asked for (as an EHR's admin may set)
    created: list[dict[str, Any]] = field(default_factory=list)  # resources written to it
    base: str = ""
    requests: list[str] = field(default_factory=list)
    launches: dict[str, str] = field(default_factory=dict)  # launch value -> patient id
    app_contexts: dict[str, str] = field(default_factory=dict)  # launch value -> appContext
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[Grant, float]] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    @property
    def iss(self) -> str:
        return f"{self.base}/fhir"

    def launch_for(self, patient_id: str, app_context: str | None = None) -> str:
        value = secrets.token_urlsafe(12)
        self.launches[value] = patient_id
        if app_context is not None:
            self.app_contexts[value] = app_context
        return value

    def expire_tokens(self) -> None:
        self.tokens = {t: (g, 0.0) for t, (g, _) in self.tokens.items()}

    # authorization server ------------------------------------------------------------------
    async def configuration(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.iss,
                "jwks_uri": f"{self.base}/keys",
                "authorization_endpoint": f"{self.base}/auth/authorize",
                "token_endpoint": f"{self.base}/auth/token",
                "code_challenge_methods_supported": ["S256"],
                "capabilities": [
                    "launch-ehr",
                    "launch-standalone",
                    "client-public",
                    "sso-openid-connect",
                    "permission-v2",
                    "permission-offline",
                ],
            }
        )

    async def chart(self, request: Request) -> Response:
        """The EHR's chart page, showing the app (`?app=` its launch URL) in an iframe."""
        src = html.escape(request.query_params["app"])
        body = f'<!doctype html><title>EHR</title><iframe id="app" src="{src}"></iframe>'
        return HTMLResponse(body)

    async def keys(self, request: Request) -> Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        problems = [
            name
            for name, ok in (
                ("response_type", q.get("response_type") == "code"),
                ("client_id", q.get("client_id") == self.client_id),
                ("aud", q.get("aud") == self.iss),
                ("code_challenge_method", q.get("code_challenge_method") == "S256"),
                ("code_challenge", bool(q.get("code_challenge"))),
                ("state", bool(q.get("state"))),
                ("scope", {"openid", "fhirUser"} <= set(q.get("scope", "").split())),
            )
            if not ok
        ]
        if problems:
            return JSONResponse({"error": "invalid_request", "fields": problems}, 400)
        scopes = q["scope"].split()
        if "launch" in scopes:
            patient: str | None = self.launches.get(q.get("launch", ""))
            if patient is None:
                return JSONResponse({"error": "invalid_request", "fields": ["launch"]}, 400)
        else:
            patient = self.standalone_patient
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            patient,
            q["scope"],
            q["client_id"],
            q["redirect_uri"],
            q["code_challenge"],
            self.app_contexts.get(q.get("launch", "")),
        )
        query = urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", 302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.get(str(form.get("refresh_token")))
            if grant is None:
                return JSONResponse({"error": "invalid_grant"}, 400)
            return self._issue(grant, with_id_token=False)
        grant = self.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier") or "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        if (
            grant is None
            or form.get("redirect_uri") != grant.redirect_uri
            or form.get("client_id") != grant.client_id
            or digest.decode() != grant.challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, 400)
        return self._issue(grant, with_id_token=True)

    def _issue(self, grant: Grant, *, with_id_token: bool) -> Response:
        access = secrets.token_urlsafe(24)
        self.tokens[access] = (grant, time.time() + self.token_lifetime_s)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_s,
            "scope": f"{grant.scope} {self.extra_grant}".strip(),
        }
        if grant.patient:
            body["patient"] = grant.patient
        if grant.app_context:
            body["appContext"] = grant.app_context
        if with_id_token:
            body["id_token"] = self._id_token(grant)
        if self.grant_refresh:
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = grant
            body["refresh_token"] = refresh
        return JSONResponse(body, headers={"cache-control": "no-store"})

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.iss,
            "sub": "u1",
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 600,
            "fhirUser": self.fhir_user,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    # FHIR server ---------------------------------------------------------------------------
    def _grant(self, request: Request) -> Grant | None:
        header = request.headers.get("authorization", "")
        found = self.tokens.get(header.removeprefix("Bearer "))
        if found is None or found[1] < time.time():
            return None
        return found[0]

    async def read_patient(self, request: Request) -> Response:
        grant = self._grant(request)
        pid = request.path_params["pid"]
        if grant is None:
            return JSONResponse({"resourceType": "OperationOutcome"}, 401)
        if grant.patient not in (None, pid) or pid not in self.patients:
            return JSONResponse(
                {"resourceType": "OperationOutcome"}, 403 if pid in self.patients else 404
            )
        return JSONResponse(self.patients[self.answer_with_patient or pid][0])

    async def search(self, request: Request) -> Response:
        grant = self._grant(request)
        rtype = request.path_params["rtype"]
        if grant is None:
            return JSONResponse({"resourceType": "OperationOutcome"}, 401)
        if rtype == "Patient":
            found = [r[0] for r in self.patients.values()]
            return JSONResponse(self._page(found, 0, ""))
        pid = request.query_params.get("patient", "")
        if grant.patient not in (None, pid):
            return JSONResponse({"resourceType": "OperationOutcome"}, 403)
        found = [
            r
            for r in self.patients.get(pid, []) + self.extra_resources
            if r["resourceType"] == rtype
        ]
        page = int(request.query_params.get("_page", "0"))
        # next pages through another path of the same server, as SMART's reference launcher's
        # proxy does (it pages on its base URL without the launch's /sim/... segment)
        paging = f"{self.base}/proxy/fhir/{rtype}?patient={pid}"
        return JSONResponse(self._page(found, page, paging))

    async def create(self, request: Request) -> Response:
        grant = self._grant(request)
        rtype = request.path_params["rtype"]
        if grant is None:
            return JSONResponse({"resourceType": "OperationOutcome"}, 401)
        allowed = f"{grant.scope} {self.extra_grant}".split()
        if f"patient/{rtype}.c" not in allowed:
            issue = {"severity": "error", "code": "forbidden", "diagnostics": "scope"}
            return JSONResponse({"resourceType": "OperationOutcome", "issue": [issue]}, 403)
        resource = await request.json()
        subject = resource.get("subject", {}).get("reference")
        if subject != f"Patient/{grant.patient}":
            return JSONResponse({"resourceType": "OperationOutcome"}, 403)
        resource["id"] = f"created-{len(self.created) + 1}"
        self.created.append(resource)
        location = f"{self.iss}/{rtype}/{resource['id']}/_history/1"
        return JSONResponse(resource, 201, headers={"location": location})

    def _page(self, found: list[dict[str, Any]], page: int, url: str) -> dict[str, Any]:
        chunk = found[page * PAGE : (page + 1) * PAGE]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r} for r in chunk],
        }
        if (page + 1) * PAGE < len(found):
            bundle["link"] = [{"relation": "next", "url": f"{url}&_page={page + 1}"}]
        return bundle

    def app(self) -> Starlette:
        routes = [
            Route("/fhir/.well-known/smart-configuration", self.configuration),
            Route("/keys", self.keys),
            Route("/ehr", self.chart),
            Route("/auth/authorize", self.authorize),
            Route("/auth/token", self.token, methods=["POST"]),
            Route("/fhir/Patient/{pid}", self.read_patient),
            Route("/fhir/{rtype}", self.search),
            Route("/proxy/fhir/{rtype}", self.search),
            Route("/fhir/{rtype}", self.create, methods=["POST"]),
        ]
        app = Starlette(routes=routes)
        ehr = self

        class Recorder:
            def __init__(self, inner: Any) -> None:
                self.inner = inner

            async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
                if scope["type"] == "http":
                    ehr.requests.append(scope["path"])
                await self.inner(scope, receive, send)

        return Recorder(app)  # type: ignore[return-value]


class Serving:
    """A uvicorn server in a thread on a free loopback port."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            loop="asyncio",
            http="h11",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
