"""Reading CDS Hooks request bodies: envelope checks, prefetch collection, draft orders."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.cdshooks.payload import collect_prefetch, draft_orders, parse_hook_request
from dystonia_cds.cdshooks.services import PREFETCH_TYPES, SERVICES
from dystonia_cds.domain.errors import DystoniaCdsError, InvalidInput
from dystonia_cds.fhir.mapping import record_from_resources

VIEW = SERVICES["dystonia-treatment-options"]
SAFETY = SERVICES["dystonia-order-safety"]


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
    resources, missing = collect_prefetch({"conditions": {"resourceType": "OperationOutcome"}}, "p")
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
    request = parse_hook_request(select_body, SAFETY)
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
        found, _missing = collect_prefetch(prefetch, "p")
        record_from_resources(found, patient_id="p")
    except DystoniaCdsError:
        pass
