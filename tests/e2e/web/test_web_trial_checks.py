"""Issue 10, point 2, over HTTP: the trial form shows the checks of a drug being taken
(dose above a reference limit, contraindication, caution, tetrabenazine and depression)
before saving; saving with such checks needs a second, deliberate step."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import httpx
from web_server import hidden_token


def create_patient(client: httpx.Client, name: str, **fields: str | list[str]) -> str:
    form = client.get("/patients/new")
    data: dict[str, str | list[str]] = {
        "csrf_token": hidden_token(form.text),
        "display_name": name,
        "birth_date": "1971-04-05",
        "sex": "female",
        "forms": "tardive-dystonia",
        "regions": "neck",
        "onset_age_years": "50",
        "distribution": "focal",
        "findings": "wilson-disease-excluded",
    }
    data.update(fields)
    response = client.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def trial(client: httpx.Client, pid: str, **extra: str) -> httpx.Response:
    form = client.get(f"/patients/{pid}/trials/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "treatment": "tetrabenazine",
        "start": (date.today() - timedelta(days=30)).isoformat(),
        "active": "on",
        "daily_dose_mg": "75",
        **extra,
    }
    return client.post(f"/patients/{pid}/trials/new", data=data, follow_redirects=False)


def preview(client: httpx.Client, pid: str, **extra: str) -> httpx.Response:
    page = client.get(f"/patients/{pid}/trials/new").text
    data = {"treatment": "tetrabenazine", "active": "on", "daily_dose_mg": "75", **extra}
    headers = {"X-CSRF-Token": hidden_token(page)}
    return client.post(f"/patients/{pid}/trials/preview", data=data, headers=headers)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def seen_digest(html: str) -> str:
    match = re.search(r'name="checks_seen" id="f-checks_seen" value="([0-9a-f]*)"', html)
    assert match, "the form carries the digest of the checks shown"
    return match.group(1)


def saved_trials(client: httpx.Client, pid: str) -> int:
    return client.get(f"/patients/{pid}").text.count('data-kind="trial"')


def test_a_dose_above_the_limit_is_shown_before_saving_and_nothing_is_stored(
    clinician: httpx.Client,
) -> None:
    pid = create_patient(clinician, "Trial Dose Above")
    before = saved_trials(clinician, pid)
    response = trial(clinician, pid)
    assert response.status_code == 409
    page = text_of(response.text)
    assert "Please review the checks." in page
    assert "Nothing was saved." in page
    assert "tetrabenazine 75 mg/day" in page
    assert "more than 50 mg/day needs the CYP2D6 genotype, and none is on record [R42]" in page
    assert 'data-check-id="dose-above-limit"' in response.text
    assert "tick the box to save anyway" in page
    assert saved_trials(clinician, pid) == before


def test_the_reviewed_dose_saves_on_the_second_deliberate_step(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Dose Confirmed")
    shown = trial(clinician, pid)
    assert shown.status_code == 409
    seen = seen_digest(shown.text)
    saved = trial(clinician, pid, confirm_warnings="on", checks_seen=seen)
    assert saved.status_code == 303
    assert "Dose above a reference limit" in clinician.get(f"/patients/{pid}").text


def test_a_tick_for_other_checks_does_not_save_a_changed_dose(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Dose Changed")
    seen = seen_digest(trial(clinician, pid).text)
    changed = trial(clinician, pid, daily_dose_mg="90", confirm_warnings="on", checks_seen=seen)
    assert changed.status_code == 409
    assert "The checks changed since they were shown" in text_of(changed.text)
    assert "tetrabenazine 90 mg/day" in text_of(changed.text)


def test_a_tick_without_the_checks_shown_does_not_save(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Blind Tick")
    blind = trial(clinician, pid, confirm_warnings="on")
    assert blind.status_code == 409
    assert "The checks changed since they were shown" in text_of(blind.text)


def test_a_dose_within_the_limits_saves_in_one_step(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Dose Within")
    response = trial(clinician, pid, daily_dose_mg="50")
    assert response.status_code == 303
    page = clinician.get(f"/patients/{pid}").text
    assert "Dose above a reference limit" not in page


def test_a_genotyped_patient_is_checked_against_the_higher_limit(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Genotyped", findings=["cyp2d6-genotyped"])
    assert trial(clinician, pid).status_code == 303
    over = trial(clinician, pid, daily_dose_mg="125")
    assert over.status_code == 409
    assert "at most 100 mg/day (CYP2D6 extensive or intermediate metabolizers) [R42]" in (
        text_of(over.text)
    )


def test_a_finished_trial_is_not_checked_as_a_drug_being_taken(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Finished")
    finished = {"active": "", "end": date.today().isoformat(), "outcome": "not-tolerated"}
    assert trial(clinician, pid, **finished).status_code == 303


def test_a_contraindicated_drug_in_use_is_critical_before_saving(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Glaucoma", conditions=["narrow-angle-glaucoma"])
    response = trial(clinician, pid, treatment="trihexyphenidyl", daily_dose_mg="6")
    assert response.status_code == 409
    assert 'data-check-id="contraindicated-drug-in-use"' in response.text
    assert "Contraindicated drug being taken: Trihexyphenidyl" in text_of(response.text)


def test_tetrabenazine_with_depression_is_shown_before_saving(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Depression", conditions=["depression"])
    response = trial(clinician, pid, daily_dose_mg="25")
    assert response.status_code == 409
    assert 'data-check-id="tetrabenazine-depression"' in response.text


def test_bad_input_names_the_field_and_runs_no_check(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Bad Dose")
    response = trial(clinician, pid, daily_dose_mg="lots")
    assert response.status_code == 422
    assert 'id="daily_dose_mg-error"' in response.text
    assert "data-check-id" not in response.text


def test_the_preview_returns_the_checks_with_the_limit_and_its_source(
    clinician: httpx.Client,
) -> None:
    pid = create_patient(clinician, "Trial Preview")
    result = preview(clinician, pid).json()
    assert [c["id"] for c in result["checks"]] == ["dose-above-limit"]
    assert "50 mg/day" in result["checks"][0]["message"]
    assert "R42" in result["checks"][0]["sources"]
    assert result["checks_seen"]
    assert result["errors"] == {}
    assert preview(clinician, pid, daily_dose_mg="25").json()["checks"] == []


def test_the_preview_names_a_bad_field_and_needs_the_csrf_header(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Trial Preview Bad")
    assert "daily_dose_mg" in preview(clinician, pid, daily_dose_mg="-3").json()["errors"]
    refused = clinician.post(f"/patients/{pid}/trials/preview", data={"treatment": "x"})
    assert refused.status_code in (400, 403)


# ---------------------------------------------------------------- the medication form


def medication(client: httpx.Client, pid: str, **extra: str) -> httpx.Response:
    form = client.get(f"/patients/{pid}/medications/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "ingredient": "tetrabenazine",
        "active": "on",
        "route": "oral",
        **extra,
    }
    return client.post(f"/patients/{pid}/medications/new", data=data, follow_redirects=False)


def test_tetrabenazine_taken_with_depression_is_critical_before_saving(
    clinician: httpx.Client,
) -> None:
    pid = create_patient(clinician, "Drug Depression", conditions=["depression"])
    shown = medication(clinician, pid)
    assert shown.status_code == 409
    assert 'class="alert critical" data-check-id="tetrabenazine-depression"' in shown.text
    assert "Being taken (tetrabenazine): review now" in text_of(shown.text)
    assert 'data-kind="medication"' not in clinician.get(f"/patients/{pid}").text
    seen = seen_digest(shown.text)
    saved = medication(clinician, pid, confirm_warnings="on", checks_seen=seen)
    assert saved.status_code == 303
    assert 'data-kind="medication"' in clinician.get(f"/patients/{pid}").text


def test_a_drug_without_checks_saves_in_one_step(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Drug Plain")
    assert medication(clinician, pid).status_code == 303


def test_a_drug_no_longer_taken_is_not_checked(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Drug Stopped", conditions=["depression"])
    stopped = medication(clinician, pid, active="", end=date.today().isoformat())
    assert stopped.status_code == 303


def test_the_medication_preview_returns_the_checks(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Drug Preview", conditions=["narrow-angle-glaucoma"])
    page = clinician.get(f"/patients/{pid}/medications/new").text
    result = clinician.post(
        f"/patients/{pid}/medications/preview",
        data={"ingredient": "trihexyphenidyl", "active": "on"},
        headers={"X-CSRF-Token": hidden_token(page)},
    ).json()
    assert [c["id"] for c in result["checks"]] == ["contraindicated-drug-in-use"]
    assert result["checks"][0]["severity"] == "critical"
