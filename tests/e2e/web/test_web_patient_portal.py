"""The patient companion over HTTP on a real server (issue 13): invitations (API and patient
page), first sign-in, the /my pages, the weekly check-in, feedback, revoking access, and that a
patient account reaches only its own patient: every clinician page and every /api route
answers 403 or 404 to a patient session, tried with another patient's id (no IDOR).
Synthetic data only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_server import WebServer, hidden_token

from dystonia_cds.app import create_app
from dystonia_cds.config import Settings
from dystonia_cds.store.database import open_database
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.store.tokens import create_token

PASSWORD = "patient-pass-1"


def _patient(server: WebServer, name: str) -> str:
    sessions = open_database(server.database_url)
    with sessions.begin() as session:
        from datetime import date

        pid = CareRepository(session).add_patient(
            birth_date=date(1975, 3, 1), sex="female", display_name=name
        )
    sessions.kw["bind"].dispose()
    return pid


def _api_token(server: WebServer) -> str:
    sessions = open_database(server.database_url)
    with sessions.begin() as session:
        token = create_token(session, f"portal-test-{datetime.now(UTC).timestamp()}")
    sessions.kw["bind"].dispose()
    return token


def _invite(server: WebServer, patient_id: str) -> str:
    token = _api_token(server)
    response = httpx.post(
        f"{server.url}/api/patients/{patient_id}/invitations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["url"])


def _join(server: WebServer, url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30.0, follow_redirects=True)
    response = client.post(
        url,
        data={"username": username, "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert response.status_code == 200, response.text
    assert str(response.url).endswith("/my")
    return client


@pytest.fixture(scope="module")
def two(web_server: WebServer) -> Iterator[tuple[str, str, httpx.Client]]:
    """Two patients; a signed-in client of the first patient's account."""
    own = _patient(web_server, "Portal Patient One")
    other = _patient(web_server, "Portal Patient Two")
    client = _join(web_server, _invite(web_server, own), "portal-one")
    yield own, other, client
    client.close()


def test_the_api_answers_an_absolute_one_time_link_valid_for_seven_days(
    web_server: WebServer,
) -> None:
    pid = _patient(web_server, "Portal Patient Link")
    token = _api_token(web_server)
    response = httpx.post(
        f"{web_server.url}/api/patients/{pid}/invitations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith(f"{web_server.url}/invitation/")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    form = httpx.get(body["url"])
    for name in ("username", "password", "password_confirm"):
        assert f'name="{name}"' in form.text


def test_the_api_refuses_an_unknown_patient_and_a_missing_token(web_server: WebServer) -> None:
    token = _api_token(web_server)
    unknown = httpx.post(
        f"{web_server.url}/api/patients/no-such-patient/invitations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert unknown.status_code == 404
    pid = _patient(web_server, "Portal Patient Tokenless")
    assert httpx.post(f"{web_server.url}/api/patients/{pid}/invitations").status_code == 401


def test_an_invitation_signs_the_patient_in_once_and_then_no_more(web_server: WebServer) -> None:
    pid = _patient(web_server, "Portal Patient Once")
    url = _invite(web_server, pid)
    client = _join(web_server, url, "portal-once")
    home = client.get("/my")
    assert "Portal Patient Once" in home.text
    assert "supports, and does not replace, your clinician" in home.text
    again = httpx.post(
        url, data={"username": "portal-twice", "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert again.status_code == 404
    client.close()


def test_a_mismatched_password_is_refused_naming_the_field(web_server: WebServer) -> None:
    url = _invite(web_server, _patient(web_server, "Portal Patient Typo"))
    response = httpx.post(
        url,
        data={"username": "portal-typo", "password": PASSWORD, "password_confirm": "other-pass-9"},
    )
    assert response.status_code == 400
    assert 'id="password_confirm-error"' in response.text
    assert httpx.get(url).status_code == 200  # the link still works


def test_the_patient_signs_in_later_at_login_and_lands_on_my(
    web_server: WebServer, two: tuple[str, str, httpx.Client]
) -> None:
    with httpx.Client(base_url=web_server.url, follow_redirects=True) as client:
        token = hidden_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": "portal-one", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 200
        assert str(response.url).endswith("/my")


@pytest.mark.parametrize("path", ["/my", "/my/treatment", "/my/side-effects", "/my/check-in"])
def test_each_my_page_has_the_notice_the_clinic_and_the_feedback_box(
    path: str, two: tuple[str, str, httpx.Client]
) -> None:
    page = two[2].get(path)
    assert page.status_code == 200
    assert "This information supports, and does not replace, your clinician" in page.text
    assert "Was this page helpful?" in page.text
    assert "Report an error" in page.text
    assert "Movement disorders clinic" in page.text


def test_the_side_effects_page_says_trouble_swallowing_or_breathing_is_urgent(
    two: tuple[str, str, httpx.Client],
) -> None:
    page = two[2].get("/my/side-effects").text
    urgent = re.search(r'class="card urgent".*?</section>', page, re.S)
    assert urgent is not None
    assert "trouble swallowing, trouble breathing" in urgent.group(0)
    assert "right away" in urgent.group(0)


def test_a_check_in_is_saved_and_listed_with_its_id(two: tuple[str, str, httpx.Client]) -> None:
    client = two[2]
    form = client.get("/my/check-in").text
    for name in ("severity", "benefit_percent", "side_effects", "note"):
        assert f'name="{name}"' in form
    response = client.post(
        "/my/check-in",
        data={
            "csrf_token": hidden_token(form),
            "severity": "6",
            "benefit_percent": "40",
            "side_effects": ["dry-mouth", "voice-change"],
            "note": "Worse in the evening",
        },
    )
    assert response.status_code == 200
    entry = re.search(r'data-diary-entry="(\d+)"', response.text)
    assert entry is not None
    assert "Dry mouth" in response.text
    assert "Your check-in was saved" in response.text
    edit = client.get(f"/my/check-in?entry={entry.group(1)}")
    assert edit.status_code == 200
    assert 'value="6"' in edit.text


@pytest.mark.parametrize(
    ("field", "value"), [("severity", "11"), ("benefit_percent", "-5"), ("side_effects", "x")]
)
def test_a_bad_check_in_answers_400_naming_the_field_and_stores_nothing(
    field: str, value: str, two: tuple[str, str, httpx.Client]
) -> None:
    client = two[2]
    before = client.get("/my").text.count("data-diary-entry=")
    data = {"severity": "3", "benefit_percent": "50", field: value}
    form = client.get("/my/check-in").text
    response = client.post("/my/check-in", data={**data, "csrf_token": hidden_token(form)})
    assert response.status_code == 400
    assert f'href="#{field}"' in response.text
    assert client.get("/my").text.count("data-diary-entry=") == before


def test_a_check_in_without_the_csrf_token_is_refused(two: tuple[str, str, httpx.Client]) -> None:
    response = two[2].post("/my/check-in", data={"severity": "3"})
    assert response.status_code == 403


def test_feedback_on_a_my_page_is_stored_with_the_clinician_feedback(
    web_server: WebServer, two: tuple[str, str, httpx.Client]
) -> None:
    from sqlalchemy import select

    from dystonia_cds.store.account_models import RecommendationFeedback

    client = two[2]
    token = hidden_token(client.get("/my/treatment").text)
    done = client.post(
        "/my/feedback",
        data={"csrf_token": token, "page": "treatment", "error_text": "A typo in the text"},
    )
    assert done.status_code == 200
    sessions = open_database(web_server.database_url)
    with sessions() as session:
        rows = session.scalars(
            select(RecommendationFeedback).where(RecommendationFeedback.patient_id == two[0])
        ).all()
    sessions.kw["bind"].dispose()
    assert [(r.option_id, r.kind, r.text) for r in rows] == [
        ("my-treatment", "error", "A typo in the text")
    ]


def _endpoints(routes: Iterable[Any]) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every endpoint, through included routers at any depth."""
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if nested is not None:
            yield from _endpoints(nested())
        elif getattr(route, "methods", None) and getattr(route, "path", None):
            yield route.path, set(route.methods)


def _route_cases(tmp_path: Path) -> list[tuple[str, str]]:
    """(method, path) of every route of the app outside the patient's own pages."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'routes.sqlite'}"))
    cases = set()
    for path, methods in _endpoints(app.routes):
        if path.startswith(("/my", "/invitation/", "/login", "/logout")):
            continue
        cases.update((m, path) for m in methods - {"HEAD"})
    return sorted(cases)


def _fill(path: str, other: str) -> str:
    path = path.replace("{patient_id}", other).replace("{id}", other)
    return re.sub(r"\{[^}]+\}", "1", path)


def test_a_patient_session_reaches_no_other_route_of_the_app(
    tmp_path: Path, two: tuple[str, str, httpx.Client]
) -> None:
    own, other, client = two
    cases = _route_cases(tmp_path)
    assert len(cases) > 40
    allowed = []
    for method, path in cases:
        for pid in (other, own):
            url = _fill(path, pid)
            response = client.request(method, url, follow_redirects=False)
            home = path == "/" and response.headers.get("location") == "/my"
            if response.status_code not in (403, 404) and not home:
                allowed.append((method, url, response.status_code))
            assert "Portal Patient Two" not in response.text
    assert allowed == []


def test_my_pages_never_show_another_patient(two: tuple[str, str, httpx.Client]) -> None:
    _own, other, client = two
    for path in ("/my", "/my/treatment", "/my/side-effects", "/my/check-in"):
        for query in (f"?patient_id={other}", f"?id={other}"):
            page = client.get(path + query).text
            assert "Portal Patient Two" not in page
            assert other not in page


def test_a_patient_cannot_change_another_patients_check_in(
    web_server: WebServer, two: tuple[str, str, httpx.Client]
) -> None:
    from datetime import date

    from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository

    _own, other, client = two
    sessions = open_database(web_server.database_url)
    with sessions.begin() as session:
        theirs = DiaryRepository(session).add(other, DiaryEntryData(date=date.today(), severity=2))
    sessions.kw["bind"].dispose()
    assert client.get(f"/my/check-in?entry={theirs}").status_code == 404
    form = client.get("/my/check-in").text
    response = client.post(
        "/my/check-in",
        data={"csrf_token": hidden_token(form), "entry": str(theirs), "severity": "9"},
    )
    assert response.status_code == 400


def test_the_clinician_invites_from_the_patient_page_and_revokes_access(
    web_server: WebServer, clinician: httpx.Client
) -> None:
    pid = _patient(web_server, "Portal Patient Revoked")
    page = clinician.get(f"/patients/{pid}").text
    assert "Invite the patient" in page
    response = clinician.post(
        f"/patients/{pid}/invitations", data={"csrf_token": hidden_token(page)}
    )
    assert response.status_code == 201
    link = re.search(r'value="([^"]+)" data-invitation-url', response.text)
    assert link is not None
    patient = _join(web_server, link.group(1), "portal-revoked")
    assert patient.get("/my").status_code == 200
    access = clinician.get(f"/patients/{pid}/access").text
    assert "portal-revoked" in access
    clinician.post(f"/patients/{pid}/access/revoke", data={"csrf_token": hidden_token(access)})
    after = patient.get("/my")
    assert str(after.url).startswith(f"{web_server.url}/login")
    patient.close()


def _visible_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'<details class="sources">.*?</details>', " ", main, flags=re.S)  # citations
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("path", ["/my", "/my/treatment", "/my/side-effects", "/my/check-in"])
def test_each_my_page_reads_at_grade_8_or_below(
    path: str, two: tuple[str, str, httpx.Client]
) -> None:
    import textstat

    text = _visible_text(two[2].get(path).text)
    assert len(text.split()) > 40
    assert textstat.flesch_kincaid_grade(text) <= 8.0, text


def test_a_clinician_is_refused_on_the_patients_own_pages(clinician: httpx.Client) -> None:
    for path in ("/my", "/my/treatment", "/my/check-in"):
        response = clinician.get(path)
        assert response.status_code == 403
        assert "These pages are for patients." in response.text


def test_a_cross_site_post_of_an_invitation_is_refused_and_leaves_the_link_open(
    web_server: WebServer,
) -> None:
    url = _invite(web_server, _patient(web_server, "Portal Patient Cross Site"))
    data = {"username": "portal-cross", "password": PASSWORD, "password_confirm": PASSWORD}
    refused = httpx.post(url, data=data, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "dcds_session" not in refused.cookies
    fetched = httpx.post(url, data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    same = httpx.post(url, data=data, headers={"Origin": web_server.url})
    assert same.status_code == 303
    assert same.headers["location"] == "/my"


def test_the_treatment_page_names_the_sources_of_each_option(
    web_server: WebServer, clinician: httpx.Client
) -> None:
    form = clinician.get("/patients/new")
    response = clinician.post(
        "/patients/new",
        data={
            "csrf_token": hidden_token(form.text),
            "display_name": "Portal Patient Neck",
            "birth_date": "1970-01-01",
            "sex": "female",
            "forms": "cervical-dystonia",
            "regions": ["neck"],
            "distribution": "focal",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    pid = response.headers["location"].rsplit("/", 1)[1]
    patient = _join(web_server, _invite(web_server, pid), "portal-neck")
    page = patient.get("/my/treatment").text
    patient.close()
    assert 'data-option-id="botulinum-toxin"' in page
    toxin = page[page.index('data-option-id="botulinum-toxin"') :]
    toxin = toxin[: toxin.index("</section>")]
    assert "Where this comes from" in toxin
    assert re.search(r"<li>[^<]{10,}</li>", toxin)


def test_an_over_long_error_report_is_refused_and_stores_nothing(
    web_server: WebServer, two: tuple[str, str, httpx.Client]
) -> None:
    client = two[2]
    token = hidden_token(client.get("/my/side-effects").text)
    response = client.post(
        "/my/feedback",
        data={"csrf_token": token, "page": "side-effects", "error_text": "x" * 2001},
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in response.text
    sessions = open_database(web_server.database_url)
    with sessions() as session:
        from sqlalchemy import select

        from dystonia_cds.store.account_models import RecommendationFeedback

        stored = session.scalars(
            select(RecommendationFeedback.id).where(
                RecommendationFeedback.option_id == "my-side-effects",
                RecommendationFeedback.patient_id == two[0],
            )
        ).all()
    sessions.kw["bind"].dispose()
    assert stored == []


def test_the_patient_downloads_their_own_calendar_reminders(
    two: tuple[str, str, httpx.Client],
) -> None:
    own, other, client = two
    assert 'href="/my/reminders.ics"' in client.get("/my").text
    response = client.get(f"/my/reminders.ics?patient_id={other}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text
    assert "RRULE:FREQ=WEEKLY" in response.text
    assert other not in response.text
    assert own not in response.text
