"""The care REST API through a real uvicorn server: auth, 201 bodies, 404, 422 naming the
field with nothing written, scales and vocabulary, history, audit, recommendation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from care_api_server import Server

TODAY = date.today()
NECK = [
    {"muscle": "sternocleidomastoid", "side": "left", "units": 40},
    {"muscle": "splenius-capitis", "side": "right", "units": 60},
]


def _patient(api: httpx.Client, **fields: Any) -> str:
    body = {"birth_date": "1971-05-04", "sex": "female", "display_name": "Test Patient"} | fields
    response = api.post("/api/patients", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _visit(on: date, **fields: Any) -> dict[str, Any]:
    body = {
        "date": on.isoformat(),
        "product": "onabotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscles": NECK,
        "lot": "T-1",
        "guidance": "emg",
    }
    return body | fields


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [d["field"] for d in response.json()["detail"]]


def _scale_items(api: httpx.Client, scale: str, fraction: float) -> dict[str, int]:
    (definition,) = [s for s in api.get("/api/scales").json() if s["id"] == scale]
    return {
        i["key"]: i["min"] + round((i["max"] - i["min"]) * fraction) for i in definition["items"]
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/scales"),
        ("GET", "/api/injection-vocabulary"),
        ("GET", "/api/patients"),
        ("POST", "/api/patients"),
        ("GET", "/api/patients/some-id"),
        ("GET", "/api/patients/some-id/recommendation"),
        ("POST", "/api/patients/some-id/injections"),
        ("POST", "/api/patients/import"),
    ],
)
def test_every_api_route_refuses_a_call_without_a_valid_token(
    server: Server, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        response = httpx.request(method, server.url + path, headers=headers, json={})
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_the_openapi_schema_lists_the_care_paths(server: Server) -> None:
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    for path in (
        "/api/patients",
        "/api/patients/{patient_id}/injections",
        "/api/patients/{patient_id}/assessments",
        "/api/patients/{patient_id}/recommendation",
        "/api/patients/import",
        "/api/patients/{patient_id}/fhir",
    ):
        assert path in paths


def test_a_created_patient_answers_201_with_its_id_and_reads_back(api: httpx.Client) -> None:
    patient_id = _patient(api, display_name="Test Ada", weight_kg=64.5)
    patient = api.get(f"/api/patients/{patient_id}").json()
    assert patient == {
        "id": patient_id,
        "birth_date": "1971-05-04",
        "sex": "female",
        "display_name": "Test Ada",
        "weight_kg": 64.5,
    }
    changed = api.patch(f"/api/patients/{patient_id}", json={"display_name": "Test Ada B"})
    assert changed.status_code == 200
    assert changed.json()["display_name"] == "Test Ada B"
    assert changed.json()["sex"] == "female"


def test_patients_can_be_listed_and_searched(api: httpx.Client) -> None:
    patient_id = _patient(api, display_name="Test Zebulon Searchable")
    found = api.get("/api/patients", params={"search": "zebulon"}).json()
    assert [p["id"] for p in found["items"]] == [patient_id]
    assert found["total"] == 1


def test_a_list_offset_beyond_a_database_integer_is_refused_naming_it(api: httpx.Client) -> None:
    response = api.get("/api/patients", params={"offset": 2**63})
    assert response.status_code == 422, response.text
    assert "offset" in response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat(), "sex": "male"}, "birth_date"),
        ({"birth_date": "1980-02-30", "sex": "male"}, "birth_date"),
        ({"birth_date": "1980-01-01", "sex": "robot"}, "sex"),
        ({"sex": "male"}, "birth_date"),
        ({"birth_date": "1980-01-01", "sex": "male", "shoe_size": 44}, "shoe_size"),
        ({"birth_date": "1980-01-01", "sex": "male", "weight_kg": -3}, "weight_kg"),
    ],
)
def test_a_bad_patient_is_refused_naming_the_field(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    assert field in _fields(api.post("/api/patients", json=body))


def test_an_unknown_patient_is_404_on_every_patient_route(api: httpx.Client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/api/patients/{missing}").status_code == 404
    assert api.patch(f"/api/patients/{missing}", json={"sex": "male"}).status_code == 404
    assert api.get(f"/api/patients/{missing}/history").status_code == 404
    assert api.get(f"/api/patients/{missing}/recommendation").status_code == 404
    assert api.get(f"/api/patients/{missing}/fhir").status_code == 404
    assert api.post(f"/api/patients/{missing}/injections", json=_visit(TODAY)).status_code == 404
    trial = {"treatment": "baclofen"}
    assert api.post(f"/api/patients/{missing}/trials", json=trial).status_code == 404


def test_scales_and_vocabulary_list_what_the_api_accepts(api: httpx.Client) -> None:
    scales = {s["id"]: s for s in api.get("/api/scales").json()}
    assert set(scales) == {"twstrs", "bfmdrs", "jrs"}
    item = scales["twstrs"]["items"][0]
    assert set(item) >= {"key", "label", "min", "max", "subscale"}
    vocabulary = api.get("/api/injection-vocabulary").json()
    assert "onabotulinumtoxinA" in vocabulary["products"]
    assert {"cervical-dystonia", "blepharospasm"} <= set(vocabulary["indications"])
    assert {"left", "right", "bilateral", "midline"} <= set(vocabulary["sides"])
    assert {"id": "sternocleidomastoid", "region": "neck"}.items() <= vocabulary["muscles"][
        0
    ].items()


def test_an_injection_visit_answers_201_with_its_checks(api: httpx.Client) -> None:
    patient_id = _patient(api)
    first = api.post(
        f"/api/patients/{patient_id}/injections", json=_visit(TODAY - timedelta(weeks=20))
    )
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"id", "checks"}
    soon = api.post(
        f"/api/patients/{patient_id}/injections", json=_visit(TODAY - timedelta(weeks=14))
    )
    assert soon.status_code == 201
    checks = {c["id"]: c for c in soon.json()["checks"]}
    assert checks["botulinum-toxin-too-soon"]["severity"] == "warning"
    assert set(checks["botulinum-toxin-too-soon"]) == {"id", "severity", "message"}
    due = api.post(f"/api/patients/{patient_id}/injections", json=_visit(TODAY))
    assert "botulinum-toxin-due" in {c["id"] for c in due.json()["checks"]}


def test_an_injection_visit_is_checked_against_the_patients_conditions_and_age(
    api: httpx.Client,
) -> None:
    child = _patient(api, birth_date=(TODAY - timedelta(days=10 * 366)).isoformat())
    infected = api.put(
        f"/api/patients/{child}/phenotype", json={"conditions": ["injection-site-infection"]}
    )
    assert infected.status_code == 200, infected.text
    visit = api.post(f"/api/patients/{child}/injections", json=_visit(TODAY))
    assert visit.status_code == 201, visit.text
    checks = {c["id"]: c for c in visit.json()["checks"]}
    assert checks["botulinum-toxin-contraindicated"]["severity"] == "critical"
    assert "botulinum-toxin-off-label" in checks  # cervical dystonia is labelled for adults


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"muscles": [{"muscle": "sternocleidomastoid", "side": "left", "units": -5}]},
            "muscles[0].units",
        ),
        (
            {"muscles": [{"muscle": "sternocleidomastoid", "side": "left", "units": 0}]},
            "muscles[0].units",
        ),
        (
            {"muscles": [*NECK, {"muscle": "no-such-muscle", "side": "left", "units": 5}]},
            "muscles[2].muscle",
        ),
        (
            {"muscles": [{"muscle": "sternocleidomastoid", "side": "up", "units": 5}]},
            "muscles[0].side",
        ),
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date"),
        ({"product": "botulinumtoxinZ"}, "product"),
        ({"indication": "headache"}, "indication"),
        ({"muscles": []}, "muscles"),
    ],
)
def test_bad_injection_input_is_422_naming_the_field_and_writes_nothing(
    api: httpx.Client, change: dict[str, Any], field: str
) -> None:
    patient_id = _patient(api)
    response = api.post(f"/api/patients/{patient_id}/injections", json=_visit(TODAY) | change)
    assert field in _fields(response)
    assert api.get(f"/api/patients/{patient_id}/history").json()["injections"] == []


def test_an_assessment_answers_201_with_its_scores(api: httpx.Client) -> None:
    patient_id = _patient(api)
    body = {"date": TODAY.isoformat(), "scale": "jrs", "items": {"severity": 3, "frequency": 2}}
    response = api.post(f"/api/patients/{patient_id}/assessments", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["scores"]["total"] == 5
    twstrs = {
        "date": TODAY.isoformat(),
        "scale": "twstrs",
        "items": _scale_items(api, "twstrs", 1.0),
    }
    scores = api.post(f"/api/patients/{patient_id}/assessments", json=twstrs).json()["scores"]
    assert scores == {"total": 85, "severity": 35, "disability": 30, "pain": 20}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": {"severity": 5, "frequency": 2}}, "items.severity"),
        ({"items": {"severity": -1, "frequency": 2}}, "items.severity"),
        ({"items": {"severity": 2}}, "items.frequency"),
        ({"scale": "unknown-scale"}, "scale"),
        ({"date": (TODAY + timedelta(days=3)).isoformat()}, "date"),
    ],
)
def test_a_bad_assessment_is_422_naming_the_item_and_writes_nothing(
    api: httpx.Client, change: dict[str, Any], field: str
) -> None:
    patient_id = _patient(api)
    body = {"date": TODAY.isoformat(), "scale": "jrs", "items": {"severity": 1, "frequency": 1}}
    assert field in _fields(api.post(f"/api/patients/{patient_id}/assessments", json=body | change))
    assert api.get(f"/api/patients/{patient_id}/history").json()["assessments"] == []


def test_phenotype_trials_and_drugs_are_stored_and_validated(api: httpx.Client) -> None:
    patient_id = _patient(api)
    phenotype = {
        "diagnoses": [{"form": "cervical-dystonia", "regions": ["neck"], "onset_age_years": 40}],
        "distribution": "focal",
        "genes": ["TOR1A"],
        "conditions": ["narrow-angle-glaucoma"],
        "findings": ["wilson-disease-excluded"],
    }
    stored = api.put(f"/api/patients/{patient_id}/phenotype", json=phenotype)
    assert stored.status_code == 200, stored.text
    assert stored.json()["diagnoses"][0]["form"] == "cervical-dystonia"
    bad = phenotype | {"conditions": ["broken-heart"]}
    assert "conditions[0]" in _fields(api.put(f"/api/patients/{patient_id}/phenotype", json=bad))
    bad_form = {"diagnoses": [{"form": "hiccups"}]}
    assert "diagnoses[0].form" in _fields(
        api.put(f"/api/patients/{patient_id}/phenotype", json=bad_form)
    )
    trial = api.post(
        f"/api/patients/{patient_id}/trials", json={"treatment": "baclofen", "active": True}
    )
    assert trial.status_code == 201
    ended = api.patch(
        f"/api/patients/{patient_id}/trials/{trial.json()['id']}",
        json={"active": False, "outcome": "not-tolerated", "end": TODAY.isoformat()},
    )
    assert ended.status_code == 200, ended.text
    assert "treatment" in _fields(
        api.post(f"/api/patients/{patient_id}/trials", json={"treatment": "snake-oil"})
    )
    drug = api.post(f"/api/patients/{patient_id}/medications", json={"ingredient": "clonazepam"})
    assert drug.status_code == 201
    history = api.get(f"/api/patients/{patient_id}/history").json()
    assert history["phenotype"]["genes"] == ["TOR1A"]
    assert [(t["treatment"], t["outcome"]) for t in history["trials"]] == [
        ("baclofen", "not-tolerated")
    ]
    assert [m["ingredient"] for m in history["medications"]] == ["clonazepam"]


def test_history_holds_visits_with_muscles_and_assessments_with_items(api: httpx.Client) -> None:
    patient_id = _patient(api)
    api.post(f"/api/patients/{patient_id}/injections", json=_visit(TODAY - timedelta(days=100)))
    body = {"date": TODAY.isoformat(), "scale": "jrs", "items": {"severity": 2, "frequency": 2}}
    api.post(f"/api/patients/{patient_id}/assessments", json=body)
    history = api.get(f"/api/patients/{patient_id}/history").json()
    (visit,) = history["injections"]
    assert visit["total_units"] == 100
    assert visit["muscles"] == [
        {"muscle": m["muscle"], "side": m["side"], "units": m["units"]} for m in NECK
    ]
    (assessment,) = history["assessments"]
    assert assessment["items"] == {"severity": 2, "frequency": 2}
    assert assessment["scores"]["total"] == 4


def test_every_call_is_audited_with_actor_client_and_status(api: httpx.Client) -> None:
    patient_id = _patient(api)
    api.get(f"/api/patients/{patient_id}")
    api.post(f"/api/patients/{patient_id}/injections", json=_visit(TODAY) | {"product": "x"})
    trail = api.get(f"/api/patients/{patient_id}/audit").json()
    assert [(e["action"], e["status"]) for e in trail] == [
        ("POST /api/patients", 201),
        ("GET /api/patients/{patient_id}", 200),
        ("POST /api/patients/{patient_id}/injections", 422),
    ]
    assert {e["actor"] for e in trail} == {"token:e2e"}
    assert {e["client"] for e in trail} == {"127.0.0.1"}


def test_the_recommendation_has_the_contract_shape(api: httpx.Client) -> None:
    patient_id = _patient(api)
    phenotype = {
        "diagnoses": [{"form": "cervical-dystonia", "regions": ["neck"], "onset_age_years": 50}]
    }
    api.put(f"/api/patients/{patient_id}/phenotype", json=phenotype)
    response = api.get(f"/api/patients/{patient_id}/recommendation", params={"at": "2026-01-15"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"patient", "evaluated_at", "options", "alerts", "knowledge_version"}
    assert body["evaluated_at"] == "2026-01-15"
    assert body["patient"]["id"] == patient_id
    option = body["options"][0]
    assert set(option) >= {
        "id",
        "rank",
        "recommendation",
        "title",
        "rationale",
        "cautions",
        "evidence",
    }
    assert "at" in _fields(
        api.get(f"/api/patients/{patient_id}/recommendation", params={"at": "15.01.2026"})
    )


def test_a_titration_plan_answers_201_with_its_dated_schedule_and_is_kept(
    api: httpx.Client,
) -> None:
    patient_id = _patient(api)
    assert "trihexyphenidyl" in {d["id"] for d in api.get("/api/titrations").json()}
    body = {
        "drug": "trihexyphenidyl",
        "start": "2026-01-05",
        "target_daily_mg": 6,
        "note": "slowly",
    }
    response = api.post(f"/api/patients/{patient_id}/titration-plans", json=body)
    assert response.status_code == 201, response.text
    steps = response.json()["schedule"]["steps"]
    assert steps[0]["date"] == "2026-01-05"
    assert max(s["daily_mg"] for s in steps) <= 6
    (plan,) = api.get(f"/api/patients/{patient_id}/history").json()["titration_plans"]
    assert (plan["drug"], plan["note"], plan["schedule"]["steps"]) == (
        "trihexyphenidyl",
        "slowly",
        steps,
    )


def test_a_titration_above_its_maximum_is_422_naming_the_option(api: httpx.Client) -> None:
    patient_id = _patient(api)
    body = {"drug": "tetrabenazine", "start": "2026-01-05", "target_daily_mg": 75}
    response = api.post(f"/api/patients/{patient_id}/titration-plans", json=body)
    assert "target_daily_mg" in _fields(response)
    assert "CYP2D6" in response.json()["detail"][0]["msg"]
    assert api.get(f"/api/patients/{patient_id}/history").json()["titration_plans"] == []


def test_patching_sex_to_null_is_refused_naming_sex(api: httpx.Client) -> None:
    patient_id = _patient(api)
    assert "sex" in _fields(api.patch(f"/api/patients/{patient_id}", json={"sex": None}))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("trials", {"treatment": "baclofen", "start": "2024-05-01", "end": "2024-04-01"}, "end"),
        ("trials", {"treatment": "aripiprazole"}, "treatment"),
        (
            "medications",
            {"ingredient": "clonazepam", "start": "2024-05-01", "end": "2024-01-01"},
            "end",
        ),
        ("medications", {"ingredient": "unobtainium"}, "ingredient"),
    ],
)
def test_impossible_drug_and_trial_records_are_refused(
    api: httpx.Client, path: str, body: dict[str, Any], field: str
) -> None:
    patient_id = _patient(api)
    response = api.post(f"/api/patients/{patient_id}/{path}", json=body)
    assert field in _fields(response)


def test_ending_a_trial_before_it_started_is_refused_naming_end(api: httpx.Client) -> None:
    patient_id = _patient(api)
    trial = api.post(
        f"/api/patients/{patient_id}/trials", json={"treatment": "baclofen", "start": "2024-05-01"}
    )
    change = {"end": "2024-04-01"}
    assert "end" in _fields(
        api.patch(f"/api/patients/{patient_id}/trials/{trial.json()['id']}", json=change)
    )
    (stored,) = api.get(f"/api/patients/{patient_id}/history").json()["trials"]
    assert stored["end"] is None
