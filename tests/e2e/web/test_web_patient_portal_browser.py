"""The patient companion in Debian's Chromium (Playwright) at 390 px (a phone) and 1280 px:
the invitation page, the first sign-in, the home page, the weekly check-in and its change, the
treatment and side-effect pages, the feedback box, and the clinician's Invite button. Every
page touched is checked with axe-core (no serious or critical violation) and saved as a
screenshot. Synthetic data only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_server import CLINICIAN, WebServer

from chromium import chromium
from dystonia_cds.store.database import open_database
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.store.tokens import create_token

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
WIDTHS = (390, 1280)
PASSWORD = "patient-pass-1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def axe() -> Any:
    return axe_sync.Axe()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser: Any, web_server: WebServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    width = request.param
    context = browser.new_context(base_url=web_server.url, viewport={"width": width, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width = width
    yield page
    context.close()


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"patient-{name}-{page.width}px.png"), full_page=True)


def assert_accessible(page: Any, axe: Any) -> None:
    results = axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def assert_fits(page: Any) -> None:
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.width, f"{page.url}: {width} px wide at {page.width} px"


def invitation_link(server: WebServer, name: str) -> str:
    sessions = open_database(server.database_url)
    with sessions.begin() as session:
        pid = CareRepository(session).add_patient(
            birth_date=date(1970, 5, 5), sex="male", display_name=name
        )
        token = create_token(session, f"browser-{name}")
    sessions.kw["bind"].dispose()
    response = httpx.post(
        f"{server.url}/api/patients/{pid}/invitations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    return str(response.json()["url"])


def test_a_patient_joins_checks_in_reads_and_gives_feedback(
    page: Any, axe: Any, web_server: WebServer, screenshot_dir: Path
) -> None:
    page.goto(invitation_link(web_server, f"Browser Patient {page.width}"))
    shot(page, screenshot_dir, "01-invitation")
    assert_accessible(page, axe)
    assert_fits(page)
    page.fill("input[name=username]", f"browser-patient-{page.width}")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/my")
    assert "supports, and does not replace" in page.inner_text("body")
    shot(page, screenshot_dir, "02-home")
    assert_accessible(page, axe)
    assert_fits(page)

    page.click("text=Do this week's check-in")
    page.wait_for_url("**/my/check-in")
    page.fill("input[name=severity]", "5")
    page.fill("input[name=benefit_percent]", "70")
    page.check("input[name=side_effects][value=dry-mouth]")
    page.fill("textarea[name=note]", "Neck stiff in the mornings")
    shot(page, screenshot_dir, "03-check-in")
    assert_accessible(page, axe)
    assert_fits(page)
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/my?saved=1")
    entry = page.locator("[data-diary-entry]").first
    assert "5 of 10" in entry.inner_text()
    entry.locator("a").click()
    page.wait_for_url(re.compile(r".*/my/check-in\?entry=\d+"))
    assert page.input_value("input[name=severity]") == "5"
    page.fill("input[name=severity]", "4")
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/my?saved=1")
    assert "4 of 10" in page.locator("[data-diary-entry]").first.inner_text()

    for path, name in (("/my/treatment", "04-treatment"), ("/my/side-effects", "05-side")):
        page.goto(path)
        shot(page, screenshot_dir, name)
        assert_accessible(page, axe)
        assert_fits(page)
    page.click(".feedback-box button[value=yes]")
    page.wait_for_url("**/my/side-effects?fb=1*")
    assert "Your answer was saved" in page.inner_text(".feedback-box")
    page.click(".feedback-box summary")
    page.fill("textarea[name=error_text]", "The phone number is old")
    page.click("text=Send the report")
    page.wait_for_url("**/my/side-effects?fb=1*")
    shot(page, screenshot_dir, "06-feedback")
    assert_accessible(page, axe)


def test_the_clinician_invites_the_patient_from_the_patient_page(
    page: Any, axe: Any, web_server: WebServer, screenshot_dir: Path
) -> None:
    sessions = open_database(web_server.database_url)
    with sessions.begin() as session:
        pid = CareRepository(session).add_patient(
            birth_date=date(1981, 2, 2), sex="female", display_name=f"Invited {page.width}"
        )
    sessions.kw["bind"].dispose()
    page.goto("/login")
    page.fill("input[name=username]", CLINICIAN[0])
    page.fill("input[name=password]", CLINICIAN[1])
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")
    page.goto(f"/patients/{pid}")
    page.click("[data-invite-patient]")
    link = page.locator("[data-invitation-url]").input_value()
    assert "/invitation/" in link
    shot(page, screenshot_dir, "07-clinician-invitation")
    assert_accessible(page, axe)
