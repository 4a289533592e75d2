"""The hot CDS Hooks calls answered by a pure ASGI layer, before FastAPI's router.

`POST /cds-services/{id}` and `POST /cds-services/{id}/feedback` are answered here by the same
`CdsHooksApi` methods the FastAPI routes call: FastAPI's routing, dependency solving and
`Request`/`Response` objects cost about as much per call as the service's own work on a cache
hit (PERFORMANCE.md). The FastAPI routes stay registered, so the OpenAPI document (and every
other path) is unchanged. The layer sits inside `ScopedCors` and `SecurityHeaders`, so CORS and
the security headers apply as before; every other request goes on to the app untouched.

A reply is `(status, JSON bytes)`, sent with the headers Starlette's `Response` would send
(`content-length`, `content-type: application/json`, and `www-authenticate: Bearer` on 401).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from dystonia_cds.cdshooks.errors import BodyTooLarge

PREFIX = "/cds-services/"
FEEDBACK = "/feedback"
JSON = b"application/json"
Reply = tuple[int, bytes]
Handler = Callable[[str, Scope, Receive], Awaitable[Reply]]


def route_path(scope: Scope) -> str:
    """The path the router matches (Starlette's `get_route_path`: the root path taken off)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


def hot_target(path: str) -> tuple[str, bool] | None:
    """(service id, is feedback) for the two hot paths, else None (the id as the router
    reads `{service_id}`: one non-empty path segment)."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX) :]
    feedback = rest.endswith(FEEDBACK)
    service_id = rest[: -len(FEEDBACK)] if feedback else rest
    if not service_id or "/" in service_id:
        return None
    return service_id, feedback


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case, as ASGI servers send it)."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


async def receive_body(receive: Receive, limit: int) -> bytes:
    """The request body, refused with `BodyTooLarge` as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"the request body is over the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        elif kind == "http.disconnect":
            raise ClientDisconnect


def reply_headers(status: int, body: bytes) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", JSON)]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    return headers


async def send_reply(send: Send, status: int, body: bytes) -> None:
    start = {"type": "http.response.start", "status": status}
    start["headers"] = reply_headers(status, body)
    await send(start)
    await send({"type": "http.response.body", "body": body})


class HookDispatch:
    """Answers the hot CDS Hooks POSTs itself; passes everything else to `app`."""

    def __init__(self, app: ASGIApp, *, call: Handler, feedback: Handler) -> None:
        self.app = app
        self.handlers: dict[bool, Handler] = {False: call, True: feedback}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = None
        if scope["type"] == "http" and scope["method"] == "POST":
            target = hot_target(route_path(scope))
        if target is None:
            await self.app(scope, receive, send)
            return
        service_id, feedback = target
        try:
            status, body = await self.handlers[feedback](service_id, scope, receive)
        except ClientDisconnect:
            return  # the client has gone: nothing to answer
        await send_reply(send, status, body)
