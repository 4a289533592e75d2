"""Database faults become a clear answer instead of a 500 and a reset connection.

`DatabaseFaults` (pure ASGI middleware) catches SQLAlchemy's `OperationalError` (a killed or
unreachable connection, a lock wait that ran out) and `DBAPIError`s that invalidated their
connection. An idempotent request (GET, HEAD) whose answer has not started is run once more
(the pool has dropped the dead connection, `pool_pre_ping` checks the next one); otherwise, or
if it fails again, the answer is 503 with `Retry-After`. Nothing is written by a failed unit of
work (its transaction rolled back), so a client may resend.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from sqlalchemy.exc import DBAPIError, OperationalError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
IDEMPOTENT = frozenset({"GET", "HEAD"})
BODY = orjson.dumps(
    {"detail": "the database is not reachable at the moment; nothing was changed, retry shortly"}
)


def is_database_fault(exc: BaseException) -> bool:
    """A fault of the database connection (not of the statement or the data)."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class _Replay:
    """Keeps the request messages of the first attempt so a retry reads them again."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.seen: list[Message] = []
        self.position: int | None = None

    async def __call__(self) -> Message:
        if self.position is not None and self.position < len(self.seen):
            self.position += 1
            return self.seen[self.position - 1]
        message = await self.receive()
        if self.position is None:
            self.seen.append(message)
        return message

    def rewind(self) -> None:
        self.position = 0


class DatabaseFaults:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        replay = _Replay(receive)
        attempts = 2 if scope.get("method") in IDEMPOTENT else 1
        for attempt in range(1, attempts + 1):
            try:
                await self.app(scope, replay, watch)
                return
            except Exception as exc:
                if started or not is_database_fault(exc):
                    raise
                log.warning("database fault on attempt %d: %s", attempt, type(exc).__name__)
                replay.rewind()
        await _unavailable(send)


async def _unavailable(send: Send) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(RETRY_AFTER_S).encode()),
        (b"content-length", str(len(BODY)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
