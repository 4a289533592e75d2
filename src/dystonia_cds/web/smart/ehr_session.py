"""What a session opened through SMART does with the EHR afterwards: a usable access token
(refreshed when it expired and a refresh token was granted, else the user relaunches), a
refresh of the patient from the EHR, the patient picked when the EHR named none, and the
write-back of a record (shown first, sent on the clinician's click, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from dystonia_cds.store import smart as store
from dystonia_cds.store.audit import record_call
from dystonia_cds.store.smart_models import SmartSession
from dystonia_cds.web.smart import ehr, oauth, writeback
from dystonia_cds.web.smart.clients import SmartError
from dystonia_cds.web.smart.flow import Smart, audit_reads, read_or_relaunch, tokens_of


def live_session(smart: Smart, web_token: str | None) -> SmartSession:
    if not web_token:
        raise oauth.relaunch_needed()
    with smart.ctx.sessions.begin() as session:
        row = store.smart_session(session, web_token)
        if row is None:
            raise oauth.relaunch_needed()
        session.expunge(row)
    return row


async def access_token(
    smart: Smart, row: SmartSession, http: httpx.AsyncClient, *, force: bool = False
) -> str:
    """A usable access token: refreshed when it expired and a refresh token was granted;
    otherwise the user must relaunch from the EHR."""
    access = smart.vault.open(row.access_token)
    if access and not force and store.as_utc(row.expires_at) > datetime.now(UTC):
        return access
    refresh = smart.vault.open(row.refresh_token) if row.refresh_token else None
    client = smart.clients.get(row.iss)
    if not refresh or client is None:
        raise oauth.relaunch_needed()
    async with smart.oauth(client) as authlib_client:
        token = await oauth.refresh(authlib_client, row.token_endpoint, refresh)
    tokens = tokens_of(smart, token, row.refresh_token)
    with smart.ctx.sessions.begin() as session:
        stored = session.get(SmartSession, row.token_hash)
        if stored is not None:
            store.set_tokens(stored, tokens)
    store.set_tokens(row, tokens)
    return str(token["access_token"])


async def refresh_patient(smart: Smart, web_token: str | None, username: str) -> str:
    """Read the session's patient again from the EHR; returns the local patient id."""
    row = live_session(smart, web_token)
    if row.ehr_patient_id is None or row.patient_id is None:
        raise SmartError(400, "No patient", "This EHR session has no patient yet.")
    async with smart.http() as http:
        access = await access_token(smart, row, http)
        try:
            reads = await ehr.fetch_patient(http, row.iss, access, row.ehr_patient_id)
        except ehr.TokenRejected:
            access = await access_token(smart, row, http, force=True)
            reads = await read_or_relaunch(http, row.iss, access, row.ehr_patient_id)
    read = ehr.as_ehr_read(row.iss, row.ehr_patient_id, reads)
    return await run_in_threadpool(_store_refresh, smart, read, reads, username)


def _store_refresh(smart: Smart, read: store.EhrRead, reads: ehr.Reads, username: str) -> str:
    with smart.ctx.sessions.begin() as session:
        local_id = store.store_ehr_read(session, read)
        audit_reads(session, username, local_id, reads)
    return local_id


async def pick_patient(smart: Smart, web_token: str | None, username: str, pid: str) -> str:
    """Bind the session to the patient picked (only while it has none); the local id."""
    row = live_session(smart, web_token)
    if row.patient_id is not None:
        return row.patient_id
    async with smart.http() as http:
        access = await access_token(smart, row, http)
        reads = await read_or_relaunch(http, row.iss, access, pid)
    read = ehr.as_ehr_read(row.iss, pid, reads)
    with smart.ctx.sessions.begin() as session:
        local_id = store.store_ehr_read(session, read)
        stored = session.get(SmartSession, row.token_hash)
        if stored is not None:
            store.set_patient(stored, pid, local_id)
        audit_reads(session, username, local_id, reads)
    return local_id


# write-back -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outgoing:
    """A resource about to be (or just) sent to the EHR, from one row recorded here."""

    kind: str
    row_id: int
    resource: dict[str, Any]


def outgoing(smart: Smart, web_token: str | None, kind: str, row_id: int) -> Outgoing:
    """What would be sent for a recorded row; `SmartError` when this session may not send it."""
    row = live_session(smart, web_token)
    target = writeback.TARGET.get(kind)
    if target is None or row.patient_id is None or row.ehr_patient_id is None:
        raise SmartError(404, "Nothing to send", "There is no such record for this patient.")
    if not writeback.can_write(row.scope, target):
        raise SmartError(
            403,
            "The EHR does not allow this",
            f"This EHR session has no permission to write {target}; nothing was sent.",
        )
    with smart.ctx.sessions() as session:
        recorded = store.recorded_row(session, kind, row.patient_id, row_id)
        if recorded is None:
            raise SmartError(404, "Nothing to send", "There is no such record for this patient.")
        resource = writeback.resource_for(kind, recorded, row.ehr_patient_id)
    return Outgoing(kind, row_id, resource)


async def send_outgoing(
    smart: Smart, web_token: str | None, username: str, item: Outgoing
) -> writeback.EhrAnswer:
    """Send to the EHR (after the clinician saw it); the answer is audited and returned."""
    row = live_session(smart, web_token)
    async with smart.http() as http:
        access = await access_token(smart, row, http)
        answer = await writeback.send(http, row.iss, access, item.resource)
        if answer.status == 401:
            access = await access_token(smart, row, http, force=True)
            answer = await writeback.send(http, row.iss, access, item.resource)
    with smart.ctx.sessions.begin() as session:
        record_call(
            session,
            actor=f"smart:{username}",
            action=f"ehr.write {item.resource['resourceType']} ({item.kind} {item.row_id})",
            patient_id=row.patient_id,
            client="ehr",
            status=answer.status,
        )
    return answer
