"""HTTP routes of the CDS Hooks 2.0 service.

    GET  /cds-services                 discovery (open)
    POST /cds-services/{id}            a hook call (JWT) -> {"cards": [...]}
    POST /cds-services/{id}/feedback   card outcomes (JWT) -> stored
    GET  /feedback/summary             acceptance / override rates per topic (API token)

Order of checks on a call: unknown service 404 (whatever the token), Content-Length over the
limit 413, JWT 401, streamed size 413, body 400, missing data 412. Every hook and feedback call
is audited, whatever its answer (`audit.py`); the fallback fetch may reach only the FHIR
servers of the caller's issuer (`issuers.py`). Handlers are `async def`,
read the raw body and decode it with orjson (PERFORMANCE.md); errors are JSON `{"error": ...}`.
The two POSTs are answered by `dispatch.HookDispatch` before FastAPI's router, through the same
`CdsHooksApi` methods as the routes registered here (which keep the OpenAPI document whole).
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

import orjson
from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope

from dystonia_cds.cdshooks.audit import CallAudit, CallNote, Entry, actor_of, hook_action
from dystonia_cds.cdshooks.auth import JwksCache, JwtVerifier, bearer_token
from dystonia_cds.cdshooks.cors import ScopedCors
from dystonia_cds.cdshooks.dispatch import HookDispatch, Reply, header, receive_body
from dystonia_cds.cdshooks.errors import BodyTooLarge, UnknownService, status_for
from dystonia_cds.cdshooks.feedback import parse_feedback, store_feedback, summarise
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.issuers import Issuer, issuers_from
from dystonia_cds.cdshooks.payload import TOO_DEEP
from dystonia_cds.cdshooks.prefetch import Servers
from dystonia_cds.cdshooks.replay import replay_guard
from dystonia_cds.cdshooks.runner_factory import RunnerHolder
from dystonia_cds.cdshooks.services import SERVICES, Service, discovery_document
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import AuthenticationError, DystoniaCdsError, InvalidInput

log = logging.getLogger(__name__)
JSON = "application/json"
HOOK_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["hook", "hookInstance", "context"],
    "properties": {
        "hook": {"type": "string"},
        "hookInstance": {"type": "string"},
        "fhirServer": {"type": "string"},
        "fhirAuthorization": {"type": "object"},
        "context": {"type": "object"},
        "prefetch": {"type": "object"},
    },
}
FEEDBACK_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["feedback"],
    "properties": {"feedback": {"type": "array", "items": {"type": "object"}}},
}


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {JSON: {"schema": schema}}}}


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=JSON)


def error_reply(exc: DystoniaCdsError) -> Reply:
    return status_for(exc), orjson.dumps({"error": str(exc)})


def error_response(exc: DystoniaCdsError) -> Response:
    return reply_response(error_reply(exc))


def reply_response(reply: Reply) -> Response:
    """The Starlette response of a reply (what `dispatch.send_reply` sends)."""
    status, body = reply
    response = Response(body, status_code=status, media_type=JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def find_service(service_id: str) -> Service:
    service = SERVICES.get(service_id)
    if service is None:
        raise UnknownService(f"no CDS service {service_id!r}; see GET /cds-services")
    return service


def check_length(length: str | None, limit: int) -> None:
    """The Content-Length header's value against the limit (no header: checked while read)."""
    if length is None:
        return
    if not length.isdigit():
        raise InvalidInput("the Content-Length header is not a number")
    if int(length) > limit:
        raise BodyTooLarge(f"the request body is over the limit of {limit} bytes")


class CdsHooksApi:
    """The handlers, bound to one application context."""

    def __init__(self, ctx: AppContext) -> None:
        settings = ctx.settings
        self.ctx = ctx
        self.limit = settings.max_body_bytes
        self.base = settings.public_url.rstrip("/")
        self.card_log = CardLog(ctx.sessions)
        self.audit = CallAudit(ctx.sessions)
        self.runners = RunnerHolder(ctx, self.card_log)
        self.issuers: dict[str, Issuer] = issuers_from(settings.trusted_issuers)
        self.verifier: JwtVerifier | None = None
        if not settings.insecure_dev:
            jwks = JwksCache(settings.jwks_cache_s, timeout_s=min(settings.fhir_timeout_s, 10.0))
            replay = replay_guard(settings.replay_cache_url)
            self.verifier = JwtVerifier(self.issuers, jwks, replay)
        self.discovery = orjson.dumps(discovery_document())

    async def authenticate(
        self, authorization: str | None, audiences: list[str]
    ) -> dict[str, Any] | None:
        """The verified JWT claims; None in insecure development mode."""
        if self.verifier is None:
            return None
        return await self.verifier.verify(authorization, audiences)

    def servers_for(self, claims: dict[str, Any] | None) -> Servers:
        """The FHIR servers the caller's issuer may send the service to (None: any, insecure
        development mode only)."""
        if self.verifier is None:
            return None
        return self.issuers[str(claims["iss"])].fhir_servers if claims else frozenset()

    def audited(self, scope: Scope, note: CallNote, action: str, status: int) -> None:
        client = scope.get("client")
        self.audit.add(
            Entry(note.actor, action, note.patient_id, client[0] if client else None, status)
        )

    async def discover(self) -> Response:
        return Response(self.discovery, media_type=JSON)

    async def call(self, service_id: str, scope: Scope, receive: Receive) -> Reply:
        """A hook call (audited): 404, 413 (Content-Length), 401, 413 (streamed), the runner."""
        note = CallNote()
        try:
            reply = await self._call(service_id, scope, receive, note)
        except ClientDisconnect:
            raise  # the client has gone: no answer, nothing to audit
        except Exception:  # an unforeseen failure (500) is audited too
            self.audited(scope, note, hook_action(service_id, note), 500)
            raise
        self.audited(scope, note, hook_action(service_id, note), reply[0])
        return reply

    async def _call(self, service_id: str, scope: Scope, receive: Receive, note: CallNote) -> Reply:
        try:
            service = find_service(service_id)
            headers = scope["headers"]
            check_length(header(headers, b"content-length"), self.limit)
            audience = [f"{self.base}/cds-services/{service.id}"]
            claims = await self.authenticate(header(headers, b"authorization"), audience)
            note.actor = actor_of(claims)
            body = await receive_body(receive, self.limit)
            runner = self.runners.get()
            servers = self.servers_for(claims)
            return 200, await runner.respond(service, body, servers, note)
        except DystoniaCdsError as exc:
            return error_reply(exc)
        except RecursionError:  # nesting that got past the decoders' own limits
            return error_reply(InvalidInput(TOO_DEEP))

    async def feedback(self, service_id: str, scope: Scope, receive: Receive) -> Reply:
        """A feedback call (audited)."""
        note = CallNote(hook="feedback")
        reply = await self._feedback(service_id, scope, receive, note)
        self.audited(scope, note, hook_action(service_id, note), reply[0])
        return reply

    async def _feedback(
        self, service_id: str, scope: Scope, receive: Receive, note: CallNote
    ) -> Reply:
        try:
            service = find_service(service_id)
            headers = scope["headers"]
            check_length(header(headers, b"content-length"), self.limit)
            url = f"{self.base}/cds-services/{service.id}"
            auth = header(headers, b"authorization")
            note.actor = actor_of(await self.authenticate(auth, [url, f"{url}/feedback"]))
            parsed = parse_feedback(await receive_body(receive, self.limit))
            stored = await to_thread.run_sync(self._store, service.id, parsed)
        except DystoniaCdsError as exc:
            return error_reply(exc)
        return 200, orjson.dumps({"stored": stored})

    def _store(self, service_id: str, parsed: Any) -> int:
        self.card_log.flush()
        with self.ctx.sessions.begin() as session:
            return store_feedback(session, service_id, parsed)

    async def summary(self, request: Request) -> Response:
        try:
            token = bearer_token(request.headers.get("authorization"))
            report = await to_thread.run_sync(self._summary, token)
        except DystoniaCdsError as exc:
            return error_response(exc)
        return json_response(report)

    def _summary(self, token: str) -> dict[str, Any]:
        from dystonia_cds.store.tokens import token_owner

        self.card_log.flush()
        with self.ctx.sessions() as session:
            if token_owner(session, token) is None:
                raise AuthenticationError("the API token is not valid")
            return summarise(session)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the CDS Hooks routes and their CORS handling to the app."""
    if ctx.settings.insecure_dev:
        log.warning(
            "INSECURE DEV MODE: CDS Hooks JWT verification is OFF (DYSTONIA_CDS_INSECURE_DEV=1). "
            "Any caller can request cards. Never run this way with real patient data."
        )
    elif not ctx.settings.trusted_issuers:
        log.warning(
            "CDS Hooks: no trusted issuers configured (DYSTONIA_CDS_TRUSTED_ISSUERS); every "
            "service and feedback call will be refused with 401"
        )
    api = CdsHooksApi(ctx)
    api.runners.warm()
    if api.verifier is not None:
        app.router.add_event_handler("shutdown", api.verifier.replay.close)
    app.router.add_event_handler("shutdown", api.audit.flush)
    # innermost first: HookDispatch answers the hot POSTs inside CORS and security headers
    app.add_middleware(HookDispatch, call=api.call, feedback=api.feedback)
    app.add_middleware(ScopedCors, origins=list(ctx.settings.cors_origins))
    tags: list[str | Enum] = ["CDS Hooks"]
    app.add_api_route("/cds-services", api.discover, methods=["GET"], tags=tags)

    # The two POST routes document the calls in OpenAPI; HookDispatch answers them first.
    async def call_service(service_id: str, request: Request) -> Response:
        return reply_response(await api.call(service_id, request.scope, request.receive))

    async def post_feedback(service_id: str, request: Request) -> Response:
        return reply_response(await api.feedback(service_id, request.scope, request.receive))

    async def feedback_summary(request: Request) -> Response:
        return await api.summary(request)

    app.add_api_route(
        "/cds-services/{service_id}",
        call_service,
        methods=["POST"],
        tags=tags,
        openapi_extra=_body_doc(HOOK_BODY_SCHEMA),
    )
    app.add_api_route(
        "/cds-services/{service_id}/feedback",
        post_feedback,
        methods=["POST"],
        tags=tags,
        openapi_extra=_body_doc(FEEDBACK_BODY_SCHEMA),
    )
    app.add_api_route("/feedback/summary", feedback_summary, methods=["GET"], tags=tags)
    app.state.cdshooks = api
