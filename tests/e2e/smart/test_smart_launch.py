"""SMART App Launch against the loopback test EHR: EHR launch to the patient page built from
the EHR's data, state and PKCE checks, the allow-list, expired tokens, the patient scope of the
session, standalone launch. Synthetic data only."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fake_ehr import FakeEhr

from dystonia_cds.config import Settings
from dystonia_cds.store.audit import entries_for_patient
from dystonia_cds.store.database import open_database

CHILD = "child-patient"
CERVICAL = "cervical-patient"


def ehr_launch(browser: httpx.Client, ehr: FakeEhr, patient: str) -> httpx.Response:
    return browser.get("/smart/launch", params={"iss": ehr.iss, "launch": ehr.launch_for(patient)})


def option_ids(html: str) -> list[str]:
    return re.findall(r'data-option-id="([^"]+)"', html)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def authorize_redirect(browser: httpx.Client, ehr: FakeEhr, patient: str) -> httpx.URL:
    """Launch without following the EHR's answer: the callback URL the EHR redirects to."""
    start = browser.get(
        "/smart/launch",
        params={"iss": ehr.iss, "launch": ehr.launch_for(patient)},
        follow_redirects=False,
    )
    assert start.status_code == 302
    answer = httpx.get(start.headers["location"], follow_redirects=False)
    assert answer.status_code == 302
    return httpx.URL(answer.headers["location"])


def test_an_ehr_launch_lands_on_the_launched_patients_page_built_from_the_ehrs_data(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    page = ehr_launch(browser, ehr, CHILD)
    assert page.status_code == 200, page.text
    assert re.search(r"/patients/[0-9a-f-]{36}$", str(page.url))
    assert option_ids(page.text)[0] == "levodopa-trial"
    assert "From the EHR" in page.text
    assert 'data-ehr-resource="Condition/child-condition-1"' in page.text
    assert "Refresh from the EHR" in page.text


def test_the_authorization_request_carries_pkce_s256_state_aud_and_the_read_scopes(
    browser: httpx.Client, ehr: FakeEhr, app_url: str
) -> None:
    start = browser.get(
        "/smart/launch",
        params={"iss": ehr.iss, "launch": ehr.launch_for(CHILD)},
        follow_redirects=False,
    )
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["aud"] == [ehr.iss]
    assert query["redirect_uri"] == [f"{app_url}/smart/callback"]
    scopes = query["scope"][0].split()
    assert {
        "launch",
        "openid",
        "fhirUser",
        "patient/Condition.rs",
        "patient/MedicationStatement.rs",
    } <= set(scopes)
    assert len(query["state"][0]) >= 32


def test_the_configured_ehr_may_frame_the_app_and_no_other_origin(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    page = ehr_launch(browser, ehr, CHILD)
    csp = page.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {ehr.base}" in csp
    assert "x-frame-options" not in page.headers


def test_a_second_launch_of_the_same_ehr_patient_reuses_the_local_patient(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    first = ehr_launch(browser, ehr, CERVICAL)
    second = ehr_launch(browser, ehr, CERVICAL)
    assert first.url.path == second.url.path
    assert option_ids(second.text)[0] == "botulinum-toxin"


def test_search_results_span_several_pages_and_all_are_read(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    page = ehr_launch(browser, ehr, CERVICAL)  # three Conditions, two a page
    assert 'data-ehr-resource="Condition/cervical-condition-3"' in page.text
    assert "/proxy/fhir/Condition" in ehr.requests  # the second page, on the EHR's paging path


def test_a_callback_with_a_wrong_state_is_refused_and_signs_nobody_in(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    callback = authorize_redirect(browser, ehr, CHILD)
    forged = callback.copy_set_param("state", "not-the-state-we-sent")
    answer = browser.get(str(forged))
    assert answer.status_code == 400
    assert "state" in answer.text
    assert browser.get("/patients", follow_redirects=False).status_code == 303


def test_a_callback_from_another_browser_is_refused(
    browser: httpx.Client, ehr: FakeEhr, app_url: str
) -> None:
    callback = authorize_redirect(browser, ehr, CHILD)
    with httpx.Client(follow_redirects=True) as other:
        assert other.get(str(callback)).status_code == 400


def test_a_code_redeemed_with_a_wrong_verifier_is_refused_by_the_ehr_and_by_the_app(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    callback = authorize_redirect(browser, ehr, CHILD)
    code = callback.params["code"]
    grant = ehr.codes[code]
    grant.challenge = "a-challenge-for-another-verifier"  # as if another verifier had been sent
    answer = browser.get(str(callback))
    assert answer.status_code == 401
    assert "refused the authorization code" in answer.text


def test_an_iss_not_allowed_is_refused_without_any_request_to_it(
    browser: httpx.Client, rogue_ehr: FakeEhr
) -> None:
    answer = browser.get("/smart/launch", params={"iss": rogue_ehr.iss, "launch": "x"})
    assert answer.status_code == 403
    assert "not configured" in answer.text
    assert rogue_ehr.requests == []


def test_a_launch_without_iss_or_launch_is_a_400(browser: httpx.Client, ehr: FakeEhr) -> None:
    assert browser.get("/smart/launch", params={"iss": ehr.iss}).status_code == 400
    assert browser.get("/smart/launch", params={"launch": "abc"}).status_code == 400


def test_an_expired_token_is_refreshed_when_a_refresh_token_was_granted(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    ehr.grant_refresh = True
    page = ehr_launch(browser, ehr, CHILD)
    ehr.expire_tokens()
    answer = browser.post("/smart/refresh", data={"csrf_token": csrf(page.text)})
    assert answer.status_code == 200
    assert "Read again from the EHR" in answer.text
    assert answer.url.path == page.url.path


def test_an_expired_token_without_a_refresh_token_asks_to_relaunch(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    page = ehr_launch(browser, ehr, CHILD)
    ehr.expire_tokens()
    answer = browser.post("/smart/refresh", data={"csrf_token": csrf(page.text)})
    assert answer.status_code == 401
    assert "Open this app again from the EHR" in answer.text


def test_the_session_shows_only_the_launched_patient(browser: httpx.Client, ehr: FakeEhr) -> None:
    other = ehr_launch(browser, ehr, CERVICAL).url.path
    mine = ehr_launch(browser, ehr, CHILD).url.path
    assert browser.get(other).status_code == 403
    assert browser.get("/patients").url.path == mine


def test_resources_about_another_patient_in_the_ehrs_answer_are_not_shown(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    intruder = dict(ehr.patients[CERVICAL][1], id="intruder-condition")  # cervical dystonia
    ehr.extra_resources = [intruder]
    page = ehr_launch(browser, ehr, CHILD)
    assert "intruder-condition" not in page.text
    assert "1 resource(s) about another patient: left out" in page.text
    assert "Cervical dystonia" not in page.text
    assert option_ids(page.text)[0] == "levodopa-trial"


def test_an_ehr_answering_with_another_patient_shows_nothing_of_it(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    ehr.answer_with_patient = CERVICAL
    answer = ehr_launch(browser, ehr, CHILD)
    assert answer.status_code == 403
    assert "different patient" in answer.text
    assert "data-option-id" not in answer.text
    assert browser.get("/patients", follow_redirects=False).headers["location"].startswith("/login")


def test_no_token_reaches_the_browser(browser: httpx.Client, ehr: FakeEhr) -> None:
    page = ehr_launch(browser, ehr, CHILD)
    tokens = list(ehr.tokens)
    assert tokens
    assert not any(t in page.text or t in str(browser.cookies) for t in tokens)


def test_a_standalone_launch_from_the_sign_in_page_opens_the_patient_the_ehr_names(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    ehr.standalone_patient = CERVICAL
    login = browser.get("/login")
    link = re.search(r'href="(/smart/standalone\?iss=[^"]+)"', login.text)
    assert link
    page = browser.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert option_ids(page.text)[0] == "botulinum-toxin"


def test_a_standalone_launch_without_a_patient_offers_a_picker(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    picker = browser.get("/smart/standalone", params={"iss": ehr.iss})
    assert picker.url.path == "/smart/pick"
    assert f'data-ehr-patient="{CHILD}"' in picker.text
    page = browser.post("/smart/pick", data={"csrf_token": csrf(picker.text), "patient": CHILD})
    assert option_ids(page.text)[0] == "levodopa-trial"


def test_every_request_to_the_ehr_is_in_the_patients_audit_trail(
    browser: httpx.Client, ehr: FakeEhr, app_settings: Settings
) -> None:
    page = ehr_launch(browser, ehr, CERVICAL)
    patient_id = page.url.path.rsplit("/", 1)[1]
    sessions = open_database(app_settings.database_url)
    with sessions() as session:
        actions = [e.action for e in entries_for_patient(session, patient_id)]
    assert "ehr.read Patient" in actions
    assert "ehr.read Condition page 2" in actions  # three Conditions, two a page
    assert all(e.startswith(("ehr.read ", "web.")) for e in actions)


def test_no_token_reaches_the_logs(
    browser: httpx.Client, ehr: FakeEhr, caplog: pytest.LogCaptureFixture
) -> None:
    ehr.grant_refresh = True
    with caplog.at_level(logging.DEBUG):
        page = ehr_launch(browser, ehr, CHILD)
        ehr.expire_tokens()
        browser.post("/smart/refresh", data={"csrf_token": csrf(page.text)})
    secrets = [*ehr.tokens, *ehr.refresh_tokens]
    assert secrets
    assert caplog.records
    assert not any(s in caplog.text for s in secrets)
