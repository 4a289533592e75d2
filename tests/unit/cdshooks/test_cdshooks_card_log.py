"""The issued-card log: recorded on the event loop, written in a batch about a second later."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from dystonia_cds.cdshooks.issued import FLUSH_DELAY_S, CardLog
from dystonia_cds.store.database import open_database
from dystonia_cds.store.feedback_models import CdsCard


def cards(*topics: str) -> list[dict[str, object]]:
    return [
        {"uuid": f"u-{t}", "indicator": "info", "source": {"topic": {"code": t}}} for t in topics
    ]


def test_recorded_cards_reach_the_database_shortly_after_without_blocking_the_call(
    sqlite_url: str,
) -> None:
    sessions = open_database(sqlite_url)
    log = CardLog(sessions)

    async def scenario() -> list[tuple[str, str]]:
        log.record("svc", cards("a", "b"))
        log.record("svc", cards("c"))
        with sessions() as session:
            assert session.scalars(select(CdsCard)).all() == []  # not on the request path
        await asyncio.sleep(FLUSH_DELAY_S + 0.5)
        for _ in range(50):
            with sessions() as session:
                rows = [
                    (c.uuid, c.topic)
                    for c in session.scalars(select(CdsCard).order_by(CdsCard.uuid))
                ]
            if rows:
                return rows
            await asyncio.sleep(0.1)
        return []

    assert asyncio.run(scenario()) == [("u-a", "a"), ("u-b", "b"), ("u-c", "c")]


def test_an_explicit_flush_writes_what_is_pending(sqlite_url: str) -> None:
    sessions = open_database(sqlite_url)
    log = CardLog(sessions)

    async def record_only() -> None:
        log.record("svc", cards("x"))

    asyncio.run(record_only())
    assert log.flush() == 1
    with sessions() as session:
        assert [c.topic for c in session.scalars(select(CdsCard))] == ["x"]
