"""The SMART App Launch steps behind the routes: start an authorization (EHR or standalone),
finish it at the callback (state, code exchange, id token, the patient's data, the local
clinician and patient, a web session scoped to that patient). What a launched session does
afterwards (refresh, pick, write back) is in `ehr_session`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.store import smart as store
from dystonia_cds.store.audit import record_call
from dystonia_cds.web import accounts
from dystonia_cds.web.smart import ehr, identity, oauth
from dystonia_cds.web.smart.clients import SmartClient, SmartError, launch_param, requested_scopes
from dystonia_cds.web.smart.vault import Vault

TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Smart:
    """Everything the SMART routes share: the app context, the allow-list, the token vault."""

    ctx: AppContext
    clients: dict[str, SmartClient]
    vault: Vault

    @property
    def redirect_uri(self) -> str:
        return self.ctx.settings.public_url.rstrip("/") + "/smart/callback"

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.ctx.settings.fhir_timeout_s, follow_redirects=False)

    def oauth(self, client: SmartClient, scope: str | None = None) -> Any:
        return oauth.oauth_client(
            client, self.redirect_uri, self.ctx.settings.fhir_timeout_s, scope
        )


async def begin(
    smart: Smart, client: SmartClient, *, launch: str | None, aud: str | None = None
) -> tuple[str, str]:
    """The EHR's authorization URL and the `state` to bind to this browser; `aud` is the `iss`
    exactly as the EHR sent it (else the configured FHIR base URL)."""
    async with smart.http() as http:
        config = await oauth.discover(http, client.iss)
    state, verifier = secrets.token_urlsafe(32), oauth.new_verifier()
    kind = "ehr" if launch else "standalone"
    with smart.ctx.sessions.begin() as session:
        store.save_launch(
            session,
            digest(state),
            iss=client.iss,
            kind=kind,
            verifier=smart.vault.seal(verifier),
            endpoints=config.endpoints(),
            ttl_s=oauth.LAUNCH_TTL_S,
        )
    scope = requested_scopes(client, standalone=launch is None, v2=config.v2_scopes)
    async with smart.oauth(client, scope) as authlib_client:
        url = oauth.authorization_url(
            authlib_client,
            config,
            state=state,
            verifier=verifier,
            aud=aud or client.iss,
            launch=launch,
        )
    return url, state


@dataclass(frozen=True, slots=True)
class Landed:
    """A finished launch: the new web session's token and where the browser goes."""

    web_token: str
    location: str


def take_launch(smart: Smart, state: str | None, bound_state: str | None) -> Any:
    """The launch this callback answers: its `state` must be the one bound to this browser."""
    from dystonia_cds.web.security import tokens_match

    if not state or not tokens_match(bound_state, state):
        raise SmartError(
            400,
            "Launch refused",
            "This answer from the EHR does not belong to a launch started in this browser "
            "(state). Open the app again from the EHR.",
        )
    with smart.ctx.sessions.begin() as session:
        launch = store.take_launch(session, digest(state))
        if launch is None:
            raise SmartError(
                400,
                "Launch expired",
                "This launch expired or was already used. Open the app again from the EHR.",
            )
        session.expunge(launch)
    return launch


async def finish(
    smart: Smart, launch: Any, client: SmartClient, code: str, old_web_token: str | None
) -> Landed:
    """Exchange the code, identify the clinician, read the patient, open a scoped session."""
    verifier = smart.vault.open(launch.verifier) or ""
    token_endpoint = launch.endpoints["token_endpoint"]
    async with smart.http() as http, smart.oauth(client) as authlib_client:
        token = await oauth.exchange_code(
            authlib_client, token_endpoint, code=launch_param(code, "code"), verifier=verifier
        )
        fhir_user, _claims = await identity.identify(
            http,
            token.get("id_token"),
            client_id=client.client_id,
            iss=client.iss,
            endpoints=launch.endpoints,
        )
        pid = token.get("patient")
        if pid is None and launch.kind == "standalone":
            return await run_in_threadpool(
                _open_session, smart, client, token, token_endpoint, fhir_user, None, old_web_token
            )
        pid = ehr.patient_id_of(pid)
        reads = await read_or_relaunch(http, client.iss, token["access_token"], pid)
    read = ehr.as_ehr_read(client.iss, pid, reads)
    # mapping and storing are blocking work: the thread pool, as the API's import does
    return await run_in_threadpool(
        _open_session, smart, client, token, token_endpoint, fhir_user, (read, reads), old_web_token
    )


async def read_or_relaunch(http: httpx.AsyncClient, iss: str, access: str, pid: str) -> ehr.Reads:
    try:
        return await ehr.fetch_patient(http, iss, access, pid)
    except ehr.TokenRejected as exc:
        raise oauth.relaunch_needed() from exc


def tokens_of(smart: Smart, token: dict[str, Any], old_refresh: str | None = None) -> store.Tokens:
    refresh = token.get("refresh_token")
    sealed_refresh = (
        smart.vault.seal(refresh) if isinstance(refresh, str) and refresh else old_refresh
    )
    return store.Tokens(
        access_token=smart.vault.seal(token["access_token"]),
        refresh_token=sealed_refresh,
        scope=str(token.get("scope") or ""),
        expires_at=oauth.expiry(token),
    )


def _open_session(
    smart: Smart,
    client: SmartClient,
    token: dict[str, Any],
    token_endpoint: str,
    fhir_user: str,
    read: tuple[store.EhrRead, ehr.Reads] | None,
    old_web_token: str | None,
) -> Landed:
    try:
        return _store_launch(smart, client, token, token_endpoint, fhir_user, read, old_web_token)
    except IntegrityError:  # the same EHR user or patient linked by a launch at the same moment
        return _store_launch(smart, client, token, token_endpoint, fhir_user, read, old_web_token)


def _store_launch(
    smart: Smart,
    client: SmartClient,
    token: dict[str, Any],
    token_endpoint: str,
    fhir_user: str,
    read: tuple[store.EhrRead, ehr.Reads] | None,
    old_web_token: str | None,
) -> Landed:
    settings = smart.ctx.settings
    with smart.ctx.sessions.begin() as session:
        user = store.clinician_for(session, client.iss, fhir_user)
        local_id = store.store_ehr_read(session, read[0]) if read else None
        web_token = accounts.start_session(
            session, user, settings.session_max_age_s, old_web_token, idle_s=settings.session_idle_s
        )
        patient = (read[0].ehr_patient_id, local_id) if read and local_id else None
        store.start_smart_session(
            session,
            web_token,
            iss=client.iss,
            token_endpoint=token_endpoint,
            tokens=tokens_of(smart, token),
            patient=patient,
        )
        if read and local_id:
            audit_reads(session, user.username, local_id, read[1])
    if local_id is None:
        return Landed(web_token, "/smart/pick")
    return Landed(web_token, f"/patients/{local_id}{anchor_of(token.get('appContext'))}")


def anchor_of(app_context: Any) -> str:
    """`#option-<id>` when the card that launched the app named an option (`appContext`)."""
    try:
        topic = orjson.loads(app_context).get("topic") if isinstance(app_context, str) else None
    except (orjson.JSONDecodeError, AttributeError):
        return ""
    return f"#option-{topic}" if isinstance(topic, str) and TOPIC.match(topic) else ""


def audit_reads(session: Session, username: str, patient_id: str, reads: ehr.Reads) -> None:
    """One audit entry per request made to the EHR."""
    for what, status in reads.requests:
        record_call(
            session,
            actor=f"smart:{username}",
            action=f"ehr.read {what}",
            patient_id=patient_id,
            client="ehr",
            status=status,
        )
