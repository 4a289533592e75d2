"""The log of issued cards (uuid -> topic), written to `cds_card` in small batches.

A hook call only appends to an in-memory list; a worker thread writes the batch at most
`FLUSH_DELAY_S` seconds later (or at once past `MAX_PENDING`), so the database stays off the
request path. Feedback and the summary flush first. Cards issued in the last second before a
shutdown may not be logged; their feedback is then reported under the topic `unknown`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.feedback_models import CdsCard

log = logging.getLogger(__name__)
FLUSH_DELAY_S = 1.0
MAX_PENDING = 500


class CardLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()  # guards the pending list
        self._writing = threading.Lock()  # one writer at a time
        self._scheduled = False
        self._tasks: set[asyncio.Future[int]] = set()

    def record(self, service_id: str, cards: list[dict[str, Any]]) -> None:
        """Remember the cards of one response; called on the event loop."""
        if not cards:
            return
        now = datetime.now(UTC)
        with self._lock:
            self._pending.extend(
                {
                    "uuid": c["uuid"],
                    "service_id": service_id,
                    "topic": c["source"]["topic"]["code"],
                    "indicator": c["indicator"],
                    "issued_at": now,
                }
                for c in cards
            )
            size = len(self._pending)
        self._schedule(immediately=size >= MAX_PENDING)

    def _schedule(self, *, immediately: bool) -> None:
        if self._scheduled and not immediately:
            return
        self._scheduled = True
        loop = asyncio.get_running_loop()
        loop.call_later(0 if immediately else FLUSH_DELAY_S, self._start_flush, loop)

    def _start_flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = False
        future = loop.run_in_executor(None, self.flush)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    def flush(self) -> int:
        """Write the pending cards (thread-safe, blocking); returns how many. When it returns,
        every card recorded before the call is in the database (a flush already running in
        another thread is waited for)."""
        with self._writing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                with self.sessions.begin() as session:
                    session.execute(insert(CdsCard), batch)
            except Exception:
                log.exception("could not log %d issued cards", len(batch))
                return 0
            return len(batch)
