"""The EHR launch, a second launch of the same patient, a refresh from the EHR and simultaneous
first launches with the store on the real PostgreSQL server. Synthetic data only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


def launch_alone(app_url: str, ehr: FakeEhr, launch_value: str) -> tuple[int, str]:
    with httpx.Client(base_url=app_url, follow_redirects=True, timeout=60.0) as client:
        page = client.get("/smart/launch", params={"iss": ehr.iss, "launch": launch_value})
        return page.status_code, page.url.path


def test_simultaneous_first_launches_of_a_patient_share_one_local_patient(
    app_url: str, ehr: FakeEhr
) -> None:
    """The second to store finds the first's link (it retries after the unique key refused it)."""
    values = [ehr.launch_for("child-patient") for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda v: launch_alone(app_url, ehr, v), values))
    assert {status for status, _ in results} == {200}
    assert len({path for _, path in results}) == 1
