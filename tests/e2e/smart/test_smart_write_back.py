"""Write-back to the EHR: only with write scopes, shown to the clinician before anything is
sent, the EHR's answer shown after; without write scopes nothing is sent. Synthetic data only."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fake_ehr import FakeEhr
from test_smart_launch import CERVICAL, csrf, ehr_launch

from dystonia_cds.config import Settings
from dystonia_cds.store.audit import entries_for_patient
from dystonia_cds.store.care_values import AssessmentData, InjectionVisitData
from dystonia_cds.store.database import open_database
from dystonia_cds.store.repository import CareRepository

WRITE = "patient/MedicationAdministration.c patient/Observation.c"


def record_here(settings: Settings, patient_id: str) -> tuple[int, int]:
    """An injection visit and a TWSTRS total recorded in the app (ids)."""
    sessions = open_database(settings.database_url)
    with sessions.begin() as session:
        repo = CareRepository(session)
        visit = repo.add_injection_visit(
            patient_id,
            InjectionVisitData(
                date(2026, 11, 2),
                "onabotulinumtoxinA",
                "cervical-dystonia",
                total_units=200.0,
                source="web",
            ),
        )
        scale = repo.add_assessment(
            patient_id,
            AssessmentData(
                date=date(2026, 11, 2), scale="twstrs", items={}, scores={"total": 31.0}, total=31.0
            ),
        )
    return visit, scale


@pytest.fixture
def launched(browser: httpx.Client, ehr: FakeEhr, app_settings: Settings) -> tuple[str, int, int]:
    patient_id = ehr_launch(browser, ehr, CERVICAL).url.path.rsplit("/", 1)[1]
    visit, scale = record_here(app_settings, patient_id)
    return patient_id, visit, scale


def test_with_write_scopes_a_scale_total_is_shown_then_sent_and_the_ehrs_answer_shown(
    browser: httpx.Client, ehr: FakeEhr, app_settings: Settings
) -> None:
    ehr.extra_grant = WRITE
    patient_id = ehr_launch(browser, ehr, CERVICAL).url.path.rsplit("/", 1)[1]
    _visit, scale = record_here(app_settings, patient_id)
    page = browser.get(f"/patients/{patient_id}")
    assert f'data-ehr-send="assessment-{scale}"' in page.text
    preview = browser.get(f"/smart/send/assessment/{scale}")
    assert preview.status_code == 200
    assert "urn:dystonia-cds:rating-scale" in preview.text
    assert ehr.created == []  # nothing sent before the clinician confirms
    answer = browser.post(
        f"/smart/send/assessment/{scale}", data={"csrf_token": csrf(preview.text)}
    )
    assert answer.status_code == 200
    assert 'data-ehr-answer="201"' in answer.text
    assert "Observation/created-1" in answer.text
    (sent,) = ehr.created
    assert sent["subject"] == {"reference": f"Patient/{CERVICAL}"}
    assert sent["valueQuantity"]["value"] == 31.0
    assert all("loinc" not in c["system"] for c in sent["code"]["coding"])  # none verified


def test_an_injection_visit_is_sent_as_a_medication_administration(
    browser: httpx.Client, ehr: FakeEhr, app_settings: Settings
) -> None:
    ehr.extra_grant = WRITE
    patient_id = ehr_launch(browser, ehr, CERVICAL).url.path.rsplit("/", 1)[1]
    visit, _scale = record_here(app_settings, patient_id)
    preview = browser.get(f"/smart/send/injection/{visit}")
    browser.post(f"/smart/send/injection/{visit}", data={"csrf_token": csrf(preview.text)})
    (sent,) = ehr.created
    assert sent["resourceType"] == "MedicationAdministration"
    assert sent["dosage"]["dose"]["value"] == 200.0
    sessions = open_database(app_settings.database_url)
    with sessions() as session:
        actions = [e.action for e in entries_for_patient(session, patient_id)]
    assert f"ehr.write MedicationAdministration (injection {visit})" in actions


def test_without_write_scopes_nothing_is_offered_or_sent(
    browser: httpx.Client, ehr: FakeEhr, launched: tuple[str, int, int]
) -> None:
    patient_id, visit, scale = launched
    page = browser.get(f"/patients/{patient_id}")
    assert "may not write it; nothing is sent" in page.text
    assert not re.search(r'data-ehr-send="', page.text)
    assert browser.get(f"/smart/send/assessment/{scale}").status_code == 403
    token = csrf(page.text)
    assert (
        browser.post(f"/smart/send/injection/{visit}", data={"csrf_token": token}).status_code
        == 403
    )
    assert ehr.created == []


def test_a_row_of_another_patient_cannot_be_sent(
    browser: httpx.Client, ehr: FakeEhr, app_settings: Settings
) -> None:
    ehr.extra_grant = WRITE
    other = ehr_launch(browser, ehr, "child-patient").url.path.rsplit("/", 1)[1]
    _visit, scale = record_here(app_settings, other)
    ehr_launch(browser, ehr, CERVICAL)
    assert browser.get(f"/smart/send/assessment/{scale}").status_code == 404
    assert ehr.created == []
