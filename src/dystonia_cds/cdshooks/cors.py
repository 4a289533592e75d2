"""CORS for the CDS Hooks paths only (browser EHR sandboxes), without CORS work on the
server-to-server calls that make up nearly all of the traffic."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ScopedCors:
    """CORS (settings.cors_origins) for the CDS Hooks paths only, for browser EHR sandboxes.

    A request without an `Origin` header (an EHR's server-side call) only gets `Vary: Origin`
    added to its response, as Starlette's `CORSMiddleware` adds it, without building that
    middleware's per-request objects."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/cds-services"):
            await self.app(scope, receive, send)
        elif any(name == b"origin" for name, _ in scope["headers"]):
            await self.cors(scope, receive, send)
        else:

            async def send_vary(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = vary_origin(list(message.get("headers", [])))
                await send(message)

            await self.app(scope, receive, send_vary)


def vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`Vary: Origin` joined to the response's Vary headers, as Starlette's `MutableHeaders`
    sets it: one header, where the first one was, or appended."""
    found = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
    value = b", ".join([*(headers[i][1] for i in found), b"Origin"])
    if not found:
        headers.append((b"vary", value))
        return headers
    for i in reversed(found[1:]):
        del headers[i]
    headers[found[0]] = (b"vary", value)
    return headers
