"""Web app pages over real HTTP: list filters, drugs and the acute-reaction alert, the
injection interval warning before saving, scale entry, audit of patient reads, handout PDF."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from web_server import WebServer, hidden_token

from dystonia_cds.store.audit import entries_for_patient
from dystonia_cds.store.database import open_database

pytestmark = pytest.mark.timeout(120)


def create_patient(client: httpx.Client, name: str, **fields: str | list[str]) -> str:
    form = client.get("/patients/new")
    data: dict[str, str | list[str]] = {
        "csrf_token": hidden_token(form.text),
        "display_name": name,
        "birth_date": "1975-02-03",
        "sex": "female",
        "forms": "cervical-dystonia",
        "regions": "neck",
        "onset_age_years": "45",
        "distribution": "focal",
        "findings": "wilson-disease-excluded",
    }
    data.update(fields)
    response = client.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def injection(client: httpx.Client, patient_id: str, when: date, **extra: str) -> httpx.Response:
    form = client.get(f"/patients/{patient_id}/injections/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "date": when.isoformat(),
        "product": "onabotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscle-0": "sternocleidomastoid",
        "side-0": "left",
        "units-0": "50",
        "muscle-1": "splenius-capitis",
        "side-1": "right",
        "units-1": "70",
        **extra,
    }
    return client.post(f"/patients/{patient_id}/injections/new", data=data, follow_redirects=False)


def alerts(html: str) -> set[str]:
    return set(re.findall(r'data-alert-id="([^"]+)"', html))


def test_a_second_injection_too_soon_needs_confirmation_and_is_not_saved_before(
    clinician: httpx.Client,
) -> None:
    patient_id = create_patient(clinician, "Interval Warning")
    assert injection(clinician, patient_id, date.today() - timedelta(days=30)).status_code == 303
    refused = injection(clinician, patient_id, date.today())
    assert refused.status_code == 409
    assert 'data-check-id="botulinum-toxin-too-soon"' in refused.text
    assert 'value="70"' in refused.text
    page = clinician.get(f"/patients/{patient_id}").text
    assert page.count('data-kind="injection"') == 1
    confirmed = injection(clinician, patient_id, date.today(), confirm_warnings="on")
    assert confirmed.status_code == 303
    page = clinician.get(f"/patients/{patient_id}").text
    assert page.count('data-kind="injection"') == 2
    assert "120 U" in page
    assert "botulinum-toxin-too-soon" in alerts(page)


def test_preview_returns_the_checks_as_json_and_needs_the_csrf_header(
    clinician: httpx.Client,
) -> None:
    patient_id = create_patient(clinician, "Preview Checks")
    assert injection(clinician, patient_id, date.today() - timedelta(days=20)).status_code == 303
    token = re.search(r'name="csrf-token" content="([^"]+)"', clinician.get("/patients").text)
    assert token
    data = {
        "date": date.today().isoformat(),
        "product": "onabotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscle-0": "sternocleidomastoid",
        "side-0": "left",
        "units-0": "450",
    }
    path = f"/patients/{patient_id}/injections/preview"
    assert clinician.post(path, data=data).status_code == 403
    result = clinician.post(path, data=data, headers={"x-csrf-token": token.group(1)}).json()
    ids = {c["id"] for c in result["checks"]}
    assert "botulinum-toxin-too-soon" in ids
    assert "botulinum-toxin-dose-above-label-max" in ids
    assert result["total"] == 450


def test_preview_shows_a_contraindication_from_the_patients_conditions(
    clinician: httpx.Client,
) -> None:
    patient_id = create_patient(
        clinician, "Preview Infection", conditions="injection-site-infection"
    )
    token = re.search(r'name="csrf-token" content="([^"]+)"', clinician.get("/patients").text)
    assert token
    data = {
        "date": date.today().isoformat(),
        "product": "onabotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscle-0": "sternocleidomastoid",
        "side-0": "left",
        "units-0": "40",
    }
    path = f"/patients/{patient_id}/injections/preview"
    result = clinician.post(path, data=data, headers={"x-csrf-token": token.group(1)}).json()
    checks = {c["id"]: c for c in result["checks"]}
    assert checks["botulinum-toxin-contraindicated"]["severity"] == "critical"


def test_due_filter_lists_only_patients_past_twelve_weeks(clinician: httpx.Client) -> None:
    due = create_patient(clinician, "Due Patient Zeta")
    recent = create_patient(clinician, "Recent Patient Zeta")
    injection(clinician, due, date.today() - timedelta(days=100))
    injection(clinician, recent, date.today() - timedelta(days=10))
    listed = clinician.get("/patients", params={"q": "zeta", "filter": "due"}).text
    assert "Due Patient Zeta" in listed
    assert "Recent Patient Zeta" not in listed
    everyone = clinician.get("/patients", params={"q": "zeta"}).text
    assert "Recent Patient Zeta" in everyone


def test_alerts_filter_lists_patients_with_an_alert(clinician: httpx.Client) -> None:
    create_patient(clinician, "Quiet Patient Kappa")
    child_birth = (date.today() - timedelta(days=9 * 365)).isoformat()
    create_patient(
        clinician,
        "Child Patient Kappa",
        birth_date=child_birth,
        forms="genetic-torsion-dystonia",
        regions=["neck", "trunk", "lower-limb"],
        onset_age_years="6",
        distribution="generalized",
        findings=[],
    )
    listed = clinician.get("/patients", params={"q": "kappa", "filter": "alerts"}).text
    assert "Child Patient Kappa" in listed
    assert "levodopa-trial-missing" in listed
    assert "Quiet Patient Kappa" not in listed


def test_a_recent_dopamine_blocker_brings_the_acute_reaction_alert(clinician: httpx.Client) -> None:
    patient_id = create_patient(
        clinician, "Acute Reaction", forms="acute-drug-induced-dystonia", onset_age_years=""
    )
    form = clinician.get(f"/patients/{patient_id}/medications/new")
    response = clinician.post(
        f"/patients/{patient_id}/medications/new",
        data={
            "csrf_token": hidden_token(form.text),
            "ingredient": "haloperidol",
            "start": (date.today() - timedelta(days=1)).isoformat(),
            "active": "on",
            "route": "oral",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = clinician.get(f"/patients/{patient_id}").text
    assert "acute-dystonic-reaction" in alerts(page)
    assert re.search(r'data-option-id="(diphenhydramine|benztropine)"', page)


def test_a_medication_with_an_unknown_drug_is_refused(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Unknown Drug")
    form = clinician.get(f"/patients/{patient_id}/medications/new")
    response = clinician.post(
        f"/patients/{patient_id}/medications/new",
        data={"csrf_token": hidden_token(form.text), "ingredient": "snake-oil"},
    )
    assert response.status_code == 422
    assert 'id="ingredient-error"' in response.text


def test_trial_with_end_before_start_is_refused_and_nothing_saved(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Bad Trial")
    form = clinician.get(f"/patients/{patient_id}/trials/new")
    response = clinician.post(
        f"/patients/{patient_id}/trials/new",
        data={
            "csrf_token": hidden_token(form.text),
            "treatment": "baclofen",
            "start": "2024-05-01",
            "end": "2024-01-01",
            "note": "kept <b>as typed</b>",
        },
    )
    assert response.status_code == 422
    assert 'id="end-error"' in response.text
    assert "kept &lt;b&gt;as typed&lt;/b&gt;" in response.text
    assert 'data-kind="trial"' not in clinician.get(f"/patients/{patient_id}").text


@pytest.mark.parametrize("scale", ["twstrs", "bfmdrs", "jrs"])
def test_each_scale_is_scored_and_charted(clinician: httpx.Client, scale: str) -> None:
    patient_id = create_patient(clinician, f"Scale {scale}")
    form = clinician.get(f"/patients/{patient_id}/assessments/new", params={"scale": scale})
    keys = re.findall(r'data-key="([a-z0-9_]+)"', form.text)
    assert keys
    data = {"csrf_token": hidden_token(form.text), "scale": scale, "date": "2025-06-01"}
    data.update({f"item-{k}": "1" for k in keys})
    response = clinician.post(
        f"/patients/{patient_id}/assessments/new", data=data, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = clinician.get(f"/patients/{patient_id}").text
    assert f'id="chart-{scale}"' in page
    assert 'data-kind="assessment"' in page


def test_patient_reads_and_writes_are_audited(
    web_server: WebServer, clinician: httpx.Client
) -> None:
    patient_id = create_patient(clinician, "Audited")
    clinician.get(f"/patients/{patient_id}")
    sessions = open_database(web_server.database_url)
    try:
        with sessions() as session:
            actions = [(e.actor, e.action) for e in entries_for_patient(session, patient_id)]
    finally:
        sessions.kw["bind"].dispose()
    assert ("web:clin", "web.patient.create") in actions
    assert ("web:clin", "web.patient.read") in actions


def test_handout_pdf_is_a_pdf_with_the_options(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Handout PDF")
    response = clinician.get(f"/patients/{patient_id}/handout.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = clinician.get(f"/patients/{patient_id}/handout").text
    assert "every 12 to 16 weeks" in page
    assert "not a substitute for clinical judgment" in page


def test_edit_keeps_the_phenotype_and_changes_it(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Edit Me")
    form = clinician.get(f"/patients/{patient_id}/edit").text
    assert 'value="neck" checked' in form
    assert 'value="cervical-dystonia" checked' in form
    response = clinician.post(
        f"/patients/{patient_id}/edit",
        data={
            "csrf_token": hidden_token(form),
            "display_name": "Edited Name",
            "birth_date": "1975-02-03",
            "sex": "female",
            "forms": "blepharospasm",
            "regions": "eyes",
            "onset_age_years": "50",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = clinician.get(f"/patients/{patient_id}").text
    assert "Edited Name" in page
    assert "Blepharospasm" in page


def test_handout_explains_only_the_options_the_clinician_ticks(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Handout Choice")
    page = clinician.get(f"/patients/{patient_id}/handout").text
    choices = re.findall(r'name="o" value="([^"]+)"', page)
    assert "botulinum-toxin" in choices
    chosen = clinician.get(f"/patients/{patient_id}/handout", params={"o": "botulinum-toxin"}).text
    sections = re.findall(r'<section data-option-id="([^"]+)"', chosen)
    assert sections == ["botulinum-toxin"]
    assert "handout.pdf?o=botulinum-toxin" in chosen
    pdf = clinician.get(f"/patients/{patient_id}/handout.pdf", params={"o": "botulinum-toxin"})
    assert pdf.content.startswith(b"%PDF")


def test_every_page_shows_the_disclaimer(web_server: WebServer, clinician: httpx.Client) -> None:
    from dystonia_cds import DISCLAIMER

    patient_id = create_patient(clinician, "Disclaimer Everywhere")
    paths = [
        "/patients",
        "/patients/new",
        f"/patients/{patient_id}",
        f"/patients/{patient_id}/edit",
        f"/patients/{patient_id}/trials/new",
        f"/patients/{patient_id}/medications/new",
        f"/patients/{patient_id}/injections/new",
        f"/patients/{patient_id}/assessments/new?scale=bfmdrs",
        f"/patients/{patient_id}/handout",
    ]
    for path in paths:
        response = clinician.get(path)
        assert response.status_code == 200, path
        assert DISCLAIMER in response.text, path
    with httpx.Client(base_url=web_server.url) as anonymous:
        assert DISCLAIMER in anonymous.get("/login").text


def test_every_input_has_a_label(clinician: httpx.Client) -> None:
    patient_id = create_patient(clinician, "Labels Everywhere")
    for path in (
        "/patients/new",
        f"/patients/{patient_id}/injections/new",
        f"/patients/{patient_id}/assessments/new?scale=twstrs",
        f"/patients/{patient_id}/trials/new",
        f"/patients/{patient_id}/medications/new",
    ):
        html = clinician.get(path).text
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
            attrs = tag.group(2)
            if 'type="hidden"' in attrs or re.search(r"\bhidden\b", attrs):
                continue
            field_id = re.search(r'\bid="([^"]+)"', attrs)
            wrapped = html.rfind("<label", 0, tag.start()) > html.rfind("</label>", 0, tag.start())
            assert wrapped or (field_id and field_id.group(1) in labelled), (path, attrs)
