"""The drug-entry checks live in Debian's Chromium (Playwright): typing an ongoing
tetrabenazine dose above the reference limit in the trial form shows the dose check before
saving, with the tick that confirms it; a dose brought back within the limit clears it; the
medication form shows a critical check for tetrabenazine taken with depression."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_web_trial_checks import create_patient
from web_server import CLINICIAN, WebServer

from chromium import chromium

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: sync_api.Browser, web_server: WebServer) -> Iterator[sync_api.Page]:
    context = browser.new_context(base_url=web_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.fill("input[name=username]", CLINICIAN[0])
    page.fill("input[name=password]", CLINICIAN[1])
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")
    yield page
    context.close()


def test_the_dose_check_appears_while_typing_and_the_tick_saves(
    page: sync_api.Page, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(clinician, "Browser Trial Dose")
    page.goto(f"/patients/{pid}/trials/new")
    assert page.locator("#drug-confirm").is_hidden()
    page.select_option("#f-treatment", "tetrabenazine")
    page.check("input[name=active]")
    page.fill("#f-daily_dose_mg", "75")
    check = page.locator("#drug-checks [data-check-id=dose-above-limit]")
    check.wait_for()
    assert "more than 50 mg/day needs the CYP2D6 genotype" in check.inner_text()
    assert "[R42]" in check.inner_text()
    assert page.locator("#drug-confirm").is_visible()
    page.screenshot(path=str(screenshot_dir / "web-trial-dose-check.png"), full_page=True)
    page.check("#f-confirm_warnings")
    page.click("button:has-text('Save trial')")
    page.wait_for_url(f"**/patients/{pid}")


def test_a_dose_brought_within_the_limit_clears_the_check(
    page: sync_api.Page, clinician: httpx.Client
) -> None:
    pid = create_patient(clinician, "Browser Trial Within")
    page.goto(f"/patients/{pid}/trials/new")
    page.select_option("#f-treatment", "tetrabenazine")
    page.check("input[name=active]")
    page.fill("#f-daily_dose_mg", "75")
    page.locator("#drug-checks [data-check-id=dose-above-limit]").wait_for()
    page.fill("#f-daily_dose_mg", "50")
    page.locator("#drug-checks [data-check-id]").wait_for(state="detached")
    assert page.locator("#drug-confirm").is_hidden()
    page.click("button:has-text('Save trial')")
    page.wait_for_url(f"**/patients/{pid}")


def test_the_medication_form_shows_a_critical_check_while_typing(
    page: sync_api.Page, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(clinician, "Browser Drug Depression", conditions=["depression"])
    page.goto(f"/patients/{pid}/medications/new")
    page.select_option("#f-ingredient", "tetrabenazine")
    check = page.locator("#drug-checks [data-check-id=tetrabenazine-depression]")
    check.wait_for()
    assert "critical" in (check.get_attribute("class") or "")
    assert page.locator("#drug-confirm").is_visible()
    page.screenshot(path=str(screenshot_dir / "web-medication-check.png"), full_page=True)
    page.click("button:has-text('Save drug')")
    page.wait_for_url(f"**/patients/{pid}/medications/new")
    assert "Review the checks above" in page.inner_text("main")
