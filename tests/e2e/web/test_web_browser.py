"""The clinician's path through the web app in Debian's Chromium (Playwright, sync API),
against a real server: sign in, create a patient, record a trial, an injection visit with
units per muscle and a TWSTRS assessment, watch the recommendation and the chart change,
give feedback, report an error, print the handout. Each step saves a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from web_server import ADMIN, CLINICIAN, WebServer

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
    yield page
    context.close()


def shot(page: sync_api.Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"web-{name}.png"), full_page=True)


def sign_in(page: sync_api.Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")


def create_child(page: sync_api.Page, name: str, folder: Path | None = None) -> str:
    """A 10-year-old with generalized dystonia and no levodopa trial on record."""
    page.goto("/patients/new")
    page.fill("#f-display_name", name)
    page.fill("#f-birth_date", (date.today() - timedelta(days=int(10.5 * 365))).isoformat())
    page.select_option("#f-sex", "male")
    page.check("input[name=forms][value=genetic-torsion-dystonia]")
    for region in ("neck", "upper-limb", "lower-limb"):
        page.check(f"input[name=regions][value={region}]")
    page.click(".figure .part.r-trunk")  # picking on the body map ticks the box
    assert page.is_checked("input[name=regions][value=trunk]")
    page.fill("#f-onset_age_years", "7")
    page.select_option("#f-distribution", "generalized")
    page.select_option("#f-association", "isolated")
    if folder is not None:
        shot(page, folder, "03a-new-patient-form")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h2#options-h")
    return page.url.rsplit("/", 1)[1]


def alert_ids(page: sync_api.Page) -> set[str]:
    return {
        el.get_attribute("data-alert-id") or "" for el in page.query_selector_all("[data-alert-id]")
    }


def test_sign_in_page_has_the_named_inputs_and_keyboard_order(
    page: sync_api.Page, screenshot_dir: Path
) -> None:
    page.goto("/login")
    assert page.locator("input[name=username]").count() == 1
    assert page.locator("input[name=password]").count() == 1
    assert "not a substitute for clinical judgment" in page.inner_text("body")
    assert page.evaluate("document.activeElement.name") == "username"  # autofocus
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.focus("input[name=username]")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "brand"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    shot(page, screenshot_dir, "01-sign-in")


def test_clinician_path_from_new_patient_to_handout(
    page: sync_api.Page, screenshot_dir: Path, tmp_path: Path
) -> None:
    sign_in(page, *CLINICIAN)
    shot(page, screenshot_dir, "02-patient-list")
    patient_id = create_child(page, "Browser Child", screenshot_dir)
    assert "levodopa-trial-missing" in alert_ids(page)
    assert page.locator("[data-option-id]").count() > 0
    shot(page, screenshot_dir, "03-patient-new")

    record_levodopa_trial(page, patient_id)
    assert "levodopa-trial-missing" not in alert_ids(page)
    assert "Levodopa" in page.inner_text("#timeline-h + ul")
    shot(page, screenshot_dir, "04-after-trial")

    record_injection(page, patient_id, screenshot_dir)
    assert "botulinum-toxin-too-soon" in alert_ids(page)
    assert "next injection window" in page.inner_text("#injection-window").lower()
    shot(page, screenshot_dir, "06-after-injection")

    enter_twstrs(page, patient_id, date.today() - timedelta(days=1), 2, screenshot_dir)
    chart = page.locator("svg#chart-twstrs")
    assert chart.get_attribute("data-points") == "1"
    enter_twstrs(page, patient_id, date.today(), 1, None)
    assert page.locator("svg#chart-twstrs").get_attribute("data-points") == "2"
    assert page.locator("svg#chart-twstrs .injection-marker").count() == 1
    assert "onabotulinumtoxinA" in (
        page.locator("svg#chart-twstrs .injection-marker title").text_content() or ""
    )
    assert page.locator("svg#dose-onabotulinumtoxinA").count() == 1
    shot(page, screenshot_dir, "08-charts")

    give_feedback(page, screenshot_dir)
    print_handout(page, patient_id, screenshot_dir, tmp_path)


def record_levodopa_trial(page: sync_api.Page, patient_id: str) -> None:
    page.goto(f"/patients/{patient_id}/trials/new")
    page.select_option("#f-treatment", "levodopa")
    page.fill("#f-start", (date.today() - timedelta(days=120)).isoformat())
    page.fill("#f-end", (date.today() - timedelta(days=30)).isoformat())
    page.select_option("#f-outcome", "ineffective")
    page.fill("#f-daily_dose_mg", "150")
    page.click("button:has-text('Save trial')")
    page.wait_for_url(f"**/patients/{patient_id}")


def record_injection(page: sync_api.Page, patient_id: str, folder: Path) -> None:
    page.goto(f"/patients/{patient_id}/injections/new")
    page.select_option("#f-product", "onabotulinumtoxinA")
    page.select_option("#f-indication", "cervical-dystonia")
    for row, (muscle, side, units) in enumerate(
        [("sternocleidomastoid", "left", "40"), ("splenius-capitis", "right", "60")]
    ):
        page.select_option(f"#f-muscle-{row}", muscle)
        page.select_option(f"#f-side-{row}", side)
        page.fill(f"#f-units-{row}", units)
    assert page.inner_text("#total-units") == "100"
    eyelid = "#f-muscle-0 option[value=orbicularis-oculi-pretarsal-upper]"
    assert page.eval_on_selector(eyelid, "o => o.hidden") is True  # not a neck muscle
    page.click("#add-muscle-row")
    assert page.locator("#f-muscle-8").count() == 1
    assert page.evaluate("document.activeElement.id") == "f-muscle-8"
    assert "400" in page.inner_text("#label-max")
    page.wait_for_selector("#checks [data-check-id], #checks p.muted:has-text('No warnings')")
    shot(page, folder, "05-injection-form")
    page.click("button:has-text('Save injection visit')")
    page.wait_for_url(f"**/patients/{patient_id}")


def enter_twstrs(
    page: sync_api.Page, patient_id: str, when: date, score: int, folder: Path | None
) -> None:
    page.goto(f"/patients/{patient_id}/assessments/new?scale=twstrs")
    page.fill("#f-date", when.isoformat())
    inputs = page.locator("input.scale-item")
    for i in range(inputs.count()):
        field = inputs.nth(i)
        top = int(field.get_attribute("max") or "0")
        field.fill(str(min(score, top)))
    assert page.inner_text("#scale-total").split()[0] not in ("—", "0")
    first = inputs.nth(0)
    assert first.get_attribute("min") == "0"
    assert first.get_attribute("max") is not None
    if folder is not None:
        shot(page, folder, "07-twstrs-form")
    page.click("button:has-text('Save assessment')")
    page.wait_for_url(f"**/patients/{patient_id}*")


def give_feedback(page: sync_api.Page, folder: Path) -> None:
    option = page.locator("li[data-option-id]").first
    option_id = option.get_attribute("data-option-id")
    option.locator("button[name=helpful][value=yes]").click()
    page.wait_for_selector(f"#option-{option_id} .thanks")
    option = page.locator(f"li[data-option-id='{option_id}']")
    option.locator("details.report summary").click()
    option.locator("textarea[name=error_text]").fill("Synthetic test: the dose wording is unclear.")
    option.locator("button:has-text('Send error report')").click()
    page.wait_for_selector(f"#option-{option_id} .thanks")
    shot(page, folder, "09-feedback")


def print_handout(page: sync_api.Page, patient_id: str, folder: Path, tmp_path: Path) -> None:
    page.goto(f"/patients/{patient_id}/handout")
    text = page.inner_text("article.handout")
    assert "not a substitute for clinical judgment" in text
    shot(page, folder, "10-handout")
    pdf_path = tmp_path / "handout-print.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf_path), format="A4")
    assert pdf_path.read_bytes().startswith(b"%PDF")
    response = page.request.get(f"/patients/{patient_id}/handout.pdf")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    (folder / "web-handout.pdf").write_bytes(response.body())


def test_admin_sees_the_feedback_summary_and_a_clinician_does_not(
    page: sync_api.Page, browser: sync_api.Browser, web_server: WebServer, screenshot_dir: Path
) -> None:
    sign_in(page, *ADMIN)
    page.goto("/admin/feedback")
    assert page.locator("h1").inner_text() == "Feedback summary"
    shot(page, screenshot_dir, "11-admin-feedback")
    page.goto("/admin/users")
    assert CLINICIAN[0] in page.inner_text("table")
    shot(page, screenshot_dir, "12-admin-users")
    context = browser.new_context(base_url=web_server.url)
    other = context.new_page()
    sign_in(other, *CLINICIAN)
    response = other.goto("/admin/feedback")
    assert response is not None
    assert response.status == 403
    context.close()


def test_patient_page_is_usable_at_tablet_width(
    browser: sync_api.Browser, web_server: WebServer, screenshot_dir: Path
) -> None:
    context = browser.new_context(base_url=web_server.url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in(page, *CLINICIAN)
    create_child(page, "Tablet Child")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    shot(page, screenshot_dir, "13-tablet-patient")
    context.close()


def test_invalid_injection_units_show_a_message_and_keep_the_input(
    page: sync_api.Page, screenshot_dir: Path
) -> None:
    sign_in(page, *CLINICIAN)
    patient_id = create_child(page, "Invalid Units")
    page.goto(f"/patients/{patient_id}/injections/new")
    page.select_option("#f-product", "onabotulinumtoxinA")
    page.select_option("#f-indication", "cervical-dystonia")
    page.select_option("#f-muscle-0", "sternocleidomastoid")
    page.select_option("#f-side-0", "left")
    page.fill("#f-units-0", "-5")
    page.click("button:has-text('Save injection visit')")
    assert page.locator("#units-0-error").is_visible()
    assert page.input_value("#f-units-0") == "-5"
    shot(page, screenshot_dir, "14-invalid-injection")
    page.goto(f"/patients/{patient_id}")
    assert page.locator("[data-kind=injection]").count() == 0


@pytest.mark.parametrize("scale", ["twstrs", "bfmdrs", "jrs"])
def test_live_total_in_the_browser_matches_the_saved_score(page: sync_api.Page, scale: str) -> None:
    sign_in(page, *CLINICIAN)
    patient_id = create_child(page, f"Live Total {scale}")
    page.goto(f"/patients/{patient_id}/assessments/new?scale={scale}")
    inputs = page.locator("input.scale-item")
    for i in range(inputs.count()):
        field = inputs.nth(i)
        field.fill(str(min(i % 3 + 1, int(field.get_attribute("max") or "0"))))
    inputs.nth(0).fill("99")
    assert "out of range" in page.inner_text("#scale-total")
    assert inputs.nth(0).get_attribute("aria-invalid") == "true"
    inputs.nth(0).fill("1")
    live = page.inner_text("#scale-total").split()[0]
    page.click("button:has-text('Save assessment')")
    page.wait_for_url(f"**/patients/{patient_id}*")
    entry = page.locator("li[data-kind=assessment]").inner_text()
    assert f"total {live}" in entry
