"""EHRs may show the app inside their own page (an iframe of the chart): when SMART is
configured, the app's pages may be framed by the configured EHRs' origins, and by no one else.

An outer ASGI middleware rewrites the security headers the web app sets: `frame-ancestors 'none'`
becomes `frame-ancestors 'self' <EHR origins>`, and `X-Frame-Options: DENY` (which cannot name
an origin) is dropped, as CSP `frame-ancestors` supersedes it in browsers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
NONE = b"frame-ancestors 'none'"


def origins_of(urls: Iterable[str]) -> list[str]:
    found: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("https", "http") and parts.netloc and origin not in found:
            found.append(origin)
    return found


class EhrFraming:
    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.allowed = ("frame-ancestors 'self' " + " ".join(origins)).encode()

    def _headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        out: list[tuple[bytes, bytes]] = []
        for name, value in headers:
            lower = name.lower()
            if lower == b"x-frame-options":
                continue
            if lower == b"content-security-policy" and NONE in value:
                value = value.replace(NONE, self.allowed)
            out.append((name, value))
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def framed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, framed)
