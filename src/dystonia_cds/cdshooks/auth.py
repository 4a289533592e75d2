"""CDS Hooks client authentication: a JWT signed by the EHR, checked against the issuer's JWKS.

What is checked, in order (each failure is an `AuthenticationError` naming the reason):
- an `Authorization: Bearer <JWT>` header; the JWT header has `kid` and an asymmetric `alg`,
  and `typ`, when present, is `JWT`;
- `iss` is a key of `settings.trusted_issuers` (issuer -> JWKS URL, or -> {jwks_url, fhir_servers});
- a `jku` header, if present, equals the JWKS URL configured for that issuer;
- the key named by `kid` is in that JWKS (fetched with httpx, cached `settings.jwks_cache_s`
  seconds, re-fetched once when a `kid` is unknown, for key rotation);
- the signature, `exp`, `iat` (not in the future), `aud` (one of the expected URLs); `exp` and
  `iat` are integers and `exp` is at most 5 minutes after `iat` (plus the clock skew), as the
  CDS Hooks specification asks of the EHR;
- `jti` was not seen before from that issuer while its token is valid (`cdshooks.replay`: this
  process's own cache by default; a Redis shared by every worker and node when
  `DYSTONIA_CDS_REPLAY_CACHE_URL` is set).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import orjson

from dystonia_cds.cdshooks.issuers import Issuer
from dystonia_cds.cdshooks.replay import LocalReplayCache, ReplayGuard
from dystonia_cds.domain.errors import AuthenticationError

ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
CLOCK_SKEW_S = 30
MAX_LIFETIME_S = 300  # the specification: exp at most 5 minutes after iat
MIN_REFETCH_S = 5.0
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


@dataclass(slots=True)
class _KeySet:
    fetched_at: float
    keys: dict[str, tuple[jwt.PyJWK, str | None]]  # kid -> (key, alg declared in the JWK)


def _parse_jwks(body: bytes, url: str) -> dict[str, tuple[jwt.PyJWK, str | None]]:
    try:
        data = orjson.loads(body)
        entries = data["keys"]
        keys: dict[str, tuple[jwt.PyJWK, str | None]] = {}
        for entry in entries:
            if isinstance(entry, dict) and entry.get("kid") and entry.get("use", "sig") == "sig":
                keys[str(entry["kid"])] = (jwt.PyJWK.from_dict(entry), entry.get("alg"))
        return keys
    except (orjson.JSONDecodeError, KeyError, TypeError, jwt.PyJWTError) as exc:
        raise AuthenticationError(f"the JWKS at {url} is not a valid JWK Set") from exc


class JwksCache:
    """JWK Sets by URL, fetched with httpx and cached for `ttl_s` seconds."""

    def __init__(
        self,
        ttl_s: float,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self.transport = transport  # injectable for tests
        self._sets: dict[str, _KeySet] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def key(self, url: str, kid: str) -> tuple[jwt.PyJWK, str | None]:
        now = time.monotonic()
        cached = self._sets.get(url)
        if cached is None or now - cached.fetched_at > self.ttl_s:
            cached = await self._refresh(url, cached)
        if kid not in cached.keys and time.monotonic() - cached.fetched_at > MIN_REFETCH_S:
            cached = await self._refresh(url, cached)  # key rotation
        if kid not in cached.keys:
            raise AuthenticationError(f"no key with kid {kid!r} in the issuer's JWKS")
        return cached.keys[kid]

    async def _refresh(self, url: str, previous: _KeySet | None) -> _KeySet:
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            current = self._sets.get(url)
            if current is not None and current is not previous:
                return current  # another request refreshed it meanwhile
            keys = await self._fetch(url)
            fresh = _KeySet(fetched_at=time.monotonic(), keys=keys)
            self._sets[url] = fresh
            return fresh

    async def _fetch(self, url: str) -> dict[str, tuple[jwt.PyJWK, str | None]]:
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout_s, transport=self.transport
            ) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
        except httpx.HTTPError as exc:
            raise AuthenticationError(f"the issuer's JWKS could not be fetched from {url}") from exc
        return _parse_jwks(response.content, url)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("missing Authorization header with a Bearer JWT")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <JWT>'")
    return token.strip()


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthenticationError("the bearer token is not a well-formed JWT") from exc
    return header, claims


def _check_header(header: dict[str, Any]) -> tuple[str, str]:
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise AuthenticationError(f"JWT alg {alg!r} is not allowed (asymmetric algorithms only)")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthenticationError("the JWT header has no kid")
    if "typ" in header and header["typ"] != "JWT":
        raise AuthenticationError("the JWT header typ must be 'JWT'")
    return str(alg), kid


def _check_lifetime(claims: dict[str, Any]) -> None:
    """`exp` and `iat` are integers (NumericDate seconds) and the token lives 5 minutes at most."""
    exp, iat = claims["exp"], claims["iat"]
    if type(exp) is not int or type(iat) is not int:
        raise AuthenticationError("the JWT exp and iat must be integers (seconds)")
    if exp - iat > MAX_LIFETIME_S + CLOCK_SKEW_S:
        raise AuthenticationError("the JWT lives too long: exp must be at most 5 minutes after iat")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise AuthenticationError("the JWT jti must be a string of 1 to 256 characters")


_DECODE_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "the JWT has expired (exp)"),
    (jwt.ImmatureSignatureError, "the JWT is not valid yet (iat or nbf in the future)"),
    (jwt.InvalidAudienceError, "the JWT aud is not this service's URL"),
    (jwt.InvalidIssuerError, "the JWT iss does not match"),
    (jwt.MissingRequiredClaimError, "the JWT lacks a required claim"),
    (jwt.InvalidSignatureError, "the JWT signature does not verify"),
)


def _decode_error_message(exc: Exception) -> str:
    for kind, message in _DECODE_ERRORS:
        if isinstance(exc, kind):
            return f"{message}: {exc}" if kind is jwt.MissingRequiredClaimError else message
    return f"the JWT could not be verified: {exc}"


class JwtVerifier:
    """Verifies CDS Hooks bearer JWTs for the issuers in `trusted_issuers`."""

    def __init__(
        self, issuers: dict[str, Issuer], jwks: JwksCache, replay: ReplayGuard | None = None
    ) -> None:
        self.issuers = dict(issuers)
        self.jwks = jwks
        self.replay: ReplayGuard = replay or LocalReplayCache()

    async def verify(self, authorization: str | None, audiences: list[str]) -> dict[str, Any]:
        """The verified claims, or `AuthenticationError` naming what is wrong."""
        token = bearer_token(authorization)
        header, unverified = _unverified(token)
        alg, kid = _check_header(header)
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or issuer not in self.issuers:
            raise AuthenticationError(f"JWT issuer {issuer!r} is not trusted")
        jwks_url = self.issuers[issuer].jwks_url
        if "jku" in header and header["jku"] != jwks_url:
            raise AuthenticationError("the JWT jku differs from the JWKS configured for its issuer")
        key, key_alg = await self.jwks.key(jwks_url, kid)
        if key_alg is not None and key_alg != alg:
            raise AuthenticationError(f"the JWT alg {alg} does not match key {kid!r} ({key_alg})")
        claims = self._decode(token, key, alg, issuer, audiences)
        fresh = await self.replay.remember(
            issuer, str(claims["jti"]), float(claims["exp"]), time.time()
        )
        if not fresh:
            raise AuthenticationError("the JWT jti was already used (replay)")
        return claims

    @staticmethod
    def _decode(
        token: str, key: jwt.PyJWK, alg: str, issuer: str, audiences: list[str]
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=audiences,
                issuer=issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": REQUIRED_CLAIMS},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise AuthenticationError(_decode_error_message(exc)) from exc
        _check_lifetime(claims)
        if claims["iat"] > time.time() + CLOCK_SKEW_S:
            raise AuthenticationError("the JWT is not valid yet (iat or nbf in the future)")
        return claims
