"""The web app's audit log over real HTTP: sign-in successes, failures and throttled
attempts, CSRF refusals, account changes, the patients a list showed, and handout and PDF
views as their own actions, each with the client address (never a forwarded one from an
untrusted client); growing sign-in delays answer 429 with Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from web_server import ADMIN, WebServer, hidden_token, page_token, sign_in

from dystonia_cds.store.care_models import AuditEntry
from dystonia_cds.store.database import open_database

pytestmark = pytest.mark.timeout(120)
SPOOFED = {"X-Forwarded-For": "203.0.113.99"}


@pytest.fixture
def entries(web_server: WebServer) -> Iterator[object]:
    sessions = open_database(web_server.database_url)

    def read() -> list[AuditEntry]:
        with sessions() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))

    yield read
    sessions.kw["bind"].dispose()


def _client(server: WebServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30.0, headers=SPOOFED)


def _new_account(server: WebServer, role: str = "clinician") -> tuple[str, str]:
    name, password = f"u{uuid.uuid4().hex[:10]}", "a-long-test-password"
    with _client(server) as admin:
        sign_in(admin, *ADMIN)
        token = page_token(admin.get("/admin/users").text)
        response = admin.post(
            "/admin/users",
            data={"csrf_token": token, "username": name, "role": role, "password": password},
        )
        assert response.status_code == 303, response.text
    return name, password


def _patient(client: httpx.Client, name: str) -> str:
    form = client.get("/patients/new")
    response = client.post(
        "/patients/new",
        data={
            "csrf_token": hidden_token(form.text),
            "display_name": name,
            "birth_date": "1980-05-01",
            "sex": "female",
            "forms": "cervical-dystonia",
            "regions": "neck",
        },
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def test_sign_in_failure_and_success_are_audited_with_the_real_client_address(
    web_server: WebServer, entries: object
) -> None:
    name, password = _new_account(web_server)
    with _client(web_server) as client:
        assert sign_in(client, name, "not-the-password").status_code == 401
        assert sign_in(client, name, password).status_code == 303
    mine = [e for e in entries() if e.actor == f"web:{name}"]  # type: ignore[operator]
    assert [e.action for e in mine] == ["web.signin.failure", "web.signin.success"]
    assert [e.status for e in mine] == [401, 303]
    assert {e.client for e in mine} == {"127.0.0.1"}


def test_account_creation_and_changes_are_audited(web_server: WebServer, entries: object) -> None:
    name, _ = _new_account(web_server)
    actions = [e.action for e in entries() if e.actor == f"web:{ADMIN[0]}"]  # type: ignore[operator]
    assert f"web.account.create {name} role=clinician" in actions


def test_a_refused_csrf_token_is_audited_with_the_user_and_the_patient(
    web_server: WebServer, entries: object
) -> None:
    name, password = _new_account(web_server)
    with _client(web_server) as client:
        sign_in(client, name, password)
        patient_id = _patient(client, "Test Csrf")
        refused = client.post(
            f"/patients/{patient_id}/feedback", data={"csrf_token": "forged", "option_id": "x"}
        )
        assert refused.status_code == 403
    found = [e for e in entries() if e.actor == f"web:{name}" and e.status == 403]  # type: ignore[operator]
    assert [(e.action, e.patient_id) for e in found] == [
        ("web.csrf.refused POST /patients/{patient_id}/feedback", patient_id)
    ]


def test_lists_handouts_and_pdfs_are_audited_per_patient(
    web_server: WebServer, entries: object
) -> None:
    name, password = _new_account(web_server)
    with _client(web_server) as client:
        sign_in(client, name, password)
        patient_id = _patient(client, f"Test Listed {uuid.uuid4().hex[:6]}")
        assert client.get("/patients", params={"q": "Test Listed"}).status_code == 200
        assert client.get(f"/patients/{patient_id}/handout").status_code == 200
        pdf = client.get(f"/patients/{patient_id}/handout.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
    trail = [e.action for e in entries() if e.patient_id == patient_id]  # type: ignore[operator]
    assert "web.patients.list" in trail
    assert "web.handout.read" in trail
    assert "web.handout.pdf" in trail


def test_repeated_failures_answer_429_with_retry_after_and_are_audited(
    web_server: WebServer, entries: object
) -> None:
    name, password = _new_account(web_server)
    with _client(web_server) as client:
        codes = [sign_in(client, name, f"wrong-{i}").status_code for i in range(5)]
        throttled = sign_in(client, name, password)
    assert codes == [401] * 5
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "dcds_session" not in throttled.cookies
    actions = [e.action for e in entries() if e.actor == f"web:{name}"]  # type: ignore[operator]
    assert actions[-1] == "web.signin.throttled"


def test_a_form_body_that_cannot_be_parsed_is_audited_with_the_user_and_its_status(
    web_server: WebServer, entries: object
) -> None:
    name, password = _new_account(web_server)
    with _client(web_server) as client:
        sign_in(client, name, password)
        patient_id = _patient(client, "Test Unparsable")
        response = client.post(
            f"/patients/{patient_id}/feedback",
            content=b"--x\r\ngarbage",
            headers={"content-type": "multipart/form-data"},  # no boundary
        )
        assert response.status_code == 400
    found = [e for e in entries() if e.actor == f"web:{name}" and e.status == 400]  # type: ignore[operator]
    assert [(e.action, e.patient_id) for e in found] == [
        ("web.form.unparsable POST /patients/{patient_id}/feedback", patient_id)
    ]
