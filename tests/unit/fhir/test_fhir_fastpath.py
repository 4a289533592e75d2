"""The fast path gives exactly the generic path's facts, or declines (never a different answer).

Compared on: hand-built resources with one element garbled or random fields (hypothesis), every
line of a generated Bulk export, and every resource of the Synthea Bundles."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir.extract import extract_facts, generic_facts
from dystonia_cds.fhir.fastpath import fast_facts
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from dystonia_cds.screening.synth import generate_export
from fhir_builders import (
    concept,
    medication_administration,
    medication_request,
    medication_statement,
    outcome,
    procedure,
    rxnorm,
    synthea_dir,
    text_only,
)

VOCAB = load_vocabulary()
FAST_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationAdministration", "Procedure")
DOSAGE = {
    "route": {"text": "oral"},
    "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
    "doseAndRate": [{"doseQuantity": {"value": 12.5, "unit": "mg"}}],
}
VALID: list[dict[str, Any]] = [
    medication_request(rxnorm("5093", "haloperidol")),
    medication_request(text_only("tetrabenazine 12.5 mg"), dosageInstruction=[DOSAGE]),
    medication_request(text_only("acetaminophen 325 mg"), status="stopped"),
    medication_statement(text_only("trihexyphenidyl"), statusReason=[{"text": "ineffective"}]),
    medication_statement(
        text_only("onabotulinumtoxinA 100 UNT Injection"),
        end="2026-01-01",
        statusReason=[concept(outcome("not-tolerated"))],
        note=[{"text": "trial-outcome: ineffective"}],
    ),
    medication_statement(text_only("levodopa"), start=None, effectiveDateTime="2024-03", dosage=[DOSAGE]),
    medication_administration(text_only("Botox"), units=100, route="intramuscular"),
    medication_administration(
        text_only("abobotulinumtoxinA 500 unit"),
        extension=[{"url": "urn:dystonia-cds:trial-outcome", "valueCode": "good-response"}],
    ),
    procedure(text_only("deep brain stimulation")),
    procedure(text_only("Injection of botulinum toxin"), note=[{"text": "Dysport used"}]),
    procedure(
        text_only("Injection of botulinum toxin (Xeomin)"),
        performedDateTime=None,
        performedPeriod={"start": "2024-01-01", "end": "2024-02-01"},
        outcome=concept(outcome("partial-response")),
    ),
    procedure(text_only("physiotherapy session"), usedCode=[text_only("Botox")]),
]  # fmt: skip
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["2024-01-02", "2024-13-01", "active", "completed", "U", "mg", ""])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "id", "status", "subject", "patient", "medicationCodeableConcept", "medicationReference",
    "authoredOn", "effectiveDateTime", "effectivePeriod", "dateAsserted", "statusReason", "note",
    "extension", "dosage", "dosageInstruction", "code", "performedDateTime", "performedPeriod",
    "outcome", "usedCode",
]  # fmt: skip


def _generic(resource: Any) -> list[Any] | str:
    try:
        return generic_facts(resource, VOCAB)
    except FhirInputError as exc:
        return f"error: {exc}"


def _assert_same(resource: Any) -> bool:
    """The fast path agrees with the generic path; True when it took the resource."""
    expected = _generic(copy.deepcopy(resource))
    fast = fast_facts(resource, VOCAB) if isinstance(resource, dict) else None
    if fast is not None:
        assert fast == expected, resource
    try:
        public: list[Any] | str = extract_facts(resource, VOCAB)
    except FhirInputError as exc:
        public = f"error: {exc}"
    assert public == expected
    return fast is not None


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def test_the_fast_path_takes_every_valid_example_and_agrees() -> None:
    assert all(_assert_same(r) for r in VALID)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(VALID))), st.data(), json_values)
def test_one_garbled_element_gives_the_generic_facts_or_the_generic_error(
    index: int, data: st.DataObject, junk: Any
) -> None:
    resource = copy.deepcopy(VALID[index])
    path = data.draw(st.sampled_from(_paths(resource)))
    target = resource
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    _assert_same(resource)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FAST_TYPES),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=7),
    st.sampled_from(VALID),
)
def test_random_fields_over_a_valid_resource_agree(
    rtype: str, fields: dict[str, Any], base: dict[str, Any]
) -> None:
    _assert_same({**copy.deepcopy(base), **fields, "resourceType": rtype})


def test_every_line_of_a_generated_export_agrees(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=400, seed=5)
    taken = total = 0
    for path in sorted(tmp_path.glob("*.ndjson")):
        for line in path.read_bytes().splitlines():
            resource = orjson.loads(line)
            total += resource["resourceType"] in FAST_TYPES
            taken += _assert_same(resource)
    assert total > 1000
    assert taken == total  # the generated shapes are all common ones


SYNTHEA = sorted(synthea_dir().glob("*.json"))


@pytest.mark.skipif(not SYNTHEA, reason="shared/interop/synthea-r4 not present")
def test_every_resource_of_the_synthea_bundles_agrees() -> None:
    taken = 0
    for path in SYNTHEA:
        for entry in orjson.loads(path.read_bytes())["entry"]:
            taken += _assert_same(entry["resource"])
    assert taken > 100
