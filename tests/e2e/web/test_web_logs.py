"""Nothing that names a patient reaches the server's output: an end-to-end run over a
`serve --demo` server (sign-in, lists searched by name, every demo patient's page, handout,
PDF and edit form, the care API searched by name, failed calls) and then a scan of everything
the server printed for the demo patients' names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import httpx
import pytest
from web_server import sign_in

from dystonia_cds.store.demo import DEMO_PATIENTS
from serving import Server, start_server

pytestmark = pytest.mark.timeout(240)
NAMES = [name for name, *_ in DEMO_PATIENTS]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("logs")
    running = start_server(
        f"sqlite:///{folder / 'demo.sqlite'}", folder / "server.log", "--demo", ready_path="/login"
    )
    yield running
    running.stop()


def _printed(output: str, pattern: str) -> tuple[str, ...]:
    found = re.search(pattern, output, re.MULTILINE)
    assert found, f"{pattern!r} not in the server output"
    return found.groups()


def _spellings(name: str) -> set[str]:
    """The name as text and as a query string may carry it."""
    sent = str(httpx.URL("/p", params={"q": name})).split("q=", 1)[1]
    return {
        name,
        name.removeprefix("Demo: "),
        quote(name),
        quote(name, safe=""),
        quote_plus(name),
        sent,
    }


def _walk_the_web_app(server: Server) -> None:
    output = server.output()
    username, password = _printed(output, r"^demo sign-in: (\S+) / (\S+)$")
    with httpx.Client(base_url=server.url, timeout=60.0, follow_redirects=True) as web:
        sign_in(web, NAMES[0], "a wrong password")  # a failed sign-in typed with a name
        assert sign_in(web, username, password).status_code == 200
        for name in NAMES:
            page = web.get("/patients", params={"q": name})
            ids = set(re.findall(r'href="/patients/([0-9a-f-]{36})"', page.text))
            assert ids, name
            for patient_id in ids:
                for suffix in ("", "/handout", "/handout.pdf", "/edit"):
                    assert web.get(f"/patients/{patient_id}{suffix}").status_code == 200


def _walk_the_api(server: Server) -> None:
    (token,) = _printed(server.output(), r"^demo token: (\S+)$")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60.0) as api:
        for name in NAMES:
            listed = api.get("/api/patients", params={"search": name}).json()["items"]
            for patient in listed:
                base = f"/api/patients/{patient['id']}"
                for suffix in ("/history", "/fhir", "/recommendation", "/audit"):
                    assert api.get(base + suffix).status_code == 200
                bad = api.put(
                    f"{base}/phenotype", content=b"{", headers={"content-type": "application/json"}
                )
                assert bad.status_code == 422
        api.get("/api/patients", params={"search": NAMES[1], "limit": "not-a-number"})


def test_the_server_output_never_names_a_demo_patient(demo_server: Server) -> None:
    _walk_the_web_app(demo_server)
    _walk_the_api(demo_server)
    output = demo_server.output()
    assert '"GET /patients HTTP/1.1" 200' in output  # the access log was written
    for name in NAMES:
        for spelling in _spellings(name):
            assert spelling not in output, spelling
