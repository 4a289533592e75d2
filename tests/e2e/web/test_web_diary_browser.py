"""The diary section of the clinician's patient page in Debian's Chromium at 1280 and 390 px:
the wearing-off chart and the side-effect table are shown, fit the width, and axe-core finds
no serious or critical violation. Each width saves a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_web_diary_section import _check_ins
from test_web_pages import create_patient, injection
from web_server import CLINICIAN, WebServer

from chromium import chromium
from dystonia_cds.store.diary import DiaryEntryData

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
WIDTHS = (1280, 390)
FIRST = date.today() - timedelta(weeks=20)
SECOND = FIRST + timedelta(weeks=13)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def patient_id(clinician: httpx.Client, web_server: WebServer) -> str:
    pid = create_patient(clinician, "Test Diary Browser")
    for when in (FIRST, SECOND):
        assert injection(clinician, pid, when).status_code == 303
    entries = [
        DiaryEntryData(date=FIRST + timedelta(weeks=w), severity=3, benefit_percent=90 - 8 * w)
        for w in range(1, 12)
    ]
    entries.append(
        DiaryEntryData(
            date=SECOND + timedelta(weeks=1),
            severity=4,
            benefit_percent=60,
            side_effects=("trouble-swallowing", "dry-mouth"),
            note="hard to swallow bread",
        )
    )
    _check_ins(web_server, pid, entries)
    return pid


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_the_diary_section_is_shown_fits_and_is_accessible(
    browser: Any, web_server: WebServer, patient_id: str, width: int, screenshot_dir: Path
) -> None:
    context = browser.new_context(base_url=web_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login")
        page.fill("input[name=username]", CLINICIAN[0])
        page.fill("input[name=password]", CLINICIAN[1])
        page.click("button[type=submit]")
        page.wait_for_url("**/patients")
        page.goto(f"/patients/{patient_id}#diary")
        chart = page.locator("#chart-wearing-off")
        assert chart.is_visible()
        assert chart.bounding_box()["width"] <= width
        assert page.locator("#diary-side-effects tr[data-urgent=yes]").count() == 1
        page.locator("#diary").screenshot(path=str(screenshot_dir / f"diary-section-{width}px.png"))
        results = axe_sync.Axe().run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, bad
    finally:
        context.close()
