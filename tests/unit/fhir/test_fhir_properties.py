"""Property tests: garbled FHIR input never raises anything but FhirInputError; dates."""

from __future__ import annotations

import contextlib
import copy
from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir.access import parse_date
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.fhir.extract import READ_TYPES, extract_facts
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from fhir_builders import (
    bundle,
    condition,
    gene_observation,
    icd10,
    medication_administration,
    medication_request,
    medication_statement,
    patient,
    procedure,
    rxnorm,
    text_only,
    weight_observation,
)
from mutation import paths, set_at

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "id", "code", "status", "clinicalStatus", "verificationStatus", "bodySite", "onsetAge", "onsetDateTime",
    "onsetPeriod", "abatementDateTime", "extension", "subject", "patient", "medicationCodeableConcept",
    "medicationReference", "contained", "authoredOn", "effectiveDateTime", "effectivePeriod", "dateAsserted",
    "statusReason", "note", "dosage", "dosageInstruction", "performedDateTime", "performedPeriod", "outcome",
    "usedCode", "valueQuantity", "valueCodeableConcept", "valueString", "component", "birthDate", "gender",
    "ingredient",
]  # fmt: skip
VALID = [
    patient(),
    condition(icd10("G24.3"), body_sites=[text_only("neck")], onsetAge={"value": 7, "code": "a"}),
    medication_request(rxnorm("5093", "haloperidol")),
    medication_request(
        text_only("tetrabenazine 12.5 mg"),
        dosageInstruction=[
            {
                "route": {"text": "oral"},
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 12.5, "unit": "mg"}}],
            }
        ],
    ),
    medication_statement(text_only("trihexyphenidyl"), statusReason=[{"text": "ineffective"}]),
    medication_administration(text_only("Botox"), units=100, route="intramuscular"),
    procedure(text_only("deep brain stimulation")),
    gene_observation("TOR1A"),
    weight_observation(30),
]


def _check(resource: Any) -> None:
    try:
        extract_facts(resource, load_vocabulary())
    except FhirInputError as exc:
        message = str(exc)
    else:
        return
    assert "\n" not in message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(READ_TYPES)),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
)
def test_random_resources_raise_nothing_but_fhir_input_error(
    rtype: str, fields: dict[str, Any]
) -> None:
    _check({"resourceType": rtype, **fields})


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(VALID))), st.data(), json_values)
def test_one_garbled_element_in_a_valid_resource_raises_only_fhir_input_error(
    index: int, data: st.DataObject, junk: Any
) -> None:
    resource = copy.deepcopy(VALID[index])
    set_at(resource, data.draw(st.sampled_from(list(paths(resource)))), junk)
    _check(resource)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(VALID), max_size=6), json_values)
def test_random_bundles_raise_nothing_but_fhir_input_error(
    resources: list[dict[str, Any]], junk: Any
) -> None:
    for data in (
        bundle(patient(), *resources),
        junk,
        {"resourceType": "Bundle", "type": "collection", "entry": junk},
    ):
        try:
            read_bundle(orjson.dumps(data), source="p.json")
        except FhirInputError as exc:
            message = str(exc)
        else:
            continue
        assert message.startswith("p.json")


@given(st.dates(min_value=date(1, 1, 1)))
def test_every_real_date_parses_to_itself(d: date) -> None:
    text = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    assert parse_date({}, text, "x") == d
    assert parse_date({}, f"{text}T10:20:30.5+02:00", "x") == d


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(29, 31))
def test_impossible_day_of_month_fails(year: int, month: int, day: int) -> None:
    try:
        expected = date(year, month, day)
    except ValueError:
        with pytest.raises(FhirInputError, match="impossible date"):
            parse_date(
                {"resourceType": "Condition", "id": "c"},
                f"{year:04d}-{month:02d}-{day:02d}",
                "onsetDateTime",
            )
    else:
        assert parse_date({}, f"{year:04d}-{month:02d}-{day:02d}", "x") == expected


@given(st.text(max_size=30))
def test_any_string_parses_or_fails_as_fhir_input_error(text: str) -> None:
    with contextlib.suppress(FhirInputError):
        parse_date({}, text, "x")


@settings(max_examples=60, deadline=None)
@given(st.permutations(VALID))
def test_the_record_does_not_depend_on_resource_order(resources: list[dict[str, Any]]) -> None:
    from dystonia_cds.fhir.mapping import record_from_resources

    assert record_from_resources(resources) == record_from_resources(VALID)
