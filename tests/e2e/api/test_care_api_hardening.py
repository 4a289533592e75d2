"""Malformed input through the care API never ends in a server error: JSON nested about a
thousand levels deep (and deeper than the parser goes) is a 400 or 422 on every JSON
endpoint, control characters in ids are a 4xx; a body that cannot be parsed is audited with
the real caller and the status it got; each patient a list showed is audited."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from care_api_server import Server, new_token

DEEP = {
    "list-1000": "[" * 1000 + "]" * 1000,
    "object-1000": '{"a":' * 1000 + "1" + "}" * 1000,
    "field-1000": '{"diagnoses":' + "[" * 1000 + "]" * 1000 + "}",
    "bundle-1000": '{"resourceType":"Bundle","type":"collection","entry":'
    + "[" * 1000
    + "]" * 1000
    + "}",
    "list-5000": "[" * 5000 + "]" * 5000,
}
CONTROL_IDS = ["a\x01b", "a\x7fb", "\x1b[31m", "a\x00b", "tab\there", "line\nbreak"]


@pytest.fixture(scope="module")
def hardening_api(server: Server) -> Iterator[httpx.Client]:
    token = new_token(server.database_url, "hardening")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60.0
    ) as client:
        yield client


@pytest.fixture(scope="module")
def patient_id(hardening_api: httpx.Client) -> str:
    body = {"birth_date": "1975-04-05", "sex": "male", "display_name": "Test Hardening"}
    return str(hardening_api.post("/api/patients", json=body).json()["id"])


def _json_endpoints(patient_id: str) -> list[tuple[str, str]]:
    base = f"/api/patients/{patient_id}"
    return [
        ("POST", "/api/patients"),
        ("PATCH", base),
        ("PUT", f"{base}/phenotype"),
        ("POST", f"{base}/diagnoses"),
        ("POST", f"{base}/medications"),
        ("POST", f"{base}/trials"),
        ("POST", f"{base}/injections"),
        ("POST", f"{base}/assessments"),
        ("POST", f"{base}/titration-plans"),
        ("POST", "/api/patients/import"),
    ]


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deeply_nested_json_is_refused_on_every_endpoint_without_a_server_error(
    hardening_api: httpx.Client, patient_id: str, shape: str
) -> None:
    for method, path in _json_endpoints(patient_id):
        response = hardening_api.request(
            method, path, content=DEEP[shape], headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422), (method, path, response.text[:200])
    assert hardening_api.get(f"/api/patients/{patient_id}").status_code == 200


def test_a_deep_bundle_is_refused_naming_the_depth_limit(hardening_api: httpx.Client) -> None:
    response = hardening_api.post(
        "/api/patients/import",
        content=DEEP["bundle-1000"],
        headers={"content-type": "application/fhir+json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"
    assert "levels" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("bad", CONTROL_IDS)
def test_control_characters_in_ids_are_a_client_error(
    hardening_api: httpx.Client, bad: str
) -> None:
    encoded = quote(bad, safe="")  # as a client must send it
    for suffix in ("", "/phenotype", "/history", "/fhir", "/audit", "/recommendation"):
        response = hardening_api.get(f"/api/patients/{encoded}{suffix}")
        assert 400 <= response.status_code < 500, (repr(bad), suffix, response.status_code)
    response = hardening_api.put(f"/api/patients/{encoded}/phenotype", json={"diagnoses": []})
    assert 400 <= response.status_code < 500


def test_an_unparsable_body_is_audited_with_the_real_caller_and_status(
    hardening_api: httpx.Client, patient_id: str
) -> None:
    response = hardening_api.put(
        f"/api/patients/{patient_id}/phenotype",
        content=b'{"diagnoses": [',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    trail = hardening_api.get(f"/api/patients/{patient_id}/audit").json()
    failed = [e for e in trail if e["action"] == "PUT /api/patients/{patient_id}/phenotype"]
    assert failed[-1]["actor"] == "token:hardening"
    assert failed[-1]["status"] == 422


def test_each_patient_a_list_showed_is_in_its_audit_trail(
    hardening_api: httpx.Client, patient_id: str
) -> None:
    listed = hardening_api.get("/api/patients", params={"search": "Test Hardening"}).json()
    assert patient_id in [p["id"] for p in listed["items"]]
    trail = hardening_api.get(f"/api/patients/{patient_id}/audit").json()
    assert any(e["action"] == "GET /api/patients" for e in trail)


@pytest.mark.parametrize("bad", ["pat\x01ient", "../../admin", "with space", "x" * 65])
def test_a_bundle_whose_resource_id_is_not_a_fhir_id_is_refused_naming_the_entry(
    hardening_api: httpx.Client, bad: str
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient", "id": bad, "gender": "female"}}],
    }
    response = hardening_api.post("/api/patients/import", json=bundle)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body.entry[0].resource.id"
