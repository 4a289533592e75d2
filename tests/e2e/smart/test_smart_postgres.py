"""The EHR launch, a second launch of the same patient and a refresh from the EHR with the store
on the real PostgreSQL server. Synthetic data only."""

from __future__ import annotations

import httpx
import pytest
from fake_ehr import CLIENT_ID, FakeEhr, free_port
from test_smart_launch import CERVICAL, csrf, ehr_launch, option_ids

from dystonia_cds.config import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def app_settings(ehr: FakeEhr, postgres_module_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=postgres_module_url,
        public_url=f"http://127.0.0.1:{free_port()}",
        secret_key="smart-test-secret",
        smart_clients={ehr.iss: {"client_id": CLIENT_ID}},
    )


def test_an_ehr_launch_and_a_refresh_work_on_postgresql(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    ehr.grant_refresh = True
    page = ehr_launch(browser, ehr, CERVICAL)
    assert page.status_code == 200, page.text
    assert option_ids(page.text)[0] == "botulinum-toxin"
    again = ehr_launch(browser, ehr, CERVICAL)
    assert again.url.path == page.url.path
    ehr.expire_tokens()
    refreshed = browser.post("/smart/refresh", data={"csrf_token": csrf(again.text)})
    assert refreshed.status_code == 200
    assert "Read again from the EHR" in refreshed.text
