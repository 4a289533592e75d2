"""Issue 11 in the web app over HTTP: computed doses and weight on the patient page, forms
that fit the phenotype, the injection form's extras, the handout, small fixes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
from web_server import hidden_token

CHILD_BIRTH = (date.today() - timedelta(days=int(10.5 * 365))).isoformat()


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


def create_child(client: httpx.Client, name: str, **fields: str | list[str]) -> str:
    child: dict[str, str | list[str]] = {
        "birth_date": CHILD_BIRTH,
        "forms": "genetic-torsion-dystonia",
        "regions": ["neck", "upper-limb", "lower-limb", "trunk"],
        "onset_age_years": "7",
        "distribution": "generalized",
        **fields,
    }
    return create_patient(client, name, **child)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ---------------------------------------------------------------- doses and weight


def test_a_childs_options_show_doses_computed_for_the_weight(clinician: httpx.Client) -> None:
    pid = create_child(clinician, "Dose Child", weight_kg="30.04")
    page = text_of(clinician.get(f"/patients/{pid}").text)
    assert "30 kg" in page  # the weight, sensibly rounded, in the header
    assert "Computed for this patient" in page
    assert "at most 0.75 mg/kg/day [R36] → at most 22 mg per day for 30 kg" in page


def test_a_child_without_a_weight_is_told_why_there_is_no_dose(clinician: httpx.Client) -> None:
    pid = create_child(clinician, "No Weight Child")
    page = text_of(clinician.get(f"/patients/{pid}").text)
    assert "weight not recorded" in page
    assert "no computed dose: weight not recorded" in page
