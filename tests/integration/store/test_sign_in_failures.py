"""Sign-in failures shared by every worker: the database store on SQLite and PostgreSQL
(concurrent failures are all counted) and the Redis store give the throttle the same counts."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.web.throttle import (
    DatabaseFailures,
    DelayPolicy,
    FailureStore,
    RedisFailures,
    SignInThrottle,
)

POLICY = DelayPolicy(free=3, base_s=1.0, max_s=300.0, forget_s=900.0)


def _counts_and_clears(store: FailureStore) -> None:
    name = f"user-{uuid.uuid4().hex[:8]}"
    address = f"test-address-{uuid.uuid4().hex[:8]}"  # Redis keeps keys between runs
    throttle = SignInThrottle(store, POLICY, clock=lambda: 5_000.0, address_policy=POLICY)
    for _ in range(5):
        throttle.failed(name, address)
    assert throttle.wait_s(name, None) == 4.0  # failures 3, 4, 5: 1, 2, 4 s
    throttle.succeeded(name)
    assert throttle.wait_s(name, None) == 0.0
    assert throttle.wait_s("someone-else", address) == 4.0


def test_the_database_store_counts_failures_and_clears_them(
    sessions: sessionmaker[Session],
) -> None:
    _counts_and_clears(DatabaseFailures(sessions))


def test_concurrent_failures_for_one_username_are_all_counted(
    sessions: sessionmaker[Session],
) -> None:
    store = DatabaseFailures(sessions)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def fail() -> None:
        barrier.wait()
        try:
            store.add_failure(["user:racer", "addr:192.0.2.8"], 5_000.0, 900.0)
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.read(["user:racer", "addr:192.0.2.8"]) == {
        "user:racer": (8, 5_000.0),
        "addr:192.0.2.8": (8, 5_000.0),
    }


def test_the_redis_store_counts_failures_and_clears_them(redis_url: str) -> None:
    _counts_and_clears(RedisFailures(redis_url))
