"""Security headers for every response, and CSRF token checks for the web forms.

The headers are added by a pure ASGI middleware (cheaper than `BaseHTTPMiddleware`).
Pages under the web app are `no-store` (they show patient data); static assets are cacheable.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
STATIC_PREFIX = "/static/"
STATIC_CACHE = b"public, max-age=86400"  # asset URLs carry a content hash (?v=...)


def _is_cacheable(path: str) -> bool:
    return path.startswith(STATIC_PREFIX)


class SecurityHeaders:
    """Adds the security headers, `Cache-Control: no-store` outside /static/ and HSTS when
    the public URL is https."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.extra: tuple[tuple[bytes, bytes], ...] = (
            ((b"strict-transport-security", b"max-age=31536000; includeSubDomains"),)
            if hsts
            else ()
        )
        self.added = (*BASE_HEADERS, *self.extra)
        self.names = frozenset(name for name, _ in self.added)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = _is_cacheable(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if present.isdisjoint(self.names):
                    headers.extend(self.added)
                else:
                    headers.extend(h for h in self.added if h[0] not in present)
                if b"cache-control" not in present:
                    headers.append((b"cache-control", STATIC_CACHE if cacheable else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
