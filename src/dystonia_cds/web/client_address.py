"""The client address of the request being answered, for the audit log of the web app.

`ClientAddress` (pure ASGI middleware) keeps `scope["client"]` in a context variable that the
request's task and its thread-pool work see. The server puts the real client there: `serve`
believes `X-Forwarded-For` only from `DYSTONIA_CDS_TRUSTED_PROXIES` (uvicorn's proxy headers),
so a client cannot write its own address into the audit log.
"""

from __future__ import annotations

from contextvars import ContextVar

from dystonia_cds.web.security import ASGIApp, Receive, Scope, Send

_CLIENT: ContextVar[str | None] = ContextVar("dystonia_cds_client", default=None)


def current_client() -> str | None:
    """The address of the client whose request is being answered (None outside one)."""
    return _CLIENT.get()


class ClientAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = _CLIENT.set(str(client[0]) if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _CLIENT.reset(token)
