"""The EHR launch in Debian's Chromium (Playwright, sync API): from the EHR's launch URL through
the test EHR's authorization to the patient page, then a refresh from the EHR. Real cookies,
real redirects. Synthetic data only."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fake_ehr import FakeEhr

from chromium import chromium as launch_chromium

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def chromium() -> Iterator[sync_api.Browser]:
    with launch_chromium() as browser:
        yield browser


def test_an_ehr_launch_in_chromium_opens_the_patient_and_refreshes_from_the_ehr(
    chromium: sync_api.Browser, ehr: FakeEhr, app_url: str
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        launch = ehr.launch_for("child-patient")
        page.goto(f"{app_url}/smart/launch?{urlencode({'iss': ehr.iss, 'launch': launch})}")
        page.wait_for_url("**/patients/*")
        first = page.locator("[data-option-id]").first
        assert first.get_attribute("data-option-id") == "levodopa-trial"
        assert page.locator("[data-ehr-source]").is_visible()
        page.click("[data-action=ehr-refresh]")
        page.wait_for_url("**?ehr=refreshed")
        assert page.get_by_text("Read again from the EHR").is_visible()
        assert not any(token in c["value"] for c in context.cookies() for token in ehr.tokens)
    finally:
        context.close()


def test_an_ehr_can_show_the_app_inside_its_chart_page(
    chromium: sync_api.Browser, ehr: FakeEhr, app_url: str
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        launch = f"{app_url}/smart/launch?{urlencode({'iss': ehr.iss, 'launch': ehr.launch_for('child-patient')})}"
        page.goto(f"{ehr.base}/ehr?{urlencode({'app': launch})}")
        frame = page.frame_locator("#app")
        first = frame.locator("[data-option-id]").first
        first.wait_for()
        assert first.get_attribute("data-option-id") == "levodopa-trial"
    finally:
        context.close()
