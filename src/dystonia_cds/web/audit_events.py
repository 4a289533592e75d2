"""Audit entries for web events that have no patient unit of work of their own: sign-in
successes, failures and throttled attempts, CSRF refusals and account changes. Each is
written in its own short transaction (blocking: call from the thread pool), with the client
address of the request (`web.client_address`)."""

from __future__ import annotations

import logging

from dystonia_cds.context import AppContext
from dystonia_cds.store.audit import record_call
from dystonia_cds.web.client_address import current_client

log = logging.getLogger(__name__)


def record_event(
    ctx: AppContext, *, actor: str, action: str, status: int, patient_id: str | None = None
) -> None:
    """Write one audit entry; a failure to write it is logged, never shown to the user."""
    try:
        with ctx.sessions.begin() as session:
            record_call(
                session,
                actor=actor,
                action=action,
                patient_id=patient_id,
                client=current_client(),
                status=status,
            )
    except Exception:
        log.exception("could not write the audit entry of %s", action)


def web_actor(username: str | None) -> str:
    """`web:<username>` (as typed, cut to 100 characters) or `web:anonymous`."""
    name = (username or "").strip()[:100]
    return f"web:{name}" if name else "web:anonymous"
