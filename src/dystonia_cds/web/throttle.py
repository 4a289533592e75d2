"""Sign-in throttling with growing delays, per username and per client address.

After `free` failed sign-ins for a key (`user:<lower-case username>` or `addr:<client
address>`), the next attempt for that key must wait `base_s`, then twice as long after each
further failure, up to `max_s`: password guessing slows to a crawl, yet the real user is never
locked out for longer than `max_s` (no hard lock-out). An address is allowed more failures
than a username (many users may sign in through one proxy or NAT address). A key's count is forgotten `forget_s`
after its last failure; a successful sign-in clears the username's count (not the address's:
an attacker with one valid account cannot reset the delay of the address it guesses from).

The counts are shared by every worker process and node: through the database
(`DatabaseFailures`, table `sign_in_failures`) or through Redis when `DYSTONIA_CDS_THROTTLE_URL`
is set (`RedisFailures`). Both are blocking: call them from the thread pool.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.throttle_models import SignInFailures

log = logging.getLogger(__name__)
Clock = Callable[[], float]


class FailureStore(Protocol):
    def read(self, keys: Iterable[str]) -> dict[str, tuple[int, float]]:
        """Key -> (failures, last failure time) for the keys that have any."""
        ...

    def add_failure(self, keys: Iterable[str], now: float, forget_s: float) -> None: ...

    def clear(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DelayPolicy:
    free: int = 5
    base_s: float = 1.0
    max_s: float = 300.0
    forget_s: float = 900.0

    def delay_s(self, failures: int) -> float:
        """How long after the last failure the next attempt must wait."""
        if failures < self.free:
            return 0.0
        return min(self.base_s * 2.0 ** (failures - self.free), self.max_s)


def keys_for(username: str, client: str | None) -> list[str]:
    keys = [f"user:{username.strip().lower()[:150]}"]
    if client:
        keys.append(f"addr:{client[:100]}")
    return keys


ADDRESS_POLICY = DelayPolicy(free=20, base_s=1.0, max_s=60.0, forget_s=900.0)


class SignInThrottle:
    def __init__(
        self,
        store: FailureStore,
        policy: DelayPolicy | None = None,
        clock: Clock = time.time,
        address_policy: DelayPolicy | None = None,
    ) -> None:
        self.store = store
        self.policy = policy or DelayPolicy()
        self.address_policy = address_policy or ADDRESS_POLICY
        self.clock = clock

    def _policy(self, key: str) -> DelayPolicy:
        return self.address_policy if key.startswith("addr:") else self.policy

    def wait_s(self, username: str, client: str | None) -> float:
        """Seconds until an attempt for this username from this address is allowed (0: now)."""
        now = self.clock()
        waits = [0.0]
        for key, (failures, last) in self.store.read(keys_for(username, client)).items():
            policy = self._policy(key)
            if now - last < policy.forget_s:
                waits.append(last + policy.delay_s(failures) - now)
        return max(waits)

    def failed(self, username: str, client: str | None) -> None:
        self.store.add_failure(keys_for(username, client), self.clock(), self.policy.forget_s)

    def succeeded(self, username: str) -> None:
        self.store.clear(keys_for(username, None)[0])


class MemoryFailures:
    """In one process only (tests, a single-process demo)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, float]] = {}

    def read(self, keys: Iterable[str]) -> dict[str, tuple[int, float]]:
        return {key: self.rows[key] for key in keys if key in self.rows}

    def add_failure(self, keys: Iterable[str], now: float, forget_s: float) -> None:
        for key in keys:
            failures, last = self.rows.get(key, (0, now))
            self.rows[key] = (1 if now - last >= forget_s else failures + 1, now)

    def clear(self, key: str) -> None:
        self.rows.pop(key, None)


class DatabaseFailures:
    """Shared through the `sign_in_failures` table (a row per key, locked while counted)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def read(self, keys: Iterable[str]) -> dict[str, tuple[int, float]]:
        query = select(SignInFailures).where(SignInFailures.key.in_(list(keys)))
        with self.sessions() as session:
            return {r.key: (r.failures, r.last_failure_at) for r in session.scalars(query)}

    def add_failure(self, keys: Iterable[str], now: float, forget_s: float) -> None:
        """Count a failure for each key; a first failure racing another one's insert of the
        same key (a unique violation on PostgreSQL) is counted again, as an update."""
        keys = list(keys)
        try:
            self._add_failure(keys, now, forget_s)
        except IntegrityError:
            self._add_failure(keys, now, forget_s)

    def _add_failure(self, keys: list[str], now: float, forget_s: float) -> None:
        from dystonia_cds.store.database import write_transaction

        with write_transaction(self.sessions) as session:
            for key in sorted(keys):  # one order: two writers never wait on each other crosswise
                row = session.scalars(
                    select(SignInFailures).where(SignInFailures.key == key).with_for_update()
                ).one_or_none()
                if row is None:
                    session.add(SignInFailures(key=key, failures=1, last_failure_at=now))
                    session.flush()
                    continue
                stale = now - row.last_failure_at >= forget_s
                row.failures = 1 if stale else row.failures + 1
                row.last_failure_at = now

    def clear(self, key: str) -> None:
        from dystonia_cds.store.database import write_transaction

        with write_transaction(self.sessions) as session:
            row = session.get(SignInFailures, key)
            if row is not None:
                session.delete(row)


class RedisFailures:
    """Shared through Redis: a hash per key (failures, last) that expires after `forget_s`."""

    PREFIX = "dystonia-cds:sign-in:"

    def __init__(self, url: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url, socket_timeout=2.0)

    def read(self, keys: Iterable[str]) -> dict[str, tuple[int, float]]:
        found: dict[str, tuple[int, float]] = {}
        for key in keys:
            row = self.client.hgetall(self.PREFIX + key)
            if row:
                found[key] = (int(row[b"failures"]), float(row[b"last"]))
        return found

    def add_failure(self, keys: Iterable[str], now: float, forget_s: float) -> None:
        pipe = self.client.pipeline()
        for key in keys:
            name = self.PREFIX + key
            pipe.hincrby(name, "failures", 1)
            pipe.hset(name, "last", repr(now))
            pipe.expire(name, int(forget_s))
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.PREFIX + key)


def throttle_for(sessions: sessionmaker[Session], redis_url: str | None) -> SignInThrottle:
    """Redis when configured, else the database."""
    store: FailureStore = RedisFailures(redis_url) if redis_url else DatabaseFailures(sessions)
    return SignInThrottle(store)
