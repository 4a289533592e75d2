"""The audit trail of CDS Hooks calls: every hook and feedback call, answered or refused, is one
`audit_log` row (the table of `store.audit`): who (the JWT issuer and `context.userId`), what
(`cds-hooks <service> <hook>: <card topics>` or `cds-hooks <service> feedback`), which patient,
from where, and the status.

A call only appends to an in-memory queue (on the event loop, no I/O); a worker thread writes
the queue at most `FLUSH_DELAY_S` seconds later in one transaction, and at shut-down. A write
that fails is logged with the number of rows lost (never the patient ids). The hot path thus
costs no database round trip (PERFORMANCE.md), at the price of at most a second of entries if
the process dies.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.care_models import AuditEntry

log = logging.getLogger(__name__)
FLUSH_DELAY_S = 1.0
ACTION_MAX = 200
PATIENT_ID_MAX = 36  # the audit_log column; a longer FHIR id is also written in the action


@dataclass(slots=True)
class CallNote:
    """What a hook call learnt about itself, for its audit entry."""

    actor: str = "unauthenticated"
    patient_id: str | None = None
    hook: str | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    actor: str
    action: str
    patient_id: str | None
    client: str | None
    status: int
    at: datetime | None = field(default_factory=lambda: datetime.now(UTC))  # when answered


def actor_of(claims: dict[str, Any] | None) -> str:
    """The JWT issuer (`insecure-dev` without verification); the runner adds the EHR user
    (`context.userId`) once the body is read."""
    return str(claims.get("iss")) if claims else "insecure-dev"


def hook_action(service_id: str, note: CallNote) -> str:
    action = f"cds-hooks {service_id} {note.hook or 'call'}"
    if note.topics:
        action += ": " + ", ".join(note.topics)
    if note.patient_id and len(note.patient_id) > PATIENT_ID_MAX:
        action = f"{action} (patient {note.patient_id})"
    return action if len(action) <= ACTION_MAX else action[: ACTION_MAX - 3] + "..."


class CallAudit:
    """Queues audit entries on the event loop and writes them from a worker thread."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._queue: list[Entry] = []
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._scheduled = False
        self._tasks: set[asyncio.Future[int]] = set()

    def add(self, entry: Entry) -> None:
        """Queue one entry; called on the event loop."""
        with self._lock:
            self._queue.append(entry)
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
        """Write the queue (blocking, thread-safe); returns how many entries were written."""
        with self._writing:
            with self._lock:
                entries, self._queue = self._queue, []
            if not entries:
                return 0
            try:
                with self.sessions.begin() as session:
                    session.execute(insert(AuditEntry), [row(e) for e in entries])
            except Exception:
                log.exception("could not write %d CDS Hooks audit entries", len(entries))
                return 0
            return len(entries)


def row(e: Entry) -> dict[str, Any]:
    """An `audit_log` row, clipped to its columns as `store.audit.record_call` clips them (one
    multi-row INSERT is about ten times cheaper than adding ORM objects one by one)."""
    return {
        "at": datetime.now(UTC) if e.at is None else e.at,
        "actor": e.actor[:200],
        "action": e.action[:ACTION_MAX],
        "patient_id": e.patient_id[:PATIENT_ID_MAX] if e.patient_id else None,
        "client": e.client[:100] if e.client else None,
        "status": e.status,
    }
