"""`GET /api/patients/{id}/diary` over HTTP: the clinician gets the check-ins newest first in
the contract's shape; no token, a patient's browser session or an unknown patient get none."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from care_api_server import Server

from dystonia_cds.api.diary import SESSION_COOKIE
from dystonia_cds.store.database import open_database
from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository
from dystonia_cds.web.auth import SESSION_COOKIE as WEB_SESSION_COOKIE

TODAY = date.today()
KEYS = {"id", "date", "severity", "benefit_percent", "side_effects", "note"}


def _patient(api: httpx.Client) -> str:
    body = {"birth_date": "1975-02-03", "sex": "female", "display_name": "Test Diary"}
    return str(api.post("/api/patients", json=body).json()["id"])


def _check_in(server: Server, patient_id: str, data: DiaryEntryData) -> int:
    sessions = open_database(server.database_url)
    try:
        with sessions.begin() as session:
            return DiaryRepository(session).add(patient_id, data)
    finally:
        sessions.kw["bind"].dispose()


def test_the_clinician_gets_the_diary_newest_first_in_the_contract_shape(
    api: httpx.Client, server: Server
) -> None:
    pid = _patient(api)
    older = DiaryEntryData(date=TODAY - timedelta(days=7), severity=6)
    newer = DiaryEntryData(
        date=TODAY, severity=3, benefit_percent=70, side_effects=("dry-mouth",), note="ok"
    )
    _check_in(server, pid, older)
    newest_id = _check_in(server, pid, newer)
    response = api.get(f"/api/patients/{pid}/diary")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [set(e) for e in body] == [KEYS, KEYS]
    assert body[0] == {
        "id": newest_id,
        "date": TODAY.isoformat(),
        "severity": 3,
        "benefit_percent": 70,
        "side_effects": ["dry-mouth"],
        "note": "ok",
    }
    assert body[1]["benefit_percent"] is None
    assert body[1]["date"] == (TODAY - timedelta(days=7)).isoformat()


def test_a_patient_without_check_ins_has_an_empty_diary(api: httpx.Client) -> None:
    assert api.get(f"/api/patients/{_patient(api)}/diary").json() == []


def test_an_unknown_patient_is_404(api: httpx.Client) -> None:
    assert api.get("/api/patients/no-such-patient/diary").status_code == 404


def test_a_browser_session_without_a_token_is_403(api: httpx.Client, server: Server) -> None:
    pid = _patient(api)
    _check_in(server, pid, DiaryEntryData(date=TODAY, severity=4, note="private"))
    with httpx.Client(base_url=server.url, cookies={SESSION_COOKIE: "patient-session"}) as web:
        response = web.get(f"/api/patients/{pid}/diary")
    assert response.status_code == 403
    assert "private" not in response.text


def test_no_token_is_401(server: Server, api: httpx.Client) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get(f"/api/patients/{_patient(api)}/diary").status_code == 401


def test_the_api_refuses_the_web_apps_own_session_cookie() -> None:
    assert SESSION_COOKIE == WEB_SESSION_COOKIE


def test_the_diary_survives_a_fhir_export_and_import(api: httpx.Client, server: Server) -> None:
    pid = _patient(api)
    _check_in(server, pid, DiaryEntryData(date=TODAY - timedelta(days=7), severity=6))
    entry = DiaryEntryData(
        date=TODAY,
        severity=2,
        benefit_percent=80,
        side_effects=("trouble-swallowing", "neck-weakness"),
        note="hard to swallow bread",
    )
    _check_in(server, pid, entry)
    bundle = api.get(f"/api/patients/{pid}/fhir").json()
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types.count("QuestionnaireResponse") == 2
    assert types.count("Questionnaire") == 1
    imported = api.post("/api/patients/import", json=bundle)
    assert imported.status_code == 201, imported.text
    assert imported.json()["unrecognized"] == []
    before = api.get(f"/api/patients/{pid}/diary").json()
    after = api.get(f"/api/patients/{imported.json()['id']}/diary").json()
    assert [{**e, "id": 0} for e in after] == [{**e, "id": 0} for e in before]


def test_an_imported_check_in_with_a_control_character_is_refused_naming_it(
    api: httpx.Client, server: Server
) -> None:
    pid = _patient(api)
    _check_in(server, pid, DiaryEntryData(date=TODAY, severity=2, note="fine"))
    bundle = api.get(f"/api/patients/{pid}/fhir").json()
    for e in bundle["entry"]:
        if e["resource"]["resourceType"] == "QuestionnaireResponse":
            e["resource"]["item"][-1]["answer"] = [{"valueString": "bell\u0007"}]
    response = api.post("/api/patients/import", json=bundle)
    assert response.status_code == 422
    assert "QuestionnaireResponse/diary-entry-" in response.text
    assert "note" in response.text
