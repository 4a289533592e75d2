"""A loopback test EHR, a second EHR that is not allow-listed, and dystonia-cds configured for
the first (a real uvicorn server each, in threads). Synthetic data only."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_ehr import CLIENT_ID, FakeEhr, Serving, free_port, load_examples

from dystonia_cds.app import create_app
from dystonia_cds.config import Settings


def serve_ehr(ehr: FakeEhr) -> Serving:
    port = free_port()
    ehr.base = f"http://127.0.0.1:{port}"
    serving = Serving(ehr.app(), port)
    serving.start()
    return serving


@pytest.fixture(scope="module")
def ehr() -> Iterator[FakeEhr]:
    fake = FakeEhr(load_examples("child-generalized-dystonia", "adult-cervical-dystonia"))
    serving = serve_ehr(fake)
    yield fake
    serving.stop()


@pytest.fixture(scope="module")
def rogue_ehr() -> Iterator[FakeEhr]:
    """An EHR this app was not configured for: it must never be contacted."""
    fake = FakeEhr(load_examples("adult-cervical-dystonia"))
    serving = serve_ehr(fake)
    yield fake
    serving.stop()


@pytest.fixture(autouse=True)
def _fresh_ehr_settings(ehr: FakeEhr) -> None:
    ehr.grant_refresh, ehr.standalone_patient, ehr.extra_resources = False, None, []
    ehr.extra_grant, ehr.created = "", []
    ehr.answer_with_patient = None
    ehr.token_lifetime_s = 3600


@pytest.fixture(scope="module")
def app_settings(ehr: FakeEhr, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    port = free_port()
    database = tmp_path_factory.mktemp("smart") / "smart.sqlite"
    return Settings(
        environment="test",
        database_url=f"sqlite:///{database}",
        public_url=f"http://127.0.0.1:{port}",
        secret_key="smart-test-secret",
        smart_clients={ehr.iss: {"client_id": CLIENT_ID}},
        insecure_dev=True,  # CDS Hooks without JWTs, for the card link test only
    )


@pytest.fixture(scope="module")
def app_url(app_settings: Settings) -> Iterator[str]:
    port = int(app_settings.public_url.rsplit(":", 1)[1])
    serving = Serving(create_app(app_settings), port)
    serving.start()
    yield app_settings.public_url
    serving.stop()


@pytest.fixture
def browser(app_url: str) -> Iterator[httpx.Client]:
    """A browser stand-in: follows redirects, keeps cookies."""
    with httpx.Client(base_url=app_url, follow_redirects=True, timeout=30.0) as client:
        yield client
