"""The clinician's patient page shows the patient's diary: the wearing-off chart across toxin
cycles and the reported side effects (urgent ones marked), over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from test_web_pages import create_patient, injection
from web_server import WebServer

from dystonia_cds.store.database import open_database
from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository

pytestmark = pytest.mark.timeout(120)
FIRST = date.today() - timedelta(weeks=20)
SECOND = FIRST + timedelta(weeks=13)


def _check_ins(server: WebServer, patient_id: str, entries: list[DiaryEntryData]) -> None:
    sessions = open_database(server.database_url)
    try:
        with sessions.begin() as session:
            for entry in entries:
                DiaryRepository(session).add(patient_id, entry)
    finally:
        sessions.kw["bind"].dispose()


def test_the_patient_page_shows_the_wearing_off_chart_and_reported_side_effects(
    clinician: httpx.Client, web_server: WebServer
) -> None:
    pid = create_patient(clinician, "Test Diary Page")
    for when in (FIRST, SECOND):
        assert injection(clinician, pid, when).status_code == 303
    _check_ins(
        web_server,
        pid,
        [
            DiaryEntryData(date=FIRST + timedelta(weeks=2), severity=3, benefit_percent=80),
            DiaryEntryData(date=FIRST + timedelta(weeks=10), severity=7, benefit_percent=20),
            DiaryEntryData(
                date=SECOND + timedelta(weeks=1),
                severity=4,
                benefit_percent=50,
                side_effects=("trouble-swallowing",),
                note="soup only <b>",
            ),
        ],
    )
    page = clinician.get(f"/patients/{pid}")
    assert page.status_code == 200
    html = page.text
    assert 'id="chart-wearing-off"' in html
    assert 'data-cycles="2"' in html
    assert "3 weekly check-ins" in html
    assert 'data-urgent="yes"' in html
    assert "trouble swallowing" in html
    assert "soup only &lt;b&gt;" in html


def test_a_patient_without_check_ins_says_so(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Test Diary Empty")
    assert "No diary check-ins yet" in clinician.get(f"/patients/{pid}").text
