"""The security-header middleware on a bare ASGI app: headers added, not overridden, static
assets cacheable, pages `no-store`, HSTS only when asked."""

from __future__ import annotations

import asyncio
from typing import Any

from dystonia_cds.web.security import SecurityHeaders, tokens_match


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"text/plain")]
    if scope["path"] == "/own":
        headers.append((b"cache-control", b"max-age=5"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def _headers(path: str, **options: bool) -> dict[bytes, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = SecurityHeaders(_app, **options)  # type: ignore[arg-type]
    asyncio.run(middleware({"type": "http", "path": path}, receive, send))
    return dict(sent[0]["headers"])


def test_pages_get_every_security_header_and_no_store() -> None:
    headers = _headers("/patients/1")
    assert b"frame-ancestors 'none'" in headers[b"content-security-policy"]
    assert headers[b"x-frame-options"] == b"DENY"
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"cache-control"] == b"no-store"
    assert b"strict-transport-security" not in headers


def test_static_assets_are_cacheable_and_own_cache_headers_are_kept() -> None:
    assert _headers("/static/app.css")[b"cache-control"].startswith(b"public")
    assert _headers("/own")[b"cache-control"] == b"max-age=5"


def test_hsts_only_when_served_over_https() -> None:
    assert b"strict-transport-security" in _headers("/", hsts=True)


def test_tokens_match_only_equal_non_empty_values() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("", "")
    assert not tokens_match("abc", None)


def test_only_same_site_paths_are_followed_after_sign_in() -> None:
    from dystonia_cds.web.auth import safe_next

    assert safe_next("/patients/abc?x=1") == "/patients/abc?x=1"
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "",
        None,
        "javascript:x",
    ):
        assert safe_next(target) == "/patients"
