"""A real `dystonia-cds serve` process on 127.0.0.1 (free port, own SQLite file) with a
clinician and an admin account, and helpers to sign in over plain HTTP. Synthetic data only."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from dystonia_cds.store.database import open_database
from dystonia_cds.web.accounts import create_user
from serving import CLI, Server, free_port, start_server

__all__ = [
    "CLI",
    "WebServer",
    "free_port",
    "hidden_token",
    "page_token",
    "sign_in",
    "start_web_server",
]

CLINICIAN = ("clin", "clinician-pass-1")
ADMIN = ("boss", "admin-pass-123")
WebServer = Server


def start_web_server(folder: Path) -> WebServer:
    """A server on its own SQLite file with a clinician and an admin account."""
    database_url = f"sqlite:///{folder / 'web.sqlite'}"
    sessions = open_database(database_url)
    with sessions.begin() as session:
        create_user(session, CLINICIAN[0], "clinician", CLINICIAN[1])
        create_user(session, ADMIN[0], "admin", ADMIN[1])
    sessions.kw["bind"].dispose()
    return start_server(database_url, folder / "server.log", ready_path="/login")


def hidden_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def page_token(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no csrf-token meta in the page"
    return found.group(1)


def sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/login")
    token = hidden_token(form.text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def new_cervical_patient(client: httpx.Client, display_name: str) -> str:
    """A synthetic adult with focal cervical dystonia created through the web form; its id."""
    form = client.get("/patients/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "display_name": display_name,
        "birth_date": "1970-01-01",
        "sex": "female",
        "forms": "cervical-dystonia",
        "regions": "neck",
        "onset_age_years": "50",
        "distribution": "focal",
    }
    created = client.post("/patients/new", data=data, follow_redirects=False)
    return str(created.headers["location"].rsplit("/", 1)[1])


def record_injection(client: httpx.Client, patient_id: str, when: str) -> httpx.Response:
    """One 50-unit onabotulinumtoxinA sternocleidomastoid session on `when` (YYYY-MM-DD)."""
    form = client.get(f"/patients/{patient_id}/injections/new")
    visit = {
        "csrf_token": hidden_token(form.text),
        "date": when,
        "product": "onabotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscle-0": "sternocleidomastoid",
        "side-0": "left",
        "units-0": "50",
    }
    return client.post(f"/patients/{patient_id}/injections/new", data=visit)
