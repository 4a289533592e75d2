"""Fixtures for the web app tests: one real server for the whole web test run (tests use
their own patients and accounts), a signed-in clinician client per module."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from web_server import CLINICIAN, WebServer, sign_in, start_web_server


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_web_server(tmp_path_factory.mktemp("web"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def clinician(web_server: WebServer) -> Iterator[httpx.Client]:
    """An httpx client signed in as a clinician."""
    with httpx.Client(base_url=web_server.url, timeout=30.0, follow_redirects=True) as client:
        response = sign_in(client, *CLINICIAN)
        assert response.status_code == 200, response.text
        yield client
