"""Red-team style fuzzing of the web app over real HTTP: every form of a patient, the admin
forms, sign-in and the pages' query parameters get hostile values (control characters,
NUL, huge and non-finite numbers, impossible dates, very long text, markup, unknown choices,
repeated and missing fields) with a valid session and CSRF token. None may end in a server
error, and a refused form changes nothing the patient page shows."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import httpx
import pytest
from web_server import (
    ADMIN,
    CLINICIAN,
    WebServer,
    hidden_token,
    page_token,
    sign_in,
    start_web_server,
)

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
CASES = 25
NASTY = [
    "",
    " ",
    "\x00",
    "a\x01b",
    "\x1b[2J",
    "\x7f",
    "line\nbreak",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-0",
    "9" * 400,
    "0000-00-00",
    "9999-12-31",
    "1900-02-29",
    "2024-13-40",
    "x" * 5000,
    "\u202e\u200b",
    "%00",
    "../../etc/passwd",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]
FORMS = [
    "/patients/new",
    "/patients/{id}/edit",
    "/patients/{id}/injections/new",
    "/patients/{id}/assessments/new",
    "/patients/{id}/trials/new",
    "/patients/{id}/medications/new",
]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """A server of its own: the failed sign-ins of this module must not slow other modules'
    sign-ins from the same address."""
    server = start_web_server(tmp_path_factory.mktemp("fuzz"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fuzz_client(fuzz_server: WebServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.url, timeout=60.0) as client:
        assert sign_in(client, *CLINICIAN).status_code == 303
        yield client


@pytest.fixture(scope="module")
def patient(fuzz_client: httpx.Client) -> str:
    form = fuzz_client.get("/patients/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "display_name": "Test Fuzzed",
        "birth_date": "1980-05-01",
        "sex": "female",
        "forms": "cervical-dystonia",
        "regions": "neck",
    }
    response = fuzz_client.post("/patients/new", data=data)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


def _field_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)
    return sorted({n for n in names if n != "csrf_token"})


def _hostile(rng: random.Random, names: list[str], token: str) -> dict[str, list[str]]:
    data = {"csrf_token": [token]}
    for name in names:
        times = rng.choice([0, 1, 1, 1, 2])  # missing, once, repeated
        if times:
            data[name] = [rng.choice(NASTY) for _ in range(times)]
    return data


@pytest.mark.parametrize("form", FORMS)
def test_hostile_values_in_every_patient_form_never_cause_a_server_error(
    fuzz_client: httpx.Client, patient: str, form: str
) -> None:
    rng = random.Random(f"{form}-12")
    path = form.format(id=patient)
    page = fuzz_client.get(path)
    assert page.status_code == 200
    names, token = _field_names(page.text), hidden_token(page.text)
    for _ in range(CASES):
        response = fuzz_client.post(path, data=_hostile(rng, names, token))
        assert response.status_code < 500, (path, response.status_code)
    assert fuzz_client.get(f"/patients/{patient}").status_code == 200


def test_hostile_query_parameters_never_cause_a_server_error(
    fuzz_client: httpx.Client, patient: str
) -> None:
    rng = random.Random("queries-12")
    pages = [
        ("/patients", ["q", "filter", "page"]),
        (f"/patients/{patient}", ["at", "fb"]),
        (f"/patients/{patient}/handout", ["o"]),
        (f"/patients/{patient}/handout.pdf", ["o"]),
        (f"/patients/{patient}/injections/new", ["copy"]),
        (f"/patients/{patient}/assessments/new", ["scale"]),
    ]
    for path, names in pages:
        for _ in range(8):
            params = [(n, rng.choice(NASTY).replace("\x00", "")) for n in names]
            response = fuzz_client.get(path, params=params)
            assert response.status_code < 500, (path, params, response.status_code)


def test_hostile_patient_ids_in_paths_never_cause_a_server_error(
    fuzz_client: httpx.Client,
) -> None:
    for bad in ["%00", "%01x", "..%2F..%2Fadmin", "x" * 500, "%E2%80%AE", "a%0Ab", "'%20OR%201=1"]:
        for suffix in ("", "/edit", "/handout", "/handout.pdf", "/injections/new"):
            response = fuzz_client.get(f"/patients/{bad}{suffix}")
            assert response.status_code < 500, (bad, suffix, response.status_code)


def test_hostile_sign_in_and_admin_forms_never_cause_a_server_error(
    fuzz_server: WebServer,
) -> None:
    rng = random.Random("admin-12")
    with httpx.Client(base_url=fuzz_server.url, timeout=60.0) as admin:
        assert sign_in(admin, *ADMIN).status_code == 303
        token = page_token(admin.get("/admin/users").text)
        for _ in range(CASES):
            data = {"csrf_token": token} | {
                n: rng.choice(NASTY) for n in ("username", "role", "password")
            }
            response = admin.post("/admin/users", data=data)
            assert response.status_code < 500
            change = admin.post(
                f"/admin/users/{rng.choice(['1', '0', '99999999999', '-1', 'x'])}",
                data={"csrf_token": token, "role": rng.choice(NASTY)},
            )
            assert change.status_code < 500
    with httpx.Client(base_url=fuzz_server.url, timeout=60.0) as anonymous:
        for _ in range(CASES):
            form = anonymous.get("/login")
            data = {"csrf_token": hidden_token(form.text)} | {
                n: rng.choice(NASTY) for n in ("username", "password", "next")
            }
            assert anonymous.post("/login", data=data).status_code < 500
