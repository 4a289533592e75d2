"""Issue 11 in the web app over HTTP: computed doses and weight on the patient page, forms
that fit the phenotype, the injection form's extras, the handout, small fixes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

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
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


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


# ---------------------------------------------------------------- rating scales


def scale_page(client: httpx.Client, pid: str, scale: str = "") -> str:
    query = f"?scale={scale}" if scale else ""
    response = client.get(f"/patients/{pid}/assessments/new{query}")
    assert response.status_code == 200
    return response.text


def chosen_scale(html: str) -> str:
    found = re.search(r'<input type="hidden" name="scale" value="([a-z]+)">', html)
    assert found
    return found.group(1)


def test_scale_entry_opens_the_scale_that_fits_the_phenotype(clinician: httpx.Client) -> None:
    cervical = create_patient(clinician, "Fit Cervical")
    bleph = create_patient(
        clinician, "Fit Bleph", forms="blepharospasm", regions="eyes", distribution="focal"
    )
    general = create_child(clinician, "Fit General")
    assert chosen_scale(scale_page(clinician, cervical)) == "twstrs"
    assert chosen_scale(scale_page(clinician, bleph)) == "jrs"
    assert chosen_scale(scale_page(clinician, general)) == "bfmdrs"
    assert chosen_scale(scale_page(clinician, general, "twstrs")) == "twstrs"  # a click away
    assert "(fits the phenotype)" in scale_page(clinician, general, "jrs")


def test_twstrs_and_bfmdrs_items_sit_under_their_subscale_headings(
    clinician: httpx.Client,
) -> None:
    pid = create_patient(clinician, "Headings")
    twstrs = text_of(scale_page(clinician, pid, "twstrs"))
    assert twstrs.index("Severity (subscale") < twstrs.index("Disability (subscale")
    assert twstrs.index("Disability (subscale") < twstrs.index("Pain (subscale")
    bfmdrs = text_of(scale_page(clinician, pid, "bfmdrs"))
    assert bfmdrs.index("Movement (subscale, 0–120)") < bfmdrs.index("Disability (subscale")


def bfmdrs_form(client: httpx.Client, pid: str, disability: bool) -> dict[str, str]:
    html = scale_page(client, pid, "bfmdrs")
    keys = re.findall(r'data-key="([a-z_]+)" data-part="([a-z]*)"', html)
    data = {"csrf_token": hidden_token(html), "scale": "bfmdrs", "date": date.today().isoformat()}
    for key, part in keys:
        if part == "movement":
            data[f"item-{key}"] = "2"
        elif disability:
            data[f"item-{key}"] = "1"
    if not disability:
        data["skip-disability"] = "on"
    return data


def test_bfmdrs_movement_only_is_saved_and_charted_as_the_movement_score(
    clinician: httpx.Client,
) -> None:
    pid = create_child(clinician, "Movement Only")
    data = bfmdrs_form(clinician, pid, disability=False)
    response = clinician.post(f"/patients/{pid}/assessments/new", data=data)
    assert response.status_code == 200, text_of(response.text)[:500]
    page = text_of(response.text)
    assert "disability not examined" in page
    # 9 regions of 2 x 2, weights 0.5 for eyes, mouth, neck: 6 x 4 + 3 x 2 = 30
    assert "BFMDRS movement score over time" in page
    assert "movement 30" in page


def test_bfmdrs_without_disability_items_and_without_the_tick_is_refused(
    clinician: httpx.Client,
) -> None:
    pid = create_child(clinician, "Missing Disability")
    data = bfmdrs_form(clinician, pid, disability=False)
    del data["skip-disability"]
    response = clinician.post(f"/patients/{pid}/assessments/new", data=data)
    assert response.status_code == 422
    assert "Please enter a number." in response.text


# ---------------------------------------------------------------- injection visits


def injection(client: httpx.Client, pid: str, copy: bool = False, **extra: str) -> httpx.Response:
    form = client.get(f"/patients/{pid}/injections/new")
    data = {
        "csrf_token": hidden_token(form.text),
        "date": date.today().isoformat(),
        "product": "incobotulinumtoxinA",
        "indication": "cervical-dystonia",
        "lot": "LOT-7731",
        "dilution": "100 U in 2 mL saline",
        "muscle-0": "sternocleidomastoid",
        "side-0": "left",
        "units-0": "50",
        "muscle-1": "splenius-capitis",
        "side-1": "right",
        "units-1": "70",
        **extra,
    }
    return client.post(f"/patients/{pid}/injections/new", data=data, follow_redirects=False)


def test_lot_and_dilution_appear_in_the_timeline(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Lot Timeline")
    assert injection(clinician, pid).status_code == 303
    page = text_of(clinician.get(f"/patients/{pid}").text)
    assert "lot LOT-7731, dilution 100 U in 2 mL saline" in page


def test_copy_last_visit_fills_the_form_but_not_the_date_or_lot(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Copy Last")
    assert "Copy last visit" not in clinician.get(f"/patients/{pid}/injections/new").text
    assert injection(clinician, pid).status_code == 303
    html = clinician.get(f"/patients/{pid}/injections/new?copy=last").text
    assert '<option value="incobotulinumtoxinA" selected>' in html
    assert '<option value="sternocleidomastoid" data-region="neck" selected>' in html
    assert 'name="units-1" type="number"' in html
    assert re.search(r'name="units-1"[^>]*value="70"', html)
    assert 'value="100 U in 2 mL saline"' in html
    assert "LOT-7731" not in html.split("</h1>", 1)[1].split("Copy last visit", 1)[1]


def test_a_total_over_the_labelled_maximum_needs_a_written_reason(
    clinician: httpx.Client,
) -> None:
    pid = create_patient(clinician, "Over Max")
    over = {"units-0": "250", "units-1": "200", "confirm_warnings": "on"}  # 450 U > 400 U
    refused = injection(clinician, pid, **over)
    assert refused.status_code == 409
    assert "write why this dose is given" in refused.text
    assert 'data-kind="injection"' not in clinician.get(f"/patients/{pid}").text  # not saved
    saved = injection(clinician, pid, over_max_reason="Severe retrocollis, agreed plan", **over)
    assert saved.status_code == 303
    page = text_of(clinician.get(f"/patients/{pid}").text)
    assert "Over the labelled maximum because: Severe retrocollis, agreed plan" in page


def test_a_total_within_the_maximum_needs_no_reason(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Within Max")
    assert injection(clinician, pid).status_code == 303


# ---------------------------------------------------------------- body map


def test_body_map_targets_are_keyboard_checkboxes_with_names(clinician: httpx.Client) -> None:
    html = clinician.get("/patients/new").text
    parts = re.findall(r'<(?:rect|ellipse|path)[^>]*class="part r-([a-z-]+)"[^>]*>', html)
    assert sorted(set(parts)) == sorted(
        {"eyes", "lower-face", "neck", "larynx", "trunk", "upper-limb", "lower-limb"}
    )
    focusable = re.findall(r'class="part r-([a-z-]+)"[^>]*tabindex="0"', html)
    assert sorted(focusable) == sorted(set(parts))  # each region once in the tab order
    assert 'role="checkbox" aria-checked="false" aria-label="Larynx' in html


# ---------------------------------------------------------------- handout


def test_a_childs_handout_speaks_to_the_carer_and_names_the_clinic(
    clinician: httpx.Client,
) -> None:
    pid = create_child(clinician, "Handout Child", weight_kg="30")
    page = text_of(clinician.get(f"/patients/{pid}/handout").text)
    assert "Your child's dystonia treatment: information for parents and carers" in page
    assert "Questions? Contact Movement disorders clinic." in page
    pdf = clinician.get(f"/patients/{pid}/handout.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_an_adults_handout_speaks_to_the_patient(clinician: httpx.Client) -> None:
    pid = create_patient(clinician, "Handout Adult")
    page = text_of(clinician.get(f"/patients/{pid}/handout").text)
    assert "Your dystonia treatment: information for you" in page
