"""With SMART configured, CDS Hooks cards link to the SMART launch (a `smart` link whose
`appContext` names the card's option or alert), as the CDS Hooks specification describes.
Synthetic data only."""

from __future__ import annotations

import json
import time
import uuid

import httpx
from fake_ehr import FakeEhr, Grant

from dystonia_cds.cdshooks.cards import TOPIC_SYSTEM


def test_cards_carry_a_smart_link_to_the_launch_with_the_topic_as_app_context(
    app_url: str, ehr: FakeEhr
) -> None:
    token = "card-test-token"
    ehr.tokens[token] = (Grant("child-patient", "patient/*.rs", "ehr"), time.time() + 600)
    body = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": ehr.iss,
        "fhirAuthorization": {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 600,
            "scope": "patient/*.rs",
            "subject": "dystonia-cds",
        },
        "context": {"userId": "Practitioner/dr-1", "patientId": "child-patient"},
    }
    answer = httpx.post(f"{app_url}/cds-services/dystonia-treatment-options", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    cards = answer.json()["cards"]
    assert cards
    for card in cards:
        (link,) = card["links"]
        assert link["type"] == "smart"
        assert link["url"] == f"{app_url}/smart/launch"
        topic = card["source"]["topic"]
        assert topic["system"] == TOPIC_SYSTEM
        assert json.loads(link["appContext"]) == {"topic": topic["code"]}


def test_a_launch_from_a_card_lands_on_the_option_the_card_named(
    browser: httpx.Client, ehr: FakeEhr
) -> None:
    launch = ehr.launch_for("child-patient", app_context='{"topic": "levodopa-trial"}')
    start = browser.get(
        "/smart/launch", params={"iss": ehr.iss, "launch": launch}, follow_redirects=False
    )
    callback = httpx.get(start.headers["location"]).headers["location"]
    landed = browser.get(callback, follow_redirects=False)
    assert landed.status_code == 303
    assert landed.headers["location"].endswith("#option-levodopa-trial")
