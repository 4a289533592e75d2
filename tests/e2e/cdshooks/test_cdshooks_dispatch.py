"""The hot CDS Hooks POSTs answered by `HookDispatch` (before FastAPI's router) answer exactly as
the FastAPI routes do: the same status, headers and body on every path, errors included.

Each request goes, as the same ASGI messages, to the app as built (`HookDispatch` in the stack)
and to the same app without it (the routes answer); card and suggestion uuids are random, so
they are masked before the comparison."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from cdshooks_support import bont_procedure, condition, hook_body, medication_request, patient
from fastapi import FastAPI

from dystonia_cds.app import create_app
from dystonia_cds.cdshooks.cors import ScopedCors
from dystonia_cds.cdshooks.dispatch import HookDispatch, hot_target, route_path
from dystonia_cds.config import Settings

TREATMENT = "/cds-services/dystonia-treatment-options"
SAFETY = "/cds-services/dystonia-order-safety"
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def without_dispatch(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not HookDispatch]
    return app


def build(tmp: Path, name: str, *, dispatch: bool, **settings: Any) -> FastAPI:
    config = Settings(database_url=f"sqlite:///{tmp / name}.sqlite", **settings)
    app = create_app(config)
    assert any(m.cls is HookDispatch for m in app.user_middleware)
    return app if dispatch else without_dispatch(app)


def call(
    app: FastAPI,
    path: str,
    chunks: list[bytes],
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    method: str = "POST",
    length: bool = True,
) -> Answer:
    """One request as ASGI messages (the body in `chunks`); the answer as sent."""
    raw = list(headers or [(b"content-type", b"application/json")])
    if length:
        raw.append((b"content-length", str(sum(len(c) for c in chunks)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *raw],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks or [b""])
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(60)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], list(sent[0]["headers"]), UUID.sub(b"<uuid>", body)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FastAPI]:
    tmp = tmp_path_factory.mktemp("dispatch")
    dev = {"insecure_dev": True, "max_body_bytes": 50_000}
    jwt = {"trusted_issuers": {"https://ehr.example": "http://127.0.0.1:9/jwks"}}
    return {
        "dev": build(tmp, "dev-fast", dispatch=True, **dev),
        "dev-routed": build(tmp, "dev-routed", dispatch=False, **dev),
        "jwt": build(tmp, "jwt-fast", dispatch=True, max_body_bytes=50_000, **jwt),
        "jwt-routed": build(tmp, "jwt-routed", dispatch=False, max_body_bytes=50_000, **jwt),
    }


def both(apps: dict[str, FastAPI], kind: str, *args: Any, **kwargs: Any) -> Answer:
    fast = call(apps[kind], *args, **kwargs)
    assert fast == call(apps[f"{kind}-routed"], *args, **kwargs)
    return fast


def adult_cervical() -> list[dict[str, Any]]:
    return [
        patient("disp-1", 45),
        condition("disp-1", "G24.3", "Spasmodic torticollis"),
        medication_request("disp-1", "trihexyphenidyl", status="completed"),
        bont_procedure("disp-1", 200),
    ]


def body_of(value: Any) -> list[bytes]:
    return [orjson.dumps(value)]


GOOD = body_of(hook_body("patient-view", "disp-1", adult_cervical()))
JWT_CASES: dict[str, tuple[str, list[bytes], list[tuple[bytes, bytes]] | None, int]] = {
    "unknown service, no token": ("/cds-services/nope", GOOD, None, 404),
    "unknown service feedback": ("/cds-services/nope/feedback", [b"{}"], None, 404),
    "over the limit by content-length": (TREATMENT, [b"x" * 60_000], None, 413),
    "no token": (TREATMENT, GOOD, None, 401),
    "not a bearer token": (TREATMENT, GOOD, [(b"authorization", b"Basic abc")], 401),
    "a token that is no JWT": (TREATMENT, GOOD, [(b"authorization", b"Bearer x.y.z")], 401),
    "feedback without a token": (TREATMENT + "/feedback", [b"{}"], None, 401),
}


@pytest.mark.parametrize("case", sorted(JWT_CASES))
def test_checks_before_the_body_answer_as_the_routes_do(
    apps: dict[str, FastAPI], case: str
) -> None:
    path, chunks, headers, status = JWT_CASES[case]
    answer = both(apps, "jwt", path, chunks, headers)
    assert answer[0] == status
    assert (b"www-authenticate", b"Bearer") in answer[1] if status == 401 else True


def test_a_content_length_that_is_no_number_is_400(apps: dict[str, FastAPI]) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"12a")]
    assert both(apps, "jwt", TREATMENT, GOOD, headers, length=False)[0] == 400


def test_a_streamed_body_over_the_limit_is_413(apps: dict[str, FastAPI]) -> None:
    chunks = [b"x" * 20_000] * 3
    assert both(apps, "dev", TREATMENT, chunks, length=False)[0] == 413


DEV_CASES: dict[str, tuple[str, list[bytes], int]] = {
    "cards": (TREATMENT, GOOD, 200),
    "cards from a chunked body": (TREATMENT, [GOOD[0][:100], GOOD[0][100:]], 200),
    "malformed JSON": (TREATMENT, [b'{"hook": "patient-view",'], 400),
    "empty body": (TREATMENT, [b""], 400),
    "not an object": (TREATMENT, [b"[1, 2]"], 400),
    "wrong hook": (TREATMENT, [b'{"hook": "order-sign", "context": {"patientId": "p"}}'], 400),
    "no prefetch, no fhirServer": (
        TREATMENT,
        body_of(hook_body("patient-view", "p-412", None)),
        412,
    ),
    "order hook without draft orders": (
        SAFETY,
        body_of(hook_body("order-sign", "disp-1", adult_cervical())),
        400,
    ),
    "feedback not JSON": (TREATMENT + "/feedback", [b"{"], 400),
    "feedback without outcomes": (TREATMENT + "/feedback", [b'{"feedback": []}'], 400),
}


@pytest.mark.parametrize("case", sorted(DEV_CASES))
def test_hook_calls_answer_as_the_routes_do(apps: dict[str, FastAPI], case: str) -> None:
    path, chunks, status = DEV_CASES[case]
    answer = both(apps, "dev", path, chunks)
    assert answer[0] == status, answer[2]
    assert answer[1][:2] == [
        (b"content-length", str(len(answer[2].replace(b"<uuid>", b"u" * 36))).encode()),
        (b"content-type", b"application/json"),
    ]


def test_cors_and_security_headers_are_added_as_before(apps: dict[str, FastAPI]) -> None:
    headers = [(b"content-type", b"application/json"), (b"origin", b"https://sandbox.example")]
    status, sent, _ = both(apps, "dev", TREATMENT, GOOD, headers)
    names = {name for name, _ in sent}
    assert status == 200
    assert {b"access-control-allow-origin", b"content-security-policy", b"cache-control"} <= names


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/cds-services/"),
        ("POST", "/cds-services/a/b"),
        ("GET", TREATMENT),
        ("PUT", TREATMENT + "/feedback"),
        ("POST", "/cds-services"),
    ],
)
def test_other_requests_go_on_to_the_app(apps: dict[str, FastAPI], method: str, path: str) -> None:
    both(apps, "dev", path, [b"{}"], method=method)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/cds-services/x", ("x", False)),
        ("/cds-services/x/feedback", ("x", True)),
        ("/cds-services/feedback", ("feedback", False)),
        ("/cds-services//feedback", None),
        ("/cds-services/", None),
        ("/cds-services/x/", None),
        ("/cds-servicesx/y", None),
        ("/api/x", None),
    ],
)
def test_the_hot_paths_are_exactly_the_two_routes(path: str, target: Any) -> None:
    assert hot_target(path) == target


def test_the_root_path_is_taken_off_as_the_router_does() -> None:
    assert route_path({"path": "/base/cds-services/x", "root_path": "/base"}) == "/cds-services/x"
    assert route_path({"path": "/basement", "root_path": "/base"}) == "/basement"
    assert route_path({"path": "/base", "root_path": "/base"}) == ""
    assert route_path({"path": "/cds-services/x", "root_path": ""}) == "/cds-services/x"


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"content-type", b"application/json")],
        [(b"vary", b"Accept")],
        [(b"vary", b"Accept"), (b"x", b"1"), (b"vary", b"Cookie")],
    ],
)
def test_a_call_without_origin_gets_the_vary_header_starlettes_cors_gives(
    headers: list[tuple[bytes, bytes]],
) -> None:
    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    def sent_by(app: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        scope = {"type": "http", "method": "POST", "path": TREATMENT, "headers": []}
        asyncio.run(app(scope, None, send))
        return out

    scoped = ScopedCors(inner, ["*"])
    assert sent_by(scoped) == sent_by(scoped.cors)
