"""Issue 11 flows in Debian's Chromium (Playwright) at 1280 px and 768 px: computed doses on
a child's page, the rating-scale form that fits the phenotype (BFMDRS movement only), the
injection form (copy last visit, the reason a total over the labelled maximum needs), the
body map by keyboard, and the handout (clinic, parent or carer, disclaimer once in print).
Every page touched is checked with axe-core (no serious or critical violation) and saved as
a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_server import CLINICIAN, WebServer, hidden_token

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
    page.width = width
    sign_in(page)
    yield page
    context.close()


def sign_in(page: Any) -> None:
    page.goto("/login")
    page.fill("input[name=username]", CLINICIAN[0])
    page.fill("input[name=password]", CLINICIAN[1])
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"clinic-fit-{name}-{page.width}px.png"), full_page=True)


def assert_accessible(page: Any, axe: Any) -> None:
    results = axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def create_patient(client: httpx.Client, name: str, **fields: str | list[str]) -> str:
    form = client.get("/patients/new")
    data: dict[str, str | list[str]] = {
        "csrf_token": hidden_token(form.text),
        "display_name": name,
        "birth_date": (date.today() - timedelta(days=int(8.5 * 365))).isoformat(),
        "sex": "female",
        "forms": "genetic-torsion-dystonia",
        "regions": ["neck", "trunk", "upper-limb", "lower-limb"],
        "onset_age_years": "6",
        "distribution": "generalized",
        "weight_kg": "25.04",
        **fields,
    }
    response = client.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def test_a_childs_page_shows_the_weight_and_the_doses_computed_for_it(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(clinician, f"Browser Dose Child {page.width}")
    page.goto(f"/patients/{pid}")
    assert "25 kg" in page.inner_text("h1 + .muted, .actions .muted")
    doses = page.locator("[data-doses]")
    assert doses.count() >= 1
    assert "mg per" in doses.first.inner_text()
    doses.first.scroll_into_view_if_needed()
    shot(page, screenshot_dir, "01-child-doses")
    assert_accessible(page, axe)


def test_the_scale_form_opens_bfmdrs_and_saves_movement_only(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(clinician, f"Browser Scale Child {page.width}")
    page.goto(f"/patients/{pid}")
    page.click("text=Enter a rating scale")
    page.wait_for_selector("#scale-form")
    assert page.get_attribute("input[name=scale]", "value") == "bfmdrs"
    assert page.locator("fieldset#part-movement legend").inner_text().startswith("Movement")
    page.check("input[name=skip-disability]")
    assert page.is_disabled("fieldset#part-disability input.scale-item >> nth=0")
    for item in page.query_selector_all("fieldset#part-movement input.scale-item"):
        item.fill("1")
    assert page.inner_text("#scale-total").startswith("7.5")  # 6 x 1 + 3 x 0.5
    shot(page, screenshot_dir, "02-bfmdrs-movement-only")
    assert_accessible(page, axe)
    page.click("button:has-text('Save assessment')")
    page.wait_for_selector("h2#charts-h")
    chart = page.locator("#chart-bfmdrs")
    assert "movement" in (chart.get_attribute("aria-label") or "")
    assert date.today().isoformat() in chart.inner_html()  # a one-point chart shows its date
    page.locator("#charts-h").scroll_into_view_if_needed()
    shot(page, screenshot_dir, "03-bfmdrs-movement-chart")


def test_the_injection_form_copies_the_last_visit_and_asks_why_over_the_maximum(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(
        clinician,
        f"Browser Injection {page.width}",
        birth_date="1970-01-01",
        forms="cervical-dystonia",
        regions="neck",
        distribution="focal",
        onset_age_years="45",
    )
    page.goto(f"/patients/{pid}/injections/new")
    page.fill("#f-date", (date.today() - timedelta(days=100)).isoformat())
    page.select_option("#f-product", "incobotulinumtoxinA")
    page.select_option("#f-indication", "cervical-dystonia")
    page.fill("#f-lot", "LOT-42")
    page.fill("#f-dilution", "100 U in 2 mL")
    page.select_option("#f-muscle-0", "sternocleidomastoid")
    page.select_option("#f-side-0", "left")
    page.fill("#f-units-0", "60")
    page.click("button:has-text('Save injection visit')")
    page.wait_for_selector("h2#options-h")
    assert "lot LOT-42, dilution 100 U in 2 mL" in page.inner_text(".timeline")
    page.goto(f"/patients/{pid}/injections/new")
    page.click("#copy-last")
    assert page.input_value("#f-units-0") == "60"
    assert page.input_value("#f-dilution") == "100 U in 2 mL"
    assert page.input_value("#f-lot") == ""
    assert page.is_hidden("#over-max-reason")
    page.fill("#f-units-0", "450")  # over the 400 U labelled session maximum
    page.wait_for_selector("#over-max-reason", state="visible")
    shot(page, screenshot_dir, "04-injection-over-max-reason")
    assert_accessible(page, axe)


def test_the_body_map_works_with_the_keyboard_and_the_larynx_is_its_own_target(
    page: Any, axe: Any, screenshot_dir: Path
) -> None:
    page.goto("/patients/new")
    page.focus(".figure .part.r-neck")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=regions][value=neck]")
    assert page.get_attribute(".figure .part.r-neck", "aria-checked") == "true"
    page.keyboard.press("Tab")  # the next target is the larynx
    page.keyboard.press("Enter")
    assert page.is_checked("input[name=regions][value=larynx]")
    page.click(".figure .part.r-larynx")  # a click on the larynx leaves the neck alone
    assert not page.is_checked("input[name=regions][value=larynx]")
    assert page.is_checked("input[name=regions][value=neck]")
    box = page.locator(".figure .part.r-larynx").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).getAttribute('data-region')", list(centre)
    )
    assert hit == "larynx"
    page.locator(".body-map").scroll_into_view_if_needed()
    shot(page, screenshot_dir, "05-body-map-keyboard")
    assert_accessible(page, axe)


def test_a_childs_handout_names_the_clinic_and_prints_the_disclaimer_once(
    page: Any, axe: Any, clinician: httpx.Client, screenshot_dir: Path
) -> None:
    pid = create_patient(clinician, f"Browser Handout Child {page.width}")
    page.goto(f"/patients/{pid}/handout")
    assert "parents and carers" in page.inner_text("article.handout h1")
    assert "Questions? Contact" in page.inner_text("article.handout")
    shot(page, screenshot_dir, "06-handout-screen")
    assert_accessible(page, axe)
    page.emulate_media(media="print")
    visible = [
        el
        for el in page.query_selector_all("p")
        if "decision support for clinicians" in el.inner_text() and el.is_visible()
    ]
    assert len(visible) == 1
    shot(page, screenshot_dir, "07-handout-print")
