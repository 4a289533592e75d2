"""`jti` replay protection for CDS Hooks JWTs: each token may be used once until its `exp`.

Two stores, one interface (`remember` is True the first time an (issuer, jti) is seen):
- `LocalReplayCache` (the default): the `jti`s this process has seen. With several workers a
  replay that lands on another worker is not detected.
- `RedisReplayCache` (`DYSTONIA_CDS_REPLAY_CACHE_URL=redis://host:6379/0`): one atomic
  `SET key NX EXAT exp` per call in a Redis every worker and every node shares, so a token is
  accepted once across all of them. Keys hold no token, only a SHA-256 of issuer and `jti`.
  When Redis cannot answer, the call is refused with 503 (fail closed), never let through.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from dystonia_cds.cdshooks.errors import NotReady

log = logging.getLogger(__name__)
KEY_PREFIX = "dystonia-cds:jti:"


class ReplayGuard(Protocol):
    async def remember(self, issuer: str, jti: str, exp: float, now: float) -> bool:
        """Record a jti; False when it was already seen and its token has not expired."""
        ...

    async def close(self) -> None: ...


@dataclass(slots=True)
class LocalReplayCache:
    """`jti`s seen per issuer in this process, each kept until its token's `exp`."""

    seen: dict[tuple[str, str], float] = field(default_factory=dict)
    next_purge: float = 0.0

    def remember_now(self, issuer: str, jti: str, exp: float, now: float) -> bool:
        if now >= self.next_purge:
            self.seen = {k: v for k, v in self.seen.items() if v > now}
            self.next_purge = now + 60
        key = (issuer, jti)
        if self.seen.get(key, 0.0) > now:
            return False
        self.seen[key] = exp
        return True

    async def remember(self, issuer: str, jti: str, exp: float, now: float) -> bool:
        return self.remember_now(issuer, jti, exp, now)

    async def close(self) -> None:
        return None


class RedisReplayCache:
    """`jti`s seen per issuer in a shared Redis, each key expiring with its token."""

    def __init__(self, url: str, *, timeout_s: float = 2.0) -> None:
        from redis.asyncio import Redis

        self.url = url
        self.client: Any = Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )

    @staticmethod
    def key(issuer: str, jti: str) -> str:
        digest = hashlib.sha256(f"{len(issuer)}:{issuer}|{jti}".encode()).hexdigest()
        return KEY_PREFIX + digest

    async def remember(self, issuer: str, jti: str, exp: float, now: float) -> bool:
        from redis.exceptions import RedisError

        from dystonia_cds.ops.metrics import REPLAY_CACHE_ERRORS

        if exp <= now:
            return False  # an expired token is refused before this; never stored
        try:
            stored = await self.client.set(self.key(issuer, jti), b"1", nx=True, exat=int(exp) + 1)
        except (RedisError, OSError) as exc:
            REPLAY_CACHE_ERRORS.inc()
            log.error("replay cache at %s unavailable: %s", _safe(self.url), exc)
            raise NotReady("the JWT replay check is unavailable; try again") from exc
        return bool(stored)

    async def close(self) -> None:
        await self.client.aclose()


def replay_guard(url: str | None) -> ReplayGuard:
    """The shared Redis store when a URL is configured, else this process's own cache."""
    if url:
        return RedisReplayCache(url)
    return LocalReplayCache()


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
