"""The CDS Hooks services end to end: `create_app` served by uvicorn on 127.0.0.1, called
over HTTP as an EHR would (insecure dev mode here; JWTs are covered in test_cdshooks_auth)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cdshooks_support import (
    bont_procedure,
    condition,
    draft_medication,
    draft_service,
    hook_body,
    medication_request,
    order_body,
    patient,
    serve,
    topics,
)

from dystonia_cds import DISCLAIMER
from dystonia_cds.app import create_app
from dystonia_cds.config import Settings
from dystonia_cds.knowledge.vocabulary import load_vocabulary

TOPIC_SYSTEM = "urn:dystonia-cds:topic"
TREATMENT = "dystonia-treatment-options"
SAFETY = "dystonia-order-safety"
SELECT = "dystonia-order-select"
SERVICE_OF_HOOK = {"order-sign": SAFETY, "order-select": SELECT}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("cds")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}", insecure_dev=True, max_body_bytes=200_000
    )
    with serve(create_app(settings)) as base:
        yield base


def post(server: str, service: str, body: Any) -> httpx.Response:
    return httpx.post(f"{server}/cds-services/{service}", json=body, timeout=20)


def cards_of(server: str, service: str, body: Any) -> list[dict[str, Any]]:
    response = post(server, service, body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        assert_card_shape(card)
    return cards


def assert_card_shape(card: dict[str, Any]) -> None:
    assert card["uuid"]
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert DISCLAIMER in card["detail"]
    assert card["source"]["label"]
    assert card["source"]["topic"]["system"] == TOPIC_SYSTEM
    assert all(r["display"] for r in card.get("overrideReasons", []))
    if card.get("suggestions"):
        assert card["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in card["suggestions"]:
            assert suggestion["uuid"]
            assert suggestion["label"]
            for action in suggestion["actions"]:
                assert action["type"] in ("create", "update", "delete")
                assert action["description"]
                assert_resource(action)


def assert_resource(action: dict[str, Any]) -> None:
    if action["type"] == "delete":
        assert action["resourceId"]
        return
    resource = action["resource"]
    vocab = load_vocabulary()
    if resource["resourceType"] == "MedicationRequest":
        assert resource["intent"] == "proposal"
        concept = resource["medicationCodeableConcept"]
        for coding in concept.get("coding", []):
            assert coding["system"] == "http://www.nlm.nih.gov/research/umls/rxnorm"
            assert any(
                (c := vocab.emit_code(i)) is not None and c.code == coding["code"]
                for i in vocab.concept_ids("ingredient")
            ), "only verified RxNorm codes may be emitted"
        assert concept["text"]
    else:
        assert resource["resourceType"] == "ServiceRequest"
        assert resource["code"]["text"]
        for coding in resource["code"].get("coding", []):
            assert coding["system"] == "http://snomed.info/sct"


# ---- discovery -------------------------------------------------------------------------------


def test_discovery_lists_one_service_id_per_hook_with_its_prefetch(server: str) -> None:
    response = httpx.get(f"{server}/cds-services", timeout=10)
    assert response.status_code == 200
    services = response.json()["services"]
    pairs = [(s["id"], s["hook"]) for s in services]
    assert sorted(pairs) == [
        (SAFETY, "order-sign"),
        (SELECT, "order-select"),
        (TREATMENT, "patient-view"),
    ]
    assert len({s["id"] for s in services}) == len(services)
    for service in services:
        assert service["title"]
        assert service["description"]
        prefetch = service["prefetch"]
        assert prefetch["patient"] == "Patient/{{context.patientId}}"
        for rtype in (
            "Condition",
            "MedicationRequest",
            "MedicationStatement",
            "MedicationAdministration",
            "Procedure",
        ):
            assert f"{rtype}?patient={{{{context.patientId}}}}" in prefetch.values()
        assert prefetch["observations"] == (
            "Observation?patient={{context.patientId}}"
            "&code=http://loinc.org|29463-7,http://loinc.org|69548-6"
        ), "only the Observations the mapping reads: body weight, genetic variant assessment"


# ---- treatment options -----------------------------------------------------------------------


def acute_reaction() -> list[dict[str, Any]]:
    pid = "acute-1"
    return [
        patient(pid, 16, "male"),
        condition(pid, "G24.02", "Drug induced acute dystonia", onset_days=0),
        medication_request(pid, "Haloperidol 5 MG Oral Tablet", days_ago=1),
    ]


def child_generalized() -> list[dict[str, Any]]:
    pid = "child-1"
    cond = condition(pid, "G24.1", "Generalized torsion dystonia")
    cond["bodySite"] = [{"text": t} for t in ("neck", "trunk", "left leg", "right arm")]
    return [patient(pid, 9), cond]


def adult_cervical() -> list[dict[str, Any]]:
    pid = "cd-1"
    return [patient(pid, 45), condition(pid, "G24.3", "Spasmodic torticollis (cervical dystonia)")]


def refractory_generalized() -> list[dict[str, Any]]:
    pid = "dbs-1"
    cond = condition(pid, "G24.1", "Generalized torsion dystonia (isolated)")
    cond["bodySite"] = [{"text": t} for t in ("neck", "trunk", "left leg", "right arm")]
    trials = [
        medication_request(
            pid, name, n=n, status="completed", days_ago=400 - 100 * n, outcome="ineffective"
        )
        for n, name in enumerate(["trihexyphenidyl 2 MG", "baclofen 10 MG", "clonazepam 0.5 MG"], 1)
    ]
    return [patient(pid, 20, "male"), cond, *trials]


def pid_of(resources: list[dict[str, Any]]) -> str:
    return str(resources[0]["id"])


def test_acute_reaction_gets_a_critical_card_first_and_an_anticholinergic(server: str) -> None:
    resources = acute_reaction()
    cards = cards_of(server, TREATMENT, hook_body("patient-view", pid_of(resources), resources))
    assert cards[0]["indicator"] == "critical"
    assert cards[0]["source"]["topic"]["code"] == "acute-dystonic-reaction"
    assert cards[0]["suggestions"], "the critical card offers the parenteral anticholinergic"
    assert {"diphenhydramine", "benztropine"} & set(topics(cards))


def test_child_with_generalized_dystonia_is_offered_a_levodopa_trial(server: str) -> None:
    resources = child_generalized()
    cards = cards_of(server, TREATMENT, hook_body("patient-view", pid_of(resources), resources))
    assert "levodopa-trial" in topics(cards)
    levodopa = next(c for c in cards if c["source"]["topic"]["code"] == "levodopa-trial")
    resource = levodopa["suggestions"][0]["actions"][0]["resource"]
    assert resource["resourceType"] == "MedicationRequest"
    assert "levodopa" in resource["medicationCodeableConcept"]["text"].lower()


def test_adult_cervical_dystonia_leads_with_botulinum_toxin_and_a_service_request(
    server: str,
) -> None:
    resources = adult_cervical()
    cards = cards_of(server, TREATMENT, hook_body("patient-view", pid_of(resources), resources))
    option_cards = [c for c in cards if c["source"]["topic"]["code"] == "botulinum-toxin"]
    assert option_cards
    action = option_cards[0]["suggestions"][0]["actions"][0]
    assert action["resource"]["resourceType"] == "ServiceRequest"
    assert all(c["indicator"] != "critical" for c in cards)


def test_refractory_generalized_dystonia_points_to_deep_brain_stimulation(server: str) -> None:
    resources = refractory_generalized()
    cards = cards_of(server, TREATMENT, hook_body("patient-view", pid_of(resources), resources))
    assert "dbs-evaluation" in topics(cards) or "deep-brain-stimulation" in topics(cards)


def test_cards_are_capped_and_the_rest_goes_to_one_summary_card(server: str) -> None:
    resources = child_generalized()
    cards = cards_of(server, TREATMENT, hook_body("patient-view", pid_of(resources), resources))
    alert_or_option = [c for c in cards if c["source"]["topic"]["code"] != "summary"]
    option_cards = [c for c in alert_or_option if "rank" in c["detail"]]
    assert len(option_cards) <= 3
    assert topics(cards).count("summary") <= 1


# ---- order safety ----------------------------------------------------------------------------


def comorbidity(pid: str, text: str, n: int) -> dict[str, Any]:
    out = condition(pid, "Z00.0", text, n=n)
    out["code"] = {"text": text}
    return out


def order_case(name: str, positive: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    pid = f"{name}-{'pos' if positive else 'neg'}"
    cd = condition(pid, "G24.3", "Spasmodic torticollis (cervical dystonia)")
    age = 72 if positive and name in ("anticholinergic", "benzo-older") else 45
    base = [patient(pid, age), cd]
    cases: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {
        "bont": (
            [*base, bont_procedure(pid, 42 if positive else 100)],
            draft_medication(pid, "onabotulinumtoxinA 100 UNT Injection"),
        ),
        "bont-service": (
            [*base, bont_procedure(pid, 30 if positive else 120)],
            draft_service(pid, "Botulinum toxin injection, cervical muscles"),
        ),
        "tetrabenazine": (
            [*base, *([comorbidity(pid, "Major depressive disorder", 2)] if positive else [])],
            draft_medication(pid, "tetrabenazine 12.5 MG Oral Tablet"),
        ),
        "anticholinergic": (base, draft_medication(pid, "trihexyphenidyl 2 MG Oral Tablet")),
        "benzo-opioid": (
            [
                *base,
                *([medication_request(pid, "oxycodone 5 MG Oral Tablet", n=7)] if positive else []),
            ],
            draft_medication(pid, "clonazepam 0.5 MG Oral Tablet"),
        ),
        "baclofen": (
            [*base, *([comorbidity(pid, "Chronic kidney disease stage 4", 3)] if positive else [])],
            draft_medication(pid, "baclofen 10 MG Oral Tablet"),
        ),
        "dopamine-blocker": (
            base if positive else [patient(pid, 45)],
            draft_medication(pid, "metoclopramide 10 MG Oral Tablet"),
        ),
    }
    return cases[name]


EXPECTED = {
    "bont": "botulinum-toxin-too-soon",
    "bont-service": "botulinum-toxin-too-soon",
    "tetrabenazine": "tetrabenazine-depression",
    "anticholinergic": "anticholinergic-older-adult",
    "benzo-opioid": "benzodiazepine-opioid",
    "baclofen": "baclofen-renal-impairment",
    "dopamine-blocker": "dopamine-blocker-dystonia",
}


@pytest.mark.parametrize("hook", ["order-sign", "order-select"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_unsafe_draft_order_gets_a_card_naming_the_check(
    server: str, name: str, hook: str
) -> None:
    resources, order = order_case(name, positive=True)
    body = order_body(hook, pid_of(resources), resources, [order])
    cards = cards_of(server, SERVICE_OF_HOOK[hook], body)
    assert EXPECTED[name] in topics(cards)
    card = next(c for c in cards if c["source"]["topic"]["code"] == EXPECTED[name])
    assert card["indicator"] in ("warning", "critical")
    remove = card["suggestions"][0]["actions"][0]
    assert remove == {
        "type": "delete",
        "description": remove["description"],
        "resourceId": f"{order['resourceType']}/{order['id']}",
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_clean_draft_order_gets_no_card(server: str, name: str) -> None:
    resources, order = order_case(name, positive=False)
    cards = cards_of(
        server, SAFETY, order_body("order-sign", pid_of(resources), resources, [order])
    )
    assert cards == [], topics(cards)


KB_CASES = {
    "trihexyphenidyl with narrow-angle glaucoma": (
        "Narrow-angle glaucoma",
        "trihexyphenidyl 2 MG Oral Tablet",
        "trihexyphenidyl",
    ),
    "botulinum toxin with an injection-site infection": (
        "Injection site infection",
        "onabotulinumtoxinA 100 UNT Injection",
        "botulinum-toxin",
    ),
}


@pytest.mark.parametrize("case", sorted(KB_CASES))
def test_a_drug_the_knowledge_base_contraindicates_gets_a_critical_card(
    server: str, case: str
) -> None:
    comorbid, drug, topic = KB_CASES[case]
    pid = "kb-" + topic
    resources = [
        patient(pid, 40),
        condition(pid, "G24.3", "Cervical dystonia"),
        comorbidity(pid, comorbid, 2),
    ]
    cards = cards_of(
        server, SAFETY, order_body("order-sign", pid, resources, [draft_medication(pid, drug)])
    )
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [(topic, "critical")]


def test_an_maoi_ordered_for_a_patient_on_levodopa_gets_a_critical_card(server: str) -> None:
    pid = "kb-maoi"
    resources = [
        patient(pid, 30),
        condition(pid, "G24.1", "Generalized torsion dystonia"),
        medication_request(pid, "carbidopa/levodopa 25/100 Oral Tablet", n=4),
    ]
    order = draft_medication(pid, "phenelzine 15 MG Oral Tablet")
    cards = cards_of(server, SAFETY, order_body("order-sign", pid, resources, [order]))
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [
        ("levodopa-trial", "critical")
    ]


def test_order_hooks_need_draft_orders(server: str) -> None:
    resources = adult_cervical()
    response = post(server, SAFETY, hook_body("order-sign", pid_of(resources), resources))
    assert response.status_code == 400
    assert "draftOrders" in response.json()["error"]


# ---- bad input -------------------------------------------------------------------------------


BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "malformed JSON": (b'{"hook": "patient-view",', "not valid JSON"),
    "not an object": (b"[1, 2]", "JSON object"),
    "wrong hook": (b'{"hook": "order-sign", "context": {"patientId": "p"}}', "hook"),
    "missing patientId": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {}}',
        "patientId",
    ),
    "prefetch not an object": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"}, "prefetch": "x"}',
        "prefetch",
    ),
    "prefetch value not a resource": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"}, "prefetch": {"conditions": 5}}',
        "prefetch.conditions",
    ),
    "bundle entry without resource": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"}, "prefetch": {"conditions":'
        b' {"resourceType": "Bundle", "entry": [{"x": 1}]}}}',
        "entry[0]",
    ),
    "missing hookInstance": (
        b'{"hook": "patient-view", "context": {"patientId": "p"}}',
        "hookInstance",
    ),
    "patientId not a FHIR id": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p1/../../admin"}}',
        "context.patientId",
    ),
    "control character in patientId": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p\\u0007x"}}',
        "context.patientId",
    ),
    "malformed fhirServer": (
        b'{"hook": "patient-view", "hookInstance": "h", "fhirServer": "http://[::1/fhir",'
        b' "context": {"patientId": "p"}}',
        "fhirServer",
    ),
    "fhirServer with user info": (
        b'{"hook": "patient-view", "hookInstance": "h", "fhirServer": "http://u:p@ehr/fhir",'
        b' "context": {"patientId": "p"}}',
        "fhirServer",
    ),
    "context nested 1000 levels": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p", "x": '
        + b"[" * 1000
        + b"]" * 1000
        + b"}}",
        "nested too deeply",
    ),
    "patient of another id": (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"}, "prefetch": {"patient":'
        b' {"resourceType": "Patient", "id": "q"}}}',
        "context.patientId",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_input_is_a_400_naming_the_problem(server: str, case: str) -> None:
    body, expected = BAD_BODIES[case]
    response = httpx.post(
        f"{server}/cds-services/{TREATMENT}",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert expected in response.json()["error"]


@pytest.mark.parametrize("depth", [900, 1000, 1100, 5000])
def test_deeply_nested_prefetch_is_read_or_refused_never_a_server_error(
    server: str, depth: int
) -> None:
    body = (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"},'
        b' "prefetch": {"patient": {"resourceType": "Patient", "id": "p", "x": '
        + b"[" * depth
        + b"]" * depth
        + b"}}}"
    )
    response = httpx.post(
        f"{server}/cds-services/{TREATMENT}",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code in (400, 412), response.text


def test_an_unknown_service_is_404(server: str) -> None:
    assert post(server, "no-such-service", {"hook": "patient-view"}).status_code == 404


def test_an_oversize_body_is_413_with_or_without_content_length(server: str) -> None:
    big = b'{"hook": "patient-view", "pad": "' + b"x" * 300_000 + b'"}'
    url = f"{server}/cds-services/{TREATMENT}"
    assert httpx.post(url, content=big, timeout=10).status_code == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 16_384):
            yield big[start : start + 16_384]

    assert httpx.post(url, content=chunks(), timeout=10).status_code == 413


def test_no_prefetch_and_no_fhir_server_is_412(server: str) -> None:
    response = post(server, TREATMENT, hook_body("patient-view", "p-412", None))
    assert response.status_code == 412
    assert "fhirServer" in response.json()["error"]


def test_an_unreachable_fhir_server_is_412(server: str) -> None:
    body = hook_body("patient-view", "p-412", None, fhirServer="http://127.0.0.1:9/fhir")
    assert post(server, TREATMENT, body).status_code == 412


def test_cors_preflight_from_a_browser_sandbox_is_answered(server: str) -> None:
    response = httpx.options(
        f"{server}/cds-services/{TREATMENT}",
        headers={
            "Origin": "https://sandbox.cds-hooks.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://sandbox.cds-hooks.org")


def test_the_patient_view_example_in_the_docs_is_answered_as_documented(server: str) -> None:
    import json
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "cds-hooks.md").read_text()
    section = docs.split("## Example: `patient-view`", 1)[1]
    request_text = re.search(r"```http\n.*?\n\n(\{.*?\})\n```", section, re.S)
    assert request_text, "the docs show the request body"
    body = json.loads(request_text.group(1))
    cards = cards_of(server, TREATMENT, body)
    assert cards[0]["source"]["topic"]["code"] in ("botulinum-toxin", "wilson-disease-screen")
    assert "botulinum-toxin" in topics(cards)
