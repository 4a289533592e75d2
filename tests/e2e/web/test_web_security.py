"""Security of the web app over real HTTP: no access without a session, session fixation,
CSRF, escaping of free text, admin pages refused for clinicians, security headers."""

from __future__ import annotations

import re

import httpx
import pytest
from web_server import ADMIN, CLINICIAN, WebServer, hidden_token, page_token, sign_in

pytestmark = pytest.mark.timeout(120)


def _new_client(server: WebServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30.0)


def _create_patient(client: httpx.Client, name: str) -> str:
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
            "onset_age_years": "38",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _patient_names(client: httpx.Client) -> str:
    return client.get("/patients").text


@pytest.mark.parametrize(
    "path", ["/patients", "/patients/new", "/patients/some-id", "/admin/users", "/admin/feedback"]
)
def test_pages_without_a_session_redirect_to_sign_in(web_server: WebServer, path: str) -> None:
    with _new_client(web_server) as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_posting_a_patient_without_a_session_stores_nothing(
    web_server: WebServer, clinician: httpx.Client
) -> None:
    with _new_client(web_server) as anonymous:
        response = anonymous.post(
            "/patients/new",
            data={"display_name": "Anonymous Write", "birth_date": "1990-01-01", "sex": "male"},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "Anonymous Write" not in _patient_names(clinician)


def test_a_session_id_planted_before_sign_in_is_replaced(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        client.cookies.set("dcds_session", "attacker-chosen-value", domain="127.0.0.1")
        response = sign_in(client, *CLINICIAN)
        assert response.status_code == 303
        issued = response.cookies.get("dcds_session")
        assert issued
        assert issued != "attacker-chosen-value"
    with _new_client(web_server) as attacker:
        attacker.cookies.set("dcds_session", "attacker-chosen-value", domain="127.0.0.1")
        assert attacker.get("/patients", follow_redirects=False).status_code == 303


def test_signing_in_again_revokes_the_previous_session(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        first = sign_in(client, *CLINICIAN).cookies["dcds_session"]
        second = sign_in(client, *CLINICIAN).cookies["dcds_session"]
    assert first != second
    with _new_client(web_server) as old:
        old.cookies.set("dcds_session", first, domain="127.0.0.1")
        assert old.get("/patients", follow_redirects=False).status_code == 303


def test_a_session_left_idle_past_the_limit_must_sign_in_again(web_server: WebServer) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from dystonia_cds.store.account_models import WebSession
    from dystonia_cds.store.database import open_database
    from dystonia_cds.web.accounts import as_utc, token_digest

    with _new_client(web_server) as client:
        token = sign_in(client, *CLINICIAN).cookies["dcds_session"]
        assert client.get("/patients", follow_redirects=False).status_code == 200
        sessions = open_database(web_server.database_url)
        with sessions.begin() as s:  # 31 minutes pass without a request (default idle: 30)
            row = s.scalars(
                select(WebSession).where(WebSession.token_hash == token_digest(token))
            ).one()
            row.created_at = as_utc(row.created_at) - timedelta(minutes=31)
            row.expires_at = as_utc(row.expires_at) - timedelta(minutes=31)
        sessions.kw["bind"].dispose()
        response = client.get("/patients", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_session_cookie_is_http_only_and_same_site(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        header = sign_in(client, *CLINICIAN).headers["set-cookie"]
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header


def test_wrong_password_is_refused_and_keeps_the_username(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        response = sign_in(client, CLINICIAN[0], "not the password")
    assert response.status_code == 401
    assert f'value="{CLINICIAN[0]}"' in response.text
    assert "dcds_session" not in response.cookies


def test_sign_in_without_the_form_token_is_refused(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        response = client.post("/login", data={"username": CLINICIAN[0], "password": CLINICIAN[1]})
    assert response.status_code == 403
    assert "dcds_session" not in response.cookies


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_form_without_the_session_csrf_token_is_refused_and_saves_nothing(
    clinician: httpx.Client, token: str | None
) -> None:
    data = {"display_name": f"Forged {token}", "birth_date": "1990-01-01", "sex": "male"}
    if token:
        data["csrf_token"] = token
    response = clinician.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert f"Forged {token}" not in _patient_names(clinician)


def test_logout_needs_the_csrf_token_and_ends_the_session(web_server: WebServer) -> None:
    with _new_client(web_server) as client:
        sign_in(client, *CLINICIAN)
        assert client.post("/logout", follow_redirects=False).status_code == 403
        token = page_token(client.get("/patients").text)
        assert (
            client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
            == 303
        )
        assert client.get("/patients", follow_redirects=False).status_code == 303


def test_free_text_is_escaped_everywhere(web_server: WebServer, clinician: httpx.Client) -> None:
    name = '<script>alert("name")</script>'
    patient_id = _create_patient(clinician, name)
    page = clinician.get(f"/patients/{patient_id}")
    assert "<script>alert(" not in page.text
    assert "&lt;script&gt;alert(" in page.text
    option = re.search(r'data-option-id="([^"]+)"', page.text)
    assert option, "the patient page lists no option"
    report = '<img src=x onerror="alert(1)">'
    clinician.post(
        f"/patients/{patient_id}/feedback",
        data={
            "csrf_token": page_token(page.text),
            "option_id": option.group(1),
            "error_text": report,
        },
    )
    assert "<script>alert(" not in clinician.get("/patients").text
    with _new_client(web_server) as admin:
        sign_in(admin, *ADMIN)
        summary = admin.get("/admin/feedback")
    assert summary.status_code == 200
    assert "<img src=x" not in summary.text
    assert "&lt;img src=x onerror=" in summary.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/admin/users"), ("GET", "/admin/feedback"), ("POST", "/admin/users")],
)
def test_admin_pages_are_refused_for_a_clinician(
    clinician: httpx.Client, method: str, path: str
) -> None:
    token = page_token(clinician.get("/patients").text)
    data = {"csrf_token": token, "username": "sneaky", "role": "admin", "password": "long enough"}
    response = clinician.request(method, path, data=data if method == "POST" else None)
    assert response.status_code == 403


def test_an_admin_can_add_a_clinician_who_can_then_sign_in(web_server: WebServer) -> None:
    with _new_client(web_server) as admin:
        sign_in(admin, *ADMIN)
        token = page_token(admin.get("/admin/users").text)
        response = admin.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "newdoc",
                "role": "clinician",
                "password": "new-doc-pass",
            },
        )
        assert response.status_code == 303
    with _new_client(web_server) as client:
        assert sign_in(client, "newdoc", "new-doc-pass").status_code == 303


def test_security_headers_are_set_and_patient_pages_are_not_stored(clinician: httpx.Client) -> None:
    patient_id = _create_patient(clinician, "Header Check")
    response = clinician.get(f"/patients/{patient_id}")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(clinician: httpx.Client) -> None:
    patient_id = _create_patient(clinician, "Inline Check")
    for path in (f"/patients/{patient_id}", f"/patients/{patient_id}/injections/new", "/patients"):
        html = clinician.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html, path
        assert "<style" not in html, path


def test_an_unknown_patient_is_a_404_page(clinician: httpx.Client) -> None:
    response = clinician.get("/patients/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "decision support for clinicians" in response.text


def test_invalid_patient_form_keeps_input_and_saves_nothing(clinician: httpx.Client) -> None:
    form = clinician.get("/patients/new")
    response = clinician.post(
        "/patients/new",
        data={
            "csrf_token": hidden_token(form.text),
            "display_name": "Keep Me Typed",
            "birth_date": "not-a-date",
            "sex": "female",
            "onset_age_years": "500",
        },
    )
    assert response.status_code == 422
    assert 'value="Keep Me Typed"' in response.text
    assert 'id="birth_date-error"' in response.text
    assert 'id="onset_age_years-error"' in response.text
    assert "Keep Me Typed" not in _patient_names(clinician)


def test_an_out_of_range_scale_item_is_refused_by_the_server(clinician: httpx.Client) -> None:
    patient_id = _create_patient(clinician, "Scale Range")
    form = clinician.get(f"/patients/{patient_id}/assessments/new?scale=jrs")
    keys = re.findall(r'data-key="([a-z0-9_]+)"', form.text)
    data = {"csrf_token": hidden_token(form.text), "scale": "jrs", "date": "2025-01-01"}
    data.update({f"item-{k}": "1" for k in keys})
    data[f"item-{keys[0]}"] = "99"
    response = clinician.post(f"/patients/{patient_id}/assessments/new", data=data)
    assert response.status_code == 422
    assert f'id="item-{keys[0]}-error"' in response.text
    assert 'value="99"' in response.text
    page = clinician.get(f"/patients/{patient_id}")
    assert 'data-kind="assessment"' not in page.text


def test_an_admin_can_deactivate_a_clinician_whose_session_then_ends(web_server: WebServer) -> None:
    with _new_client(web_server) as admin:
        sign_in(admin, *ADMIN)
        token = page_token(admin.get("/admin/users").text)
        admin.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "leaver",
                "role": "clinician",
                "password": "leaver-pass",
            },
        )
        with _new_client(web_server) as leaver:
            assert sign_in(leaver, "leaver", "leaver-pass").status_code == 303
            page = admin.get("/admin/users").text
            user_id = re.search(
                r'data-username="leaver">.*?action="/admin/users/(\d+)"', page, re.S
            )
            assert user_id
            response = admin.post(
                f"/admin/users/{user_id.group(1)}", data={"csrf_token": token, "role": "clinician"}
            )
            assert response.status_code == 303
            assert leaver.get("/patients", follow_redirects=False).status_code == 303
            assert sign_in(leaver, "leaver", "leaver-pass").status_code == 401


def test_an_admin_cannot_deactivate_themselves(web_server: WebServer) -> None:
    with _new_client(web_server) as admin:
        sign_in(admin, *ADMIN)
        page = admin.get("/admin/users").text
        token = page_token(page)
        own = re.search(rf'data-username="{ADMIN[0]}">.*?action="/admin/users/(\d+)"', page, re.S)
        assert own
        response = admin.post(
            f"/admin/users/{own.group(1)}", data={"csrf_token": token, "role": "admin"}
        )
        assert response.status_code == 422
        assert admin.get("/admin/users").status_code == 200


def test_repeated_wrong_passwords_throttle_the_username(web_server: WebServer) -> None:
    with _new_client(web_server) as admin:
        sign_in(admin, *ADMIN)
        token = page_token(admin.get("/admin/users").text)
        admin.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "guessed",
                "role": "clinician",
                "password": "guessed-pass",
            },
        )
    with _new_client(web_server) as attacker:
        codes = [sign_in(attacker, "guessed", f"wrong-{i}").status_code for i in range(5)]
        assert codes == [401] * 5
        blocked = sign_in(attacker, "guessed", "guessed-pass")
        assert blocked.status_code == 429
        assert "dcds_session" not in blocked.cookies
