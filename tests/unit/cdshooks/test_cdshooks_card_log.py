"""Issued cards: counted on the event loop, written per topic about a second later; card uuids
carry their topic's key."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from dystonia_cds.cdshooks.cardids import (
    KEY_MASK,
    card_uuid,
    key_of,
    random_uuid,
    random_uuids,
    topic_key,
)
from dystonia_cds.cdshooks.issued import FLUSH_DELAY_S, CardLog
from dystonia_cds.store.database import open_database
from dystonia_cds.store.feedback_models import CdsIssued, CdsTopic


def cards(*topics: str) -> list[dict[str, object]]:
    return [
        {"uuid": card_uuid(t), "indicator": "info", "source": {"topic": {"code": t}}}
        for t in topics
    ]


def issued(sessions: object) -> dict[str, int]:
    with sessions() as session:  # type: ignore[operator]
        rows = session.execute(select(CdsIssued.topic, CdsIssued.count)).all()
    out: dict[str, int] = {}
    for topic, count in rows:
        out[topic] = out.get(topic, 0) + count
    return out


def test_recorded_cards_reach_the_database_shortly_after_without_blocking_the_call(
    sqlite_url: str,
) -> None:
    sessions = open_database(sqlite_url)
    log = CardLog(sessions)

    async def scenario() -> dict[str, int]:
        log.record("svc", cards("a", "b"))
        log.record("svc", cards("a"))
        assert issued(sessions) == {}  # nothing on the request path
        await asyncio.sleep(FLUSH_DELAY_S + 0.3)
        for _ in range(50):
            found = issued(sessions)
            if found:
                return found
            await asyncio.sleep(0.1)
        return {}

    assert asyncio.run(scenario()) == {"a": 2, "b": 1}
    with sessions() as session:
        topics = dict(session.execute(select(CdsTopic.key, CdsTopic.topic)).all())
    assert topics == {topic_key("a"): "a", topic_key("b"): "b"}


def test_an_explicit_flush_writes_what_is_pending_and_topics_are_registered_once(
    sqlite_url: str,
) -> None:
    sessions = open_database(sqlite_url)
    first, second = CardLog(sessions), CardLog(sessions)  # two workers

    async def record() -> None:
        first.record("svc", cards("x"))
        second.record("svc", cards("x", "y"))

    asyncio.run(record())
    assert first.flush() == 1
    assert second.flush() == 2
    assert issued(sessions) == {"x": 2, "y": 1}
    with sessions() as session:
        assert sorted(session.scalars(select(CdsTopic.topic))) == ["x", "y"]


@pytest.mark.parametrize("topic", ["botulinum-toxin", "acute-dystonic-reaction", "summary"])
def test_card_uuids_are_random_v4_uuids_carrying_the_topic_key(topic: str) -> None:
    ids = {card_uuid(topic) for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        assert uuid.UUID(value).version == 4
        assert key_of(value) == topic_key(topic)
    assert key_of("not-a-uuid") is None


def test_random_uuids_are_v4_uuids_and_card_ones_carry_their_topic_key() -> None:
    keys = [None, topic_key("a"), 0, KEY_MASK, None] * 40
    texts = random_uuids(keys)
    assert len(set(texts)) == len(keys)
    for text, key in zip(texts, keys, strict=True):
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        if key is not None:
            assert key_of(text) == key


def test_uuids_read_ahead_are_each_issued_once() -> None:
    issued = [random_uuid() for _ in range(500)] + [card_uuid("summary") for _ in range(500)]
    assert len(set(issued)) == 1000
    assert all(uuid.UUID(text).version == 4 for text in issued)
