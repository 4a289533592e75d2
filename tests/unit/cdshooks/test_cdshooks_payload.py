"""Reading CDS Hooks request bodies: envelope checks, prefetch collection, draft orders."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.cdshooks.bundles import collect_prefetch
from dystonia_cds.cdshooks.evaluations import raw_digest
from dystonia_cds.cdshooks.payload import (
    draft_orders,
    load_prefetch,
    parse_hook_request,
    read_envelope,
)
from dystonia_cds.cdshooks.services import PREFETCH_TYPES, SERVICES
from dystonia_cds.domain.errors import DystoniaCdsError, InvalidInput
from dystonia_cds.fhir.mapping import record_from_resources

VIEW = SERVICES["dystonia-treatment-options"]
SAFETY = SERVICES["dystonia-order-safety"]
SELECT = SERVICES["dystonia-order-select"]


def body(**fields: Any) -> bytes:
    data = {"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p"}}
    data.update(fields)
    return orjson.dumps(data)


def test_a_request_without_prefetch_misses_every_key() -> None:
    request = parse_hook_request(body(), VIEW)
    assert request.patient_id == "p"
    assert request.missing == list(PREFETCH_TYPES)


def test_null_prefetch_values_are_complete_answers_and_bundles_are_unpacked() -> None:
    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH_TYPES)
    prefetch["patient"] = {"resourceType": "Patient", "id": "p"}
    prefetch["conditions"] = {
        "resourceType": "Bundle",
        "entry": [{"resource": {"resourceType": "Condition", "id": "c"}}],
    }
    request = parse_hook_request(body(prefetch=prefetch), VIEW)
    assert request.missing == []
    assert [r["resourceType"] for r in request.resources] == ["Patient", "Condition"]


def test_an_operation_outcome_in_prefetch_counts_as_missing() -> None:
    resources, missing, _ = collect_prefetch(
        {"conditions": {"resourceType": "OperationOutcome"}}, "p"
    )
    assert resources == []
    assert "conditions" in missing


def test_fhir_authorization_gives_the_bearer_token() -> None:
    request = parse_hook_request(
        body(
            fhirServer="https://ehr/fhir",
            fhirAuthorization={"access_token": "t", "token_type": "Bearer"},
        ),
        VIEW,
    )
    assert (request.fhir_server, request.fhir_token) == ("https://ehr/fhir", "t")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"hook": "order-sign"}, "hook"),
        ({"context": []}, "context"),
        ({"context": {"patientId": " "}}, "context.patientId"),
        ({"fhirServer": "ftp://x"}, "fhirServer"),
        ({"fhirAuthorization": {"token_type": "Bearer"}}, "fhirAuthorization"),
        ({"prefetch": []}, "prefetch"),
        ({"prefetch": {"patient": {"resourceType": "Condition"}}}, "prefetch.patient"),
    ],
)
def test_a_bad_envelope_is_invalid_input_naming_the_field(
    fields: dict[str, Any], where: str
) -> None:
    with pytest.raises(InvalidInput, match=where.replace(".", r"\.")):
        parse_hook_request(body(**fields), VIEW)


def order(oid: str) -> dict[str, Any]:
    return {"resource": {"resourceType": "MedicationRequest", "id": oid, "status": "draft"}}


def test_order_select_checks_the_selected_orders_and_order_sign_all() -> None:
    bundle = {"resourceType": "Bundle", "entry": [order("a"), order("b")]}
    select_body = body(
        hook="order-select",
        context={"patientId": "p", "draftOrders": bundle, "selections": ["MedicationRequest/b"]},
    )
    request = parse_hook_request(select_body, SELECT)
    assert [o["id"] for o in draft_orders(request)] == ["b"]
    sign = parse_hook_request(
        body(hook="order-sign", context={"patientId": "p", "draftOrders": bundle}), SAFETY
    )
    assert [o["id"] for o in draft_orders(sign)] == ["a", "b"]


def test_draft_orders_must_be_a_bundle() -> None:
    request = parse_hook_request(
        body(hook="order-sign", context={"patientId": "p", "draftOrders": [1]}), SAFETY
    )
    with pytest.raises(InvalidInput, match="draftOrders"):
        draft_orders(request)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
resource_types = st.sampled_from(
    [
        "Patient",
        "Condition",
        "MedicationRequest",
        "Procedure",
        "Observation",
        "Bundle",
        "OperationOutcome",
    ]
)
resources = st.fixed_dictionaries(
    {"resourceType": resource_types}, optional={"id": st.text(max_size=4), "x": json_values}
)
prefetch_values = (
    st.none()
    | resources
    | json_values
    | st.fixed_dictionaries(
        {
            "resourceType": st.just("Bundle"),
            "entry": st.lists(
                st.fixed_dictionaries({"resource": resources | json_values}), max_size=3
            ),
        }
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*PREFETCH_TYPES, "extra"]), prefetch_values, max_size=8))
def test_any_prefetch_content_is_read_or_refused_as_invalid_input(prefetch: dict[str, Any]) -> None:
    try:
        found, _missing, _pages = collect_prefetch(prefetch, "p")
        record_from_resources(found, patient_id="p")
    except DystoniaCdsError:
        pass


# ---- the split envelope reads as the whole body ------------------------------------------------


def outcome(body: bytes, *, split: bool) -> tuple[Any, ...]:
    """What reading a body gives: the request's fields, or the error's message and place."""
    try:
        request = read_envelope(body, VIEW, split=split)
        load_prefetch(request)
    except InvalidInput as exc:
        return ("error", str(exc), exc.location)
    return (
        request.hook,
        request.patient_id,
        request.context,
        request.fhir_server,
        request.fhir_token,
        request.resources,
        request.missing,
        request.digest is None,
    )


members = {
    "hook": st.sampled_from(["patient-view", "order-sign"]) | json_values,
    "hookInstance": st.text(max_size=4) | json_values,
    "fhirServer": st.sampled_from(["https://ehr/fhir", "ftp://x"]) | json_values,
    "fhirAuthorization": st.fixed_dictionaries({"access_token": st.text(max_size=3)}) | json_values,
    "context": st.fixed_dictionaries({"patientId": st.sampled_from(["p", " ", ""]) | json_values})
    | json_values,
    "prefetch": st.dictionaries(st.sampled_from(list(PREFETCH_TYPES)), prefetch_values, max_size=7)
    | json_values,
    "extension": json_values,
}
pairs = st.sampled_from(sorted(members)).flatmap(lambda k: st.tuples(st.just(k), members[k]))
GOOD_PREFETCH: dict[str, Any] = dict.fromkeys(PREFETCH_TYPES)
GOOD_PREFETCH["patient"] = {"resourceType": "Patient", "id": "p", "birthDate": "1980-02-01"}
GOOD_PREFETCH["conditions"] = {
    "resourceType": "Bundle",
    "entry": [{"resource": {"resourceType": "Condition", "id": "c", "code": {"text": "x"}}}],
}
GOOD = [
    ("hook", "patient-view"),
    ("hookInstance", "h"),
    ("fhirServer", "https://ehr/fhir"),
    ("context", {"patientId": "p"}),
    ("prefetch", GOOD_PREFETCH),
]
envelopes = st.builds(
    lambda kept, extra, first: (extra if first else []) + [GOOD[i] for i in kept] + extra,
    st.just(range(len(GOOD))) | st.lists(st.sampled_from(range(len(GOOD))), unique=True),
    st.lists(pairs, max_size=2),
    st.booleans(),
)
edits = st.sampled_from(["none", "cut", "bad-utf8", "spaces", "nested"])


def encoded(pairs: list[tuple[str, Any]], edit: str, at: int) -> bytes:
    """A JSON object written member by member (duplicates kept), then perhaps spoiled."""
    members = [json.dumps(k) + ":" + json.dumps(v, ensure_ascii=False) for k, v in pairs]
    text = ("{" + ",".join(members) + "}").encode()  # stdlib json: 64-bit overflow ints too
    if edit == "cut":
        return text[: at % (len(text) + 1)]
    if edit == "bad-utf8":
        at = at % len(text)
        return text[:at] + b"\xff" + text[at:]
    if edit == "spaces":
        return b" \n" + text.replace(b",", b" ,\t").replace(b":", b": ") + b"\r\n"
    if edit == "nested":
        deep = b"[" * 1100 + b"]" * 1100
        return text[:-1] + (b"," if pairs else b"") + b'"context":' + deep + b"}"
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes, edits, st.integers(min_value=0, max_value=10_000))
def test_reading_the_envelope_split_gives_what_reading_the_whole_body_gives(
    pairs: list[tuple[str, Any]], edit: str, at: int
) -> None:
    data = encoded(pairs, edit, at)
    assert outcome(data, split=True) == outcome(data, split=False)


def test_a_complete_prefetch_is_keyed_by_its_raw_bytes_and_read_only_when_loaded() -> None:
    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH_TYPES)
    prefetch["patient"] = {"resourceType": "Patient", "id": "p"}
    request = read_envelope(body(prefetch=prefetch), VIEW)
    assert request.digest == raw_digest(orjson.dumps(prefetch))
    assert request.resources == []  # not read yet
    load_prefetch(request)
    assert [r["id"] for r in request.resources] == ["p"]
    partial = read_envelope(body(prefetch={"patient": None}), VIEW)
    load_prefetch(partial)
    assert partial.digest is None  # keys missing: data will be fetched, never cached


def test_a_bad_prefetch_in_a_split_body_is_reported_against_the_whole_body() -> None:
    data = body(prefetch={"patient": None}).replace(b'"patient":null', b'"patient":nul')
    with pytest.raises(InvalidInput, match="not valid JSON") as split:
        load_prefetch(read_envelope(data, VIEW))
    with pytest.raises(InvalidInput) as whole:
        read_envelope(data, VIEW, split=False)
    assert str(split.value) == str(whole.value)
