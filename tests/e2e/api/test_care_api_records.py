"""The stored record drives the recommendation; FHIR R4 import and export through the API;
the `token create` command; `serve` on a database behind the head and with `--demo`."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from alembic import command
from care_api_server import CLI, Server, start_server
from typer.testing import CliRunner

from dystonia_cds.cli import app as cli_app
from dystonia_cds.store.database import alembic_config, make_engine, open_database
from dystonia_cds.store.tokens import token_owner

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
FHIR = {"Content-Type": "application/fhir+json"}
SYNTHEA = SHARED / "interop" / "synthea-r4"
TODAY = date.today()
NECK = [
    {"muscle": "sternocleidomastoid", "side": "left", "units": 40},
    {"muscle": "splenius-capitis", "side": "right", "units": 60},
]


def _patient(api: httpx.Client, phenotype: dict[str, Any]) -> str:
    body = {"birth_date": "1980-05-04", "sex": "female", "display_name": "Test Record"}
    patient_id = str(api.post("/api/patients", json=body).json()["id"])
    assert api.put(f"/api/patients/{patient_id}/phenotype", json=phenotype).status_code == 200
    return patient_id


def _options(api: httpx.Client, patient_id: str) -> list[dict[str, Any]]:
    response = api.get(
        f"/api/patients/{patient_id}/recommendation", params={"at": TODAY.isoformat()}
    )
    assert response.status_code == 200, response.text
    return list(response.json()["options"])


def _twstrs(api: httpx.Client, fraction: float) -> dict[str, int]:
    (scale,) = [s for s in api.get("/api/scales").json() if s["id"] == "twstrs"]
    return {i["key"]: i["min"] + round((i["max"] - i["min"]) * fraction) for i in scale["items"]}


def test_a_drug_stopped_as_not_tolerated_is_not_offered_first_again(api: httpx.Client) -> None:
    patient_id = _patient(
        api,
        {
            "diagnoses": [
                {
                    "form": "idiopathic-nonfamilial-dystonia",
                    "regions": ["neck", "trunk", "upper-limb"],
                    "onset_age_years": 30,
                }
            ],
            "distribution": "generalized",
            "findings": ["wilson-disease-excluded"],
        },
    )
    assert _options(api, patient_id)[0]["id"] == "trihexyphenidyl"
    trial = {"treatment": "trihexyphenidyl", "start": "2025-01-01", "active": True}
    trial_id = api.post(f"/api/patients/{patient_id}/trials", json=trial).json()["id"]
    stopped = {"active": False, "end": "2025-02-01", "outcome": "not-tolerated"}
    assert (
        api.patch(f"/api/patients/{patient_id}/trials/{trial_id}", json=stopped).status_code == 200
    )
    options = _options(api, patient_id)
    assert options[0]["id"] != "trihexyphenidyl"
    (again,) = [o for o in options if o["id"] == "trihexyphenidyl"]
    assert again["recommendation"] in ("not-recommended", "contraindicated")


def test_a_poor_response_over_two_toxin_cycles_shows_in_the_options(api: httpx.Client) -> None:
    patient_id = _patient(
        api,
        {"diagnoses": [{"form": "cervical-dystonia", "regions": ["neck"], "onset_age_years": 40}]},
    )
    first = TODAY - timedelta(days=91 * 3 + 30)
    # (before, after) each cycle: a clear benefit first, then the benefit fades twice
    levels = ((0.8, 0.3), (0.6, 0.65), (0.7, 0.75))
    for cycle, (before, after) in enumerate(levels):
        day = first + timedelta(days=91 * cycle)
        for on, level in ((day - timedelta(days=1), before), (day + timedelta(days=28), after)):
            body = {"date": on.isoformat(), "scale": "twstrs", "items": _twstrs(api, level)}
            assert api.post(f"/api/patients/{patient_id}/assessments", json=body).status_code == 201
        visit = {
            "date": day.isoformat(),
            "product": "onabotulinumtoxinA",
            "indication": "cervical-dystonia",
            "muscles": NECK,
        }
        response = api.post(f"/api/patients/{patient_id}/injections", json=visit)
        assert response.status_code == 201, response.text
    # since issue 10 it is an alert with the reference's checklist, not a caution
    rec = api.get(f"/api/patients/{patient_id}/recommendation").json()
    alerts = {a["id"]: a for a in rec["alerts"]}
    assert "botulinum-toxin-secondary-nonresponse" in alerts, rec["alerts"]
    assert "technique" in alerts["botulinum-toxin-secondary-nonresponse"]["message"]


def test_a_patient_exported_as_fhir_imports_as_an_equal_record(api: httpx.Client) -> None:
    patient_id = _patient(
        api,
        {
            "diagnoses": [{"form": "blepharospasm", "regions": ["eyes"], "onset_age_years": 61}],
            "distribution": "focal",
            "genes": ["TOR1A"],
            "conditions": ["myasthenia-gravis"],
            "findings": ["wilson-disease-excluded"],
        },
    )
    api.patch(f"/api/patients/{patient_id}", json={"weight_kg": 58})
    api.post(
        f"/api/patients/{patient_id}/trials",
        json={
            "treatment": "clonazepam",
            "start": "2024-01-01",
            "end": "2024-03-01",
            "outcome": "ineffective",
        },
    )
    visit = {"date": "2025-01-10", "product": "incobotulinumtoxinA", "indication": "blepharospasm",
             "muscles": [{"muscle": "orbicularis-oculi-pretarsal-upper", "side": "bilateral", "units": 20}]}  # fmt: skip
    assert api.post(f"/api/patients/{patient_id}/injections", json=visit).status_code == 201
    exported = api.get(f"/api/patients/{patient_id}/fhir")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/fhir+json")
    bundle = exported.json()
    assert bundle["resourceType"] == "Bundle"
    imported = api.post("/api/patients/import", content=orjson.dumps(bundle),
                        headers={"Content-Type": "application/fhir+json"})  # fmt: skip
    assert imported.status_code == 201, imported.text
    assert imported.json()["unrecognized"] == []
    new_id = imported.json()["id"]
    again = api.get(f"/api/patients/{new_id}/fhir").json()
    reimported = api.post("/api/patients/import", content=orjson.dumps(again)).json()["id"]
    first, second = (
        api.get(f"/api/patients/{i}/recommendation", params={"at": "2026-01-15"}).json()
        for i in (new_id, reimported)
    )
    first["patient"].pop("id")
    second["patient"].pop("id")
    assert first == second
    history = api.get(f"/api/patients/{new_id}/history").json()
    assert history["patient"]["weight_kg"] == 58
    assert history["patient"]["display_name"] == "Test Record"
    assert history["phenotype"]["genes"] == ["TOR1A"]
    assert [(v["date"], v["product"], v["total_units"]) for v in history["injections"]] == [
        ("2025-01-10", "incobotulinumtoxinA", 20)
    ]
    assert ("clonazepam", "ineffective") in {
        (t["treatment"], t["outcome"]) for t in history["trials"]
    }


def test_a_real_world_synthea_bundle_imports(api: httpx.Client) -> None:
    path = min(SYNTHEA.glob("*.json"), key=lambda p: p.stat().st_size)
    response = api.post("/api/patients/import", content=path.read_bytes(),
                        headers={"Content-Type": "application/fhir+json"})  # fmt: skip
    assert response.status_code == 201, response.text
    history = api.get(f"/api/patients/{response.json()['id']}/history").json()
    assert history["phenotype"]["diagnoses"] == []  # none of them has dystonia


@pytest.mark.parametrize("given", [7, "Ada", {"x": 1}, None])
def test_a_patient_name_of_the_wrong_shape_still_imports(api: httpx.Client, given: Any) -> None:
    """The name is display only: a malformed one is ignored, never a server error."""
    patient = {"resourceType": "Patient", "id": "n1", "birthDate": "1980-01-01",
               "name": [{"given": given, "family": "Lovelace"}]}  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    response = api.post("/api/patients/import", content=orjson.dumps(bundle),
                        headers={"Content-Type": "application/fhir+json"})  # fmt: skip
    assert response.status_code == 201, response.text
    history = api.get(f"/api/patients/{response.json()['id']}/history").json()
    assert history["patient"]["display_name"] == "Lovelace"


def test_text_with_a_nul_character_is_refused_naming_where(api: httpx.Client) -> None:
    created = api.post("/api/patients", json={"display_name": "a\u0000b", "sex": "female"})
    assert created.status_code == 422
    assert "NUL" in created.json()["detail"][0]["msg"]
    patient = {"resourceType": "Patient", "id": "n2", "name": [{"text": "a\u0000b"}]}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    imported = api.post("/api/patients/import", content=orjson.dumps(bundle), headers=FHIR)
    assert imported.status_code == 422
    assert imported.json()["detail"][0]["field"] == "body.entry[0].resource.name[0].text"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"[]", "body"),
        (b'{"resourceType": "Patient"}', "request body"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": {}}', "request body"),
    ],
)
def test_a_bad_bundle_is_422_naming_what_is_wrong(
    api: httpx.Client, content: bytes, field: str
) -> None:
    response = api.post(
        "/api/patients/import", content=content, headers={"Content-Type": "application/fhir+json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"].startswith(field)
    assert api.get("/api/patients", params={"limit": 1}).status_code == 200


def test_token_create_prints_a_working_token_as_the_last_word(server: Server) -> None:
    result = CliRunner().invoke(
        cli_app, ["token", "create", "--name", "lab robot", "--database", server.database_url]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1].split()[-1]
    response = httpx.get(server.url + "/api/scales", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_token_revoke_ends_a_token_and_names_an_unknown_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tokens.sqlite'}"
    created = CliRunner().invoke(
        cli_app, ["token", "create", "--name", "old robot", "--database", url]
    )
    token = created.output.strip().splitlines()[-1].split()[-1]
    revoked = CliRunner().invoke(
        cli_app, ["token", "revoke", "--name", "old robot", "--database", url]
    )
    assert revoked.exit_code == 0, revoked.output
    sessions = open_database(url)
    try:
        with sessions.begin() as session:
            assert token_owner(session, token) is None
    finally:
        sessions.kw["bind"].dispose()
    unknown = CliRunner().invoke(
        cli_app, ["token", "revoke", "--name", "nobody", "--database", url]
    )
    assert unknown.exit_code == 2
    assert "no active API token named 'nobody'" in unknown.output


def test_serve_refuses_a_database_behind_the_head_naming_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    done = subprocess.run(
        [*CLI, "serve", "--port", "9", "--database", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "dystonia-cds db upgrade" in done.stderr
    upgraded = CliRunner().invoke(cli_app, ["db", "upgrade", "--database", url])
    assert upgraded.exit_code == 0, upgraded.output


def test_serve_demo_seeds_once_and_prints_a_token_and_a_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    for _ in range(2):  # a second start adds no second set of demo patients
        server = start_server(url, tmp_path / "demo.log", "--demo")
        server.stop()
    lines = server.output().splitlines()
    tokens = [line.split()[-1] for line in lines if line.startswith("demo token: ")]
    assert len(tokens) == 2
    assert any(line.startswith("demo sign-in: ") for line in lines)
    assert any("not a substitute for clinical judgment" in line for line in lines)
    server = start_server(url, tmp_path / "demo.log")
    try:
        listed = httpx.get(server.url + "/api/patients", params={"search": "Demo:"},
                           headers={"Authorization": f"Bearer {tokens[-1]}"}).json()  # fmt: skip
    finally:
        server.stop()
    assert listed["total"] == 7
