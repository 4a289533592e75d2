"""The shared jti replay store against the real Redis server, and its fail-closed behaviour."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from dystonia_cds.cdshooks.errors import NotReady
from dystonia_cds.cdshooks.replay import (
    LocalReplayCache,
    RedisReplayCache,
    replay_guard,
)


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_without_a_url_the_guard_is_this_process_s_own() -> None:
    assert isinstance(replay_guard(None), LocalReplayCache)
    assert isinstance(replay_guard(""), LocalReplayCache)


def test_a_jti_is_accepted_once_across_two_clients_of_one_redis(redis_url: str) -> None:
    jti, now = f"test-{uuid.uuid4()}", time.time()

    async def scenario() -> list[bool]:
        first, second = RedisReplayCache(redis_url), RedisReplayCache(redis_url)  # two workers
        try:
            return [
                await first.remember("https://ehr.example", jti, now + 60, now),
                await second.remember("https://ehr.example", jti, now + 60, now),
                await second.remember("https://other-ehr.example", jti, now + 60, now),
            ]
        finally:
            await first.close()
            await second.close()

    assert _run(scenario()) == [True, False, True]


def test_the_key_expires_with_the_token_and_holds_no_token_text(redis_url: str) -> None:
    import redis

    jti, now = f"test-{uuid.uuid4()}", time.time()
    guard = RedisReplayCache(redis_url)

    async def remember() -> bool:
        try:
            return await guard.remember("https://ehr.example", jti, now + 30, now)
        finally:
            await guard.close()

    assert _run(remember())
    key = RedisReplayCache.key("https://ehr.example", jti)
    assert jti not in key
    ttl = redis.Redis.from_url(redis_url).ttl(key)
    assert 0 < ttl <= 32


def test_an_unreachable_redis_refuses_the_call_with_503_not_a_pass(caplog) -> None:  # type: ignore[no-untyped-def]
    guard = RedisReplayCache("redis://:secret@127.0.0.1:9/0", timeout_s=0.5)  # nothing listens

    async def remember() -> bool:
        try:
            return await guard.remember("https://ehr.example", "j", time.time() + 60, time.time())
        finally:
            await guard.close()

    with pytest.raises(NotReady, match="replay check is unavailable"):
        _run(remember())
    assert "secret" not in caplog.text
