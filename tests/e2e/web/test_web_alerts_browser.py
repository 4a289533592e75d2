"""Alert flows in Debian's Chromium (Playwright) at 1280 px and 768 px: a warning's action link
opens its form, an alert is acknowledged with a coded reason and moves out of the way, a vote
is changed by a second click, the "With alerts" list and the admin feedback summary. Each page
touched is checked with axe-core (no serious or critical violation) and saved as a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_server import (
    ADMIN,
    CLINICIAN,
    WebServer,
    hidden_token,
    new_cervical_patient,
    record_injection,
)

from chromium import chromium

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
WIDTHS = (1280, 768)


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
    context = browser.new_context(base_url=web_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width = width  # for screenshot names
    yield page
    context.close()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"alerts-{name}-{page.width}px.png"), full_page=True)


def assert_accessible(page: Any, axe: Any) -> None:
    results = axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def create_child(clinician: httpx.Client, name: str) -> str:
    """A 9-year-old with generalized dystonia: no levodopa trial, Wilson disease not excluded."""
    form = clinician.get("/patients/new")
    data: dict[str, str | list[str]] = {
        "csrf_token": hidden_token(form.text),
        "display_name": name,
        "birth_date": (date.today() - timedelta(days=9 * 365 + 40)).isoformat(),
        "sex": "female",
        "forms": "genetic-torsion-dystonia",
        "regions": ["neck", "trunk", "lower-limb"],
        "onset_age_years": "6",
        "distribution": "generalized",
    }
    response = clinician.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def active_ids(page: Any) -> set[str]:
    items = page.query_selector_all("#active-alerts [data-alert-id]")
    return {el.get_attribute("data-alert-id") or "" for el in items}


def test_a_warning_carries_its_action_and_is_acknowledged_with_a_reason(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    patient_id = create_child(clinician, f"Browser Alert Child {page.width}")
    sign_in(page, *CLINICIAN)
    page.goto(f"/patients/{patient_id}")
    assert {"levodopa-trial-missing", "wilson-disease-screen"} <= active_ids(page)
    shot(page, screenshot_dir, "01-patient-alerts")
    assert_accessible(page, axe)
    page.click("[data-alert-action=levodopa-trial-missing]")
    page.wait_for_url(f"**/patients/{patient_id}/trials/new")
    page.go_back()
    wilson = page.locator("#active-alerts [data-alert-id=wilson-disease-screen]")
    wilson.locator("summary").click()
    wilson.locator("select[name=reason]").select_option("patient-declined")
    wilson.locator("textarea[name=comment]").fill("family will decide at the next visit")
    shot(page, screenshot_dir, "02-acknowledge-form")
    assert_accessible(page, axe)
    wilson.locator("button[value=acknowledged]").click()
    page.wait_for_selector("#answered-alerts")
    assert "wilson-disease-screen" not in active_ids(page)
    page.click("#answered-alerts summary")
    answered = page.inner_text("#answered-alerts")
    assert "Patient declined" in answered
    assert "family will decide" in answered
    shot(page, screenshot_dir, "03-acknowledged")
    assert_accessible(page, axe)


def test_a_second_click_changes_the_vote(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    patient_id = create_child(clinician, f"Browser Vote Child {page.width}")
    sign_in(page, *CLINICIAN)
    page.goto(f"/patients/{patient_id}")
    option = page.locator("[data-option-id=levodopa-trial]")
    option.locator("button[name=helpful][value=yes]").click()
    page.wait_for_selector("[data-option-id=levodopa-trial] .thanks")
    option = page.locator("[data-option-id=levodopa-trial]")
    assert option.locator("button[value=yes]").get_attribute("aria-pressed") == "true"
    option.locator("button[name=helpful][value=no]").click()
    page.wait_for_selector("[data-option-id=levodopa-trial] .thanks")
    option = page.locator("[data-option-id=levodopa-trial]")
    assert option.locator("button[value=no]").get_attribute("aria-pressed") == "true"
    assert option.locator("button[value=yes]").get_attribute("aria-pressed") == "false"
    shot(page, screenshot_dir, "04-vote-changed")
    assert_accessible(page, axe)


def test_the_alerts_list_and_the_admin_summary_are_accessible(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    create_child(clinician, f"Browser List Child {page.width}")
    sign_in(page, *CLINICIAN)
    page.goto("/patients?filter=alerts&q=Browser")
    assert page.locator("td [data-alert-id=levodopa-trial-missing]").count() >= 1
    assert "levodopa-trial-missing" not in page.inner_text("main")
    shot(page, screenshot_dir, "05-with-alerts")
    assert_accessible(page, axe)
    page.context.clear_cookies()
    sign_in(page, *ADMIN)
    page.goto("/admin/feedback")
    text = page.inner_text("main")
    assert "Alerts acknowledged or overridden" in text
    assert "Export all feedback (CSV)" in text
    assert "wilson-disease-screen" not in text
    shot(page, screenshot_dir, "06-admin-feedback")
    assert_accessible(page, axe)


def test_the_overdue_panel_carries_its_action_and_answer_form(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    patient_id = new_cervical_patient(clinician, f"Browser Overdue {page.width}")
    record_injection(clinician, patient_id, (date.today() - timedelta(weeks=20)).isoformat())
    sign_in(page, *CLINICIAN)
    page.goto(f"/patients/{patient_id}")
    panel = page.locator("#injection-window")
    assert panel.locator(".window .badge.warning").inner_text() == "overdue"
    panel.locator("[data-alert-id=botulinum-toxin-overdue] summary").click()
    shot(page, screenshot_dir, "07-overdue-panel")
    assert_accessible(page, axe)
    page.click(".alert-pointer a")
    panel.locator("[data-alert-action=botulinum-toxin-overdue]").first.click()
    page.wait_for_url(f"**/patients/{patient_id}/injections/new")
