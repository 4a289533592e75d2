"""The count of issued cards per topic, and the topic keys their uuids carry.

A hook call only adds to in-memory counters (on the event loop, no I/O); a worker thread
writes them at most `FLUSH_DELAY_S` seconds later as one `cds_issued` row per (service, topic,
indicator), and registers topics seen for the first time in `cds_topic` (key -> topic, see
`cardids`). Feedback and the summary flush first. Counts of the last second before a
shutdown may be lost; feedback is unaffected (the topic is in the card uuid).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.cdshooks.cardids import topic_key
from dystonia_cds.ops.metrics import CARDS_ISSUED
from dystonia_cds.store.feedback_models import CdsIssued, CdsTopic

log = logging.getLogger(__name__)
FLUSH_DELAY_S = 1.0
Group = tuple[str, str, str]  # service id, topic, indicator


class CardLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._counts: Counter[Group] = Counter()
        self._known: dict[str, int] = {}  # topics registered (or queued) by this process
        self._new: dict[int, str] = {}
        self._lock = threading.Lock()  # guards the counters
        self._writing = threading.Lock()  # one writer at a time
        self._scheduled = False
        self._tasks: set[asyncio.Future[int]] = set()

    def record(self, service_id: str, cards: list[dict[str, Any]]) -> None:
        """Count the cards of one response; called on the event loop."""
        self.count(service_id, [(c["source"]["topic"]["code"], c["indicator"]) for c in cards])

    def count(self, service_id: str, issued: Collection[tuple[str, str]]) -> None:
        """Count issued cards given as (topic, indicator); called on the event loop."""
        if not issued:
            return
        with self._lock:
            for topic, indicator in issued:
                self._counts[(service_id, topic, indicator)] += 1
                CARDS_ISSUED.labels(service=service_id, topic=topic).inc()
                if topic not in self._known:
                    self._known[topic] = key = topic_key(topic)
                    self._new[key] = topic
        if not self._scheduled:
            self._scheduled = True
            loop = asyncio.get_running_loop()
            loop.call_later(FLUSH_DELAY_S, self._start_flush, loop)

    def _start_flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = False
        future = loop.run_in_executor(None, self.flush)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    def flush(self) -> int:
        """Write what was counted (thread-safe, blocking); returns how many cards. When it
        returns, everything recorded before the call is in the database."""
        with self._writing:
            with self._lock:
                counts, self._counts = self._counts, Counter()
                new, self._new = self._new, {}
            try:
                self._register(new)
                self._write(counts)
            except Exception:
                log.exception("could not write the issued-card counts")
                return 0
            return sum(counts.values())

    def _register(self, new: dict[int, str]) -> None:
        for key, topic in new.items():
            try:
                with self.sessions.begin() as session:
                    known = session.scalar(select(CdsTopic.topic).where(CdsTopic.key == key))
                    if known is None:
                        session.add(CdsTopic(key=key, topic=topic))
                    elif known != topic:
                        log.error("topic key %06x is taken by %r, not %r", key, known, topic)
            except IntegrityError:
                pass  # another worker registered it meanwhile

    def _write(self, counts: Counter[Group]) -> None:
        if not counts:
            return
        until = datetime.now(UTC)
        rows = [
            {"service_id": s, "topic": t, "indicator": i, "count": n, "until": until}
            for (s, t, i), n in counts.items()
        ]
        with self.sessions.begin() as session:
            session.execute(insert(CdsIssued), rows)
