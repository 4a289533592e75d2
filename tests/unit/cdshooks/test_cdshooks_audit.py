"""The audit trail of CDS Hooks calls: queued on the event loop, written shortly after in one
statement, clipped to the audit_log columns on every backend."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.cdshooks.audit import FLUSH_DELAY_S, CallAudit, CallNote, Entry, hook_action
from dystonia_cds.store.care_models import AuditEntry
from dystonia_cds.store.database import open_database

LONG_ID = "p" * 64  # the longest FHIR id; the audit_log column holds 36 characters


def test_the_action_names_the_service_hook_and_cards_and_a_long_patient_id() -> None:
    note = CallNote(patient_id="p1", hook="patient-view", topics=("botulinum-toxin", "summary"))
    assert hook_action("svc", note) == "cds-hooks svc patient-view: botulinum-toxin, summary"
    long = hook_action("svc", CallNote(patient_id=LONG_ID, hook="order-sign"))
    assert long == f"cds-hooks svc order-sign (patient {LONG_ID})"
    many = hook_action("svc", CallNote(hook="patient-view", topics=("x" * 50,) * 10))
    assert len(many) == 200
    assert many.endswith("...")
    assert hook_action("svc", CallNote()) == "cds-hooks svc call", "refused before the body"


def entries(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def write_and_read(url: str) -> list[AuditEntry]:
    sessions = open_database(url)
    audit = CallAudit(sessions)

    async def calls() -> None:
        audit.add(
            Entry("https://ehr.example Practitioner/dr-1", "cds-hooks a", LONG_ID, "10.0.0.1", 200)
        )
        audit.add(Entry("unauthenticated", "cds-hooks b", None, None, 401))
        assert entries(sessions) == [], "nothing written on the request path"
        await asyncio.sleep(FLUSH_DELAY_S + 0.3)
        for _ in range(50):
            if entries(sessions):
                return
            await asyncio.sleep(0.1)

    try:
        asyncio.run(calls())
        return entries(sessions)
    finally:
        sessions.kw["bind"].dispose()


def check(rows: list[AuditEntry]) -> None:
    assert [(r.actor, r.action, r.status) for r in rows] == [
        ("https://ehr.example Practitioner/dr-1", "cds-hooks a", 200),
        ("unauthenticated", "cds-hooks b", 401),
    ]
    assert rows[0].patient_id == LONG_ID[:36]
    assert rows[0].client == "10.0.0.1"
    assert rows[0].at is not None


def test_audit_entries_reach_sqlite_shortly_after_the_call(sqlite_url: str) -> None:
    check(write_and_read(sqlite_url))


@pytest.mark.postgres
def test_audit_entries_reach_postgresql_clipped_to_their_columns(postgres_url: str) -> None:
    check(write_and_read(postgres_url))


def test_a_failed_write_is_logged_and_loses_only_that_batch(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = open_database(sqlite_url)
    sessions.kw["bind"].dispose()
    audit = CallAudit(sessions)
    audit._queue.append(Entry("a", "b", None, None, 200))
    audit.sessions = None  # type: ignore[assignment]  # the database is gone
    assert audit.flush() == 0
    assert "could not write 1 CDS Hooks audit entries" in caplog.text
    assert audit.flush() == 0
