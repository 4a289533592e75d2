"""SMART App Launch pieces without a network: the allow-list and scopes, launch parameter
checks, id token verification, paging links, the token vault. Synthetic data only."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from dystonia_cds.web.smart.clients import (
    SmartClient,
    SmartError,
    allowed_client,
    clients_from,
    launch_param,
    requested_scopes,
)
from dystonia_cds.web.smart.ehr import (
    OffServer,
    Reads,
    as_ehr_read,
    is_about_another_patient,
    next_link,
)
from dystonia_cds.web.smart.flow import anchor_of
from dystonia_cds.web.smart.identity import (
    check_issuer,
    fhir_user,
    signed_claims,
    unsigned_claims,
)
from dystonia_cds.web.smart.vault import Vault

ISS = "https://ehr.example/fhir"
KEY = rsa.generate_private_key(65537, 2048)
OTHER_KEY = rsa.generate_private_key(65537, 2048)


def jwks(key: Any = KEY, kid: str = "k1") -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256"}]}


def id_token(key: Any = KEY, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": ISS, "aud": "app", "exp": now + 300, "iat": now, "fhirUser": "Practitioner/1"}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "k1"})


def test_an_iss_with_a_trailing_slash_matches_its_configured_entry() -> None:
    clients = clients_from({ISS + "/": {"client_id": "app"}})
    assert allowed_client(clients, ISS).client_id == "app"
    assert allowed_client(clients, ISS + "/").iss == ISS


def test_an_iss_not_listed_is_refused_with_403() -> None:
    with pytest.raises(SmartError) as refused:
        allowed_client(clients_from({ISS: {"client_id": "app"}}), "https://evil.example/fhir")
    assert refused.value.status == 403


def test_a_configured_ehr_without_client_id_stops_start_up() -> None:
    with pytest.raises(ValueError, match="client_id"):
        clients_from({ISS: {"client_secret": "x"}})


@pytest.mark.parametrize("value", [None, "", "a b", "x" * 3000, "caf\u00e9"])
def test_missing_long_or_unprintable_launch_parameters_are_refused(value: str | None) -> None:
    with pytest.raises(SmartError) as refused:
        launch_param(value, "launch")
    assert refused.value.status == 400


def test_ehr_launch_scopes_are_launch_identity_and_v2_reads_of_the_profile_types() -> None:
    scopes = requested_scopes(SmartClient(ISS, "app"), standalone=False, v2=True).split()
    assert scopes[:3] == ["launch", "openid", "fhirUser"]
    assert "patient/MedicationAdministration.rs" in scopes
    assert "patient/Observation.rs" in scopes


def test_standalone_v1_scopes_ask_for_a_patient_and_use_read() -> None:
    scopes = requested_scopes(SmartClient(ISS, "app"), standalone=True, v2=False).split()
    assert scopes[0] == "launch/patient"
    assert "patient/Condition.read" in scopes


def test_configured_scopes_replace_the_data_scopes() -> None:
    client = SmartClient(ISS, "app", scopes="patient/*.rs online_access")
    assert requested_scopes(client, standalone=False, v2=True) == (
        "launch openid fhirUser patient/*.rs online_access"
    )


def test_an_id_token_signed_by_the_ehr_key_is_accepted() -> None:
    claims = signed_claims(id_token(), jwks(), "app")
    assert fhir_user(claims) == "Practitioner/1"


def test_an_id_token_signed_by_another_key_is_refused() -> None:
    with pytest.raises(SmartError, match="not signed"):
        signed_claims(id_token(OTHER_KEY), jwks(), "app")


def test_an_id_token_for_another_client_is_refused() -> None:
    with pytest.raises(SmartError, match="not valid"):
        signed_claims(id_token(aud="someone-else"), jwks(), "app")


def test_an_expired_id_token_is_refused_signed_or_not() -> None:
    expired = id_token(exp=int(time.time()) - 3600)
    with pytest.raises(SmartError):
        signed_claims(expired, jwks(), "app")
    with pytest.raises(SmartError, match="expired"):
        unsigned_claims(expired, "app")


def test_an_id_token_from_another_origin_is_refused() -> None:
    with pytest.raises(SmartError, match="another issuer"):
        check_issuer({"iss": "https://evil.example/fhir"}, ISS, None)
    check_issuer({"iss": "https://ehr.example/auth/fhir"}, ISS, None)  # same origin: accepted


@pytest.mark.parametrize("who", ["Patient/7", "https://ehr.example/fhir/RelatedPerson/3"])
def test_a_patient_or_relative_is_not_signed_in_as_a_clinician(who: str) -> None:
    with pytest.raises(SmartError, match="for clinicians"):
        fhir_user({"fhirUser": who})


def test_no_fhir_user_claim_is_refused() -> None:
    with pytest.raises(SmartError, match="fhirUser"):
        fhir_user({"sub": "x"})


def test_next_links_are_followed_only_on_the_ehrs_server() -> None:
    def bundle(url: str) -> dict[str, Any]:
        return {"link": [{"relation": "next", "url": url}]}

    assert next_link(bundle(f"{ISS}?_getpages=abc"), ISS) == f"{ISS}?_getpages=abc"
    assert next_link(bundle(f"{ISS}/Condition?page=2"), ISS) == f"{ISS}/Condition?page=2"
    proxied = "https://ehr.example/v/r4/fhir?_getpages=abc"  # the reference launcher's paging
    assert next_link(bundle(proxied), ISS) == proxied
    assert next_link({"link": [{"relation": "self", "url": ISS}]}, ISS) is None
    for elsewhere in ("https://evil.example/fhir/Condition", "http://ehr.example/fhir?p=2"):
        with pytest.raises(OffServer):
            next_link(bundle(elsewhere), ISS)


def test_resources_about_another_patient_are_left_out_of_the_record() -> None:
    mine = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"}}
    theirs = {"resourceType": "Condition", "id": "c2", "subject": {"reference": "Patient/p2"}}
    assert not is_about_another_patient(mine, "p1")
    assert is_about_another_patient(theirs, "p1")
    reads = Reads(resources=[{"resourceType": "Patient", "id": "p1"}, mine, theirs])
    read = as_ehr_read(ISS, "p1", reads)
    assert "Condition/c2" not in read.summary["read"]
    assert read.summary["skipped"] == ["1 resource(s) about another patient: left out"]


def test_the_vault_opens_what_it_sealed_and_nothing_sealed_with_another_secret() -> None:
    sealed = Vault("one").seal("access-token-1")
    assert "access-token-1" not in sealed
    assert Vault("one").open(sealed) == "access-token-1"
    assert Vault("two").open(sealed) is None


@pytest.mark.parametrize(
    ("context", "anchor"),
    [
        ('{"topic": "botulinum-toxin"}', "#option-botulinum-toxin"),
        ('{"topic": "<script>"}', ""),
        ("not json", ""),
        ("[1]", ""),
        (None, ""),
    ],
)
def test_the_app_context_of_a_card_names_the_option_to_open_at(context: Any, anchor: str) -> None:
    assert anchor_of(context) == anchor
