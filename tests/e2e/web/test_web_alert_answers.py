"""Alerts that earn attention, over real HTTP: each warning links to its form, an alert is
acknowledged or overridden with a coded reason (refused naming the field when incomplete,
409 when the alert changed), audited, quiet until its facts change, and left out of the
"With alerts" list; helpful votes count once; the admin summary and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from web_server import (
    ADMIN,
    WebServer,
    hidden_token,
    new_cervical_patient,
    record_injection,
    sign_in,
)

from dystonia_cds.store.audit import entries_for_patient
from dystonia_cds.store.care_models import AuditEntry
from dystonia_cds.store.database import open_database

pytestmark = pytest.mark.timeout(120)
ALERT_FORM = re.compile(
    r'name="alert_id" value="(?P<alert>[^"]+)">\s*<input type="hidden" name="digest" '
    r'value="(?P<digest>[0-9a-f]{32})">'
)


def create_child(client: httpx.Client, name: str, onset: str = "6") -> str:
    """A 9-year-old with generalized dystonia, no levodopa trial, Wilson disease not excluded."""
    form = client.get("/patients/new")
    data: dict[str, str | list[str]] = {
        "csrf_token": hidden_token(form.text),
        "display_name": name,
        "birth_date": (date.today() - timedelta(days=9 * 365 + 40)).isoformat(),
        "sex": "male",
        "forms": "genetic-torsion-dystonia",
        "regions": ["neck", "trunk", "lower-limb"],
        "onset_age_years": onset,
        "distribution": "generalized",
    }
    response = client.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def digests(html: str) -> dict[str, str]:
    return {m["alert"]: m["digest"] for m in ALERT_FORM.finditer(html)}


def answer(
    client: httpx.Client, patient_id: str, alert_id: str, digest: str, **fields: str
) -> httpx.Response:
    page = client.get(f"/patients/{patient_id}")
    data = {
        "csrf_token": hidden_token(page.text),
        "alert_id": alert_id,
        "digest": digest,
        "outcome": "acknowledged",
        "reason": "already-addressed",
        "comment": "ceruloplasmin ordered",
        **fields,
    }
    return client.post(f"/patients/{patient_id}/alerts", data=data, follow_redirects=False)


def active_alerts(html: str) -> set[str]:
    found = re.search(r'<ul class="alerts" id="active-alerts">(.*?)</ul>', html, re.S)
    return set(re.findall(r'data-alert-id="([^"]+)"', found.group(1))) if found else set()


def test_each_warning_links_to_the_form_that_does_what_it_asks(clinician: httpx.Client) -> None:
    patient_id = create_child(clinician, "Links Child Omicron")
    page = clinician.get(f"/patients/{patient_id}").text
    assert {"levodopa-trial-missing", "wilson-disease-screen"} <= active_alerts(page)
    actions = set(re.findall(r'href="([^"]+)" data-alert-action="([^"]+)"', page))
    assert (f"/patients/{patient_id}/trials/new", "levodopa-trial-missing") in actions
    assert (f"/patients/{patient_id}/edit", "wilson-disease-screen") in actions
    for href, _ in actions:
        if not href.startswith("#"):
            assert clinician.get(href).status_code == 200


def test_an_acknowledged_alert_is_quiet_audited_and_returns_when_its_facts_change(
    clinician: httpx.Client, web_server: WebServer
) -> None:
    patient_id = create_child(clinician, "Acknowledge Child Omicron")
    digest = digests(clinician.get(f"/patients/{patient_id}").text)["wilson-disease-screen"]
    saved = answer(clinician, patient_id, "wilson-disease-screen", digest)
    assert saved.status_code == 303
    again = answer(clinician, patient_id, "wilson-disease-screen", digest, outcome="overridden")
    assert again.status_code == 303  # the same alert answered twice: the first answer stands
    page = clinician.get(f"/patients/{patient_id}").text
    assert "wilson-disease-screen" not in active_alerts(page)
    assert 'data-answered="acknowledged"' in page
    assert "ceruloplasmin ordered" in page
    sessions = open_database(web_server.database_url)
    with sessions() as s:
        actions = [e.action for e in entries_for_patient(s, patient_id)]
    sessions.kw["bind"].dispose()
    assert actions.count("web.alert.acknowledged") == 1
    assert "web.alert.overridden" not in actions
    edit = clinician.get(f"/patients/{patient_id}/edit")
    data = {
        "csrf_token": hidden_token(edit.text),
        "display_name": "Acknowledge Child Omicron",
        "birth_date": (date.today() - timedelta(days=9 * 365 + 40)).isoformat(),
        "sex": "male",
        "forms": "genetic-torsion-dystonia",
        "regions": ["neck", "trunk", "lower-limb"],
        "onset_age_years": "5",
        "distribution": "generalized",
    }
    assert clinician.post(f"/patients/{patient_id}/edit", data=data).status_code == 200
    page = clinician.get(f"/patients/{patient_id}").text
    assert "wilson-disease-screen" in active_alerts(page)


def test_an_incomplete_answer_is_refused_naming_the_field_and_nothing_is_stored(
    clinician: httpx.Client,
) -> None:
    patient_id = create_child(clinician, "Refused Child Omicron")
    digest = digests(clinician.get(f"/patients/{patient_id}").text)["wilson-disease-screen"]
    refused = answer(clinician, patient_id, "wilson-disease-screen", digest, reason="")
    assert refused.status_code == 422
    assert "reason" in refused.text
    odd = answer(clinician, patient_id, "wilson-disease-screen", digest, outcome="snoozed")
    assert odd.status_code == 422
    assert "outcome" in odd.text
    stale = answer(clinician, patient_id, "wilson-disease-screen", "0" * 32)
    assert stale.status_code == 409
    info = answer(clinician, patient_id, "genetic-testing", digest)
    assert info.status_code == 409
    page = clinician.get(f"/patients/{patient_id}").text
    assert "wilson-disease-screen" in active_alerts(page)
    assert "data-answered" not in page


def test_the_alerts_list_leaves_out_patients_whose_alerts_were_all_answered(
    clinician: httpx.Client,
) -> None:
    patient_id = create_child(clinician, "Answered Child Sigma")
    create_child(clinician, "Waiting Child Sigma")
    for alert_id, digest in digests(clinician.get(f"/patients/{patient_id}").text).items():
        assert (
            answer(clinician, patient_id, alert_id, digest, outcome="overridden").status_code == 303
        )
    listed = clinician.get("/patients", params={"q": "sigma", "filter": "alerts"}).text
    assert "Waiting Child Sigma" in listed
    assert "Answered Child Sigma" not in listed
    assert "No levodopa trial on record" in listed  # a title, not the alert id, is shown


def test_an_injection_inside_the_window_is_a_warning_in_the_form_and_context_on_the_page(
    clinician: httpx.Client,
) -> None:
    patient_id = new_cervical_patient(clinician, "Window Tau")
    for when, expected in ((date.today() - timedelta(days=30), 303), (date.today(), 409)):
        form = clinician.get(f"/patients/{patient_id}/injections/new")
        visit = {
            "csrf_token": hidden_token(form.text),
            "date": when.isoformat(),
            "product": "onabotulinumtoxinA",
            "indication": "cervical-dystonia",
            "muscle-0": "sternocleidomastoid",
            "side-0": "left",
            "units-0": "50",
        }
        response = clinician.post(
            f"/patients/{patient_id}/injections/new", data=visit, follow_redirects=False
        )
        assert response.status_code == expected
    assert 'class="alert warning" data-check-id="botulinum-toxin-too-soon"' in response.text
    page = clinician.get(f"/patients/{patient_id}").text
    panel = page.split('id="injection-window"', 1)[1].split("</section>", 1)[0]
    assert "next window opens" in panel
    assert "botulinum-toxin-too-soon" not in active_alerts(page)


def test_a_second_vote_changes_the_first_and_the_admin_sees_titles_and_a_csv(
    clinician: httpx.Client, web_server: WebServer
) -> None:
    patient_id = create_child(clinician, "Vote Child Upsilon")
    for helpful in ("yes", "no"):
        page = clinician.get(f"/patients/{patient_id}")
        data = {
            "csrf_token": hidden_token(page.text),
            "option_id": "levodopa-trial",
            "helpful": helpful,
        }
        clinician.post(f"/patients/{patient_id}/feedback", data=data)
    page = clinician.get(f"/patients/{patient_id}").text
    assert "Your answer: not helpful" in page
    assert clinician.get("/admin/feedback.csv").status_code == 403
    with httpx.Client(base_url=web_server.url, timeout=30.0, follow_redirects=True) as admin:
        sign_in(admin, *ADMIN)
        summary = admin.get("/admin/feedback").text
        export = admin.get("/admin/feedback.csv")
    assert "Vote Child Upsilon" in summary
    assert export.headers["content-type"].startswith("text/csv")
    rows = [r for r in csv.reader(io.StringIO(export.text)) if r[2] == "Vote Child Upsilon"]
    votes = [r for r in rows if r[4] == "helpful vote"]
    assert len(votes) == 1
    assert votes[0][5] == "not helpful"
    assert patient_id not in export.text
    sessions = open_database(web_server.database_url)
    with sessions() as s:
        exports = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "web.admin.feedback-export")
        ).all()
    sessions.kw["bind"].dispose()
    assert [e.actor for e in exports][-1:] == [f"web:{ADMIN[0]}"]


def test_an_overdue_session_is_a_warning_in_the_panel_with_its_action_and_a_pointer_on_top(
    clinician: httpx.Client,
) -> None:
    patient_id = new_cervical_patient(clinician, "Overdue Phi")
    twenty_weeks_ago = (date.today() - timedelta(weeks=20)).isoformat()
    assert record_injection(clinician, patient_id, twenty_weeks_ago).status_code == 200
    page = clinician.get(f"/patients/{patient_id}").text
    panel = page.split('id="injection-window"', 1)[1].split("</section>", 1)[0]
    assert '<span class="badge warning">overdue</span>' in panel
    assert 'data-alert-action="botulinum-toxin-overdue"' in panel
    assert f'href="/patients/{patient_id}/injections/new"' in panel
    top = page.split('id="alerts-h"', 1)[1].split("</section>", 1)[0]
    assert 'href="#injection-window">Botulinum toxin: session overdue</a>' in top
