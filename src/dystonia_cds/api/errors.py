"""The one place where the error tree becomes HTTP statuses for `/api`, and where failed
calls are audited.

    AuthenticationError          401  (with `WWW-Authenticate: Bearer`)
    PatientNotFound              404
    InvalidInput, FhirInputError 422  {"detail": [{"field", "msg", "loc"}]}
    RequestValidationError       422  (pydantic: the body or query field that is wrong)
    VersionConflict              412  (`If-Match` names a stale version; api.versions)
    UpstreamUnavailable          503
    other DystoniaCdsError       500

`CareRoute` wraps every `/api` route: the table applies to these routes only, so the web app
and CDS Hooks keep their own error pages. It also refuses a JSON body that nests deeper than
`api.json_depth.MAX_JSON_DEPTH` (422) before anything walks it, and audits a failed call with
the status the client got (FastAPI's 400 for an unparsable body included).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dystonia_cds.api.calls import audit_failed_call
from dystonia_cds.api.json_depth import check_body_depth
from dystonia_cds.api.versions import VersionConflict
from dystonia_cds.domain.errors import (
    AuthenticationError,
    DystoniaCdsError,
    InvalidInput,
    PatientNotFound,
    UpstreamUnavailable,
)
from dystonia_cds.ops.faults import is_database_fault

log = logging.getLogger(__name__)

STATUS: tuple[tuple[type[DystoniaCdsError], int], ...] = (
    (AuthenticationError, 401),
    (PatientNotFound, 404),
    (InvalidInput, 422),
    (VersionConflict, 412),
    (UpstreamUnavailable, 503),
)


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def field_name(loc: Sequence[int | str]) -> str:
    """`("body", "muscles", 0, "units")` -> `muscles[0].units`."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path") else loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": field_name(e["loc"]), "msg": e["msg"], "loc": list(e["loc"])}
        for e in exc.errors()
    ]


def error_response(exc: Exception) -> Response | None:
    """The response for an error of the tree (or a request validation error); None if unknown."""
    if isinstance(exc, RequestValidationError):
        return JsonResponse({"detail": _validation_detail(exc)}, status_code=422)
    if not isinstance(exc, DystoniaCdsError):
        return None
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
    if isinstance(exc, InvalidInput):
        field = exc.location or "body"
        message = str(exc).removeprefix(f"{exc.location}: ") if exc.location else str(exc)
        detail: Any = [{"field": field, "msg": message}]
    else:
        detail = str(exc) if status != 500 else "internal error"
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JsonResponse({"detail": detail}, status_code=status, headers=headers)


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class CareRoute(APIRoute):
    """An `/api` route: errors become statuses by the table above; failed calls are audited."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                if request.method in BODY_METHODS:
                    check_body_depth(await request.body())
                return await handler(request)
            except Exception as exc:
                if is_database_fault(exc):
                    raise  # ops.faults: retried or 503; the audit cannot be written either
                response = error_response(exc)
                status = _status(exc, response)
                await run_in_threadpool(_audit_failure, request, status)
                if response is None:
                    raise
                return response

        return handle


def _status(exc: Exception, response: Response | None) -> int:
    """The status the client gets: ours, or FastAPI's own (400 for a body it cannot parse)."""
    if response is not None:
        return response.status_code
    return exc.status_code if isinstance(exc, HTTPException) else 500


def _audit_failure(request: Request, status: int) -> None:
    try:
        audit_failed_call(request, status)
    except Exception:  # the audit must not hide the original answer; it is logged loudly
        log.exception("could not write the audit entry of a failed call")
