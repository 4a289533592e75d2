"""The fast path gives exactly the generic path's facts, or declines (never a different answer).

Compared on: hand-built resources with one element garbled or random fields (hypothesis), every
line of a generated Bulk export, and every resource of the Synthea Bundles."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir import extract
from dystonia_cds.fhir.extract import extract_facts, generic_facts
from dystonia_cds.fhir.fastpath import fast_facts
from dystonia_cds.fhir.mapping import record_from_resources
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from dystonia_cds.screening.synth import generate_export
from fhir_builders import (
    LOINC,
    coding,
    concept,
    condition,
    gene_observation,
    icd10,
    medication_administration,
    medication_request,
    medication_statement,
    outcome,
    patient,
    phenotype_extension,
    procedure,
    rxnorm,
    snomed,
    subject,
    synthea_dir,
    text_only,
    weight_observation,
)
from mutation import paths, set_at

VOCAB = load_vocabulary()
DRUG_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationAdministration", "Procedure")
FAST_TYPES = (*DRUG_TYPES, "Condition", "Observation", "Patient")
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
    condition(icd10("G24.3", "Spasmodic torticollis"), onsetDateTime="2020-04-01"),
    condition(
        icd10("G24.1", text="Generalized dystonia"),
        body_sites=[text_only("neck"), text_only("left leg"), text_only("elbow skin")],
        onsetAge={"value": 9, "unit": "a"},
        extension=[phenotype_extension("course", "progressive"), phenotype_extension("x", "y")],
    ),
    condition(icd10("G24.3"), clinical=None, onsetPeriod={"start": "2019", "end": "2020"}),
    condition(icd10("E83.01", "Wilson disease"), verification="refuted"),
    condition(icd10("I10", "Essential hypertension"), verification="entered-in-error"),
    condition(icd10("F32.9", "Depression"), clinical="resolved"),
    condition(icd10("F32.9", "Depression"), clinical="unknown-status"),
    condition(text_only("narrow-angle glaucoma"), clinical=None, abatementDateTime="2021-01-01"),
    condition(snomed("44054006", "Diabetes"), clinical=None),
    {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": concept(coding(LOINC, "8480-6", "Systolic blood pressure"), text="BP"),
        "subject": subject(),
        "valueQuantity": {"value": 120, "unit": "mmHg"},
    },
    {"resourceType": "Observation", "id": "o2", "status": "cancelled", "code": text_only("x")},
    patient(),
    patient(gender=None, birth_date="2001-07"),
]  # fmt: skip
DECLINED: list[dict[str, Any]] = [  # shapes the generic path reads (same facts, tested here)
    {"resourceType": "Observation", "id": "o3", "code": text_only("GCH1 sequencing")},
    weight_observation(31.5),
    gene_observation("GCH1"),
    patient(gender="robot"),
]
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
    "outcome", "usedCode", "clinicalStatus", "verificationStatus", "onsetDateTime",
    "onsetPeriod", "onsetAge", "bodySite", "abatementDateTime", "birthDate", "gender",
    "valueQuantity", "component", "valueCodeableConcept",
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


def test_the_fast_path_takes_every_valid_example_and_agrees() -> None:
    assert all(_assert_same(r) for r in VALID)


def test_weights_genetic_results_and_odd_genders_are_left_to_the_generic_path() -> None:
    assert not any(_assert_same(r) for r in DECLINED)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(VALID) + len(DECLINED))), st.data(), json_values)
def test_one_garbled_element_gives_the_generic_facts_or_the_generic_error(
    index: int, data: st.DataObject, junk: Any
) -> None:
    resource = copy.deepcopy([*VALID, *DECLINED][index])
    set_at(resource, data.draw(st.sampled_from(list(paths(resource)))), junk)
    _assert_same(resource)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FAST_TYPES),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=7),
    st.sampled_from([*VALID, *DECLINED]),
)
def test_random_fields_over_a_valid_resource_agree(
    rtype: str, fields: dict[str, Any], base: dict[str, Any]
) -> None:
    _assert_same({**copy.deepcopy(base), **fields, "resourceType": rtype})


def test_every_line_of_a_generated_export_agrees(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=400, seed=5)
    taken: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for path in sorted(tmp_path.glob("*.ndjson")):
        for line in path.read_bytes().splitlines():
            resource = orjson.loads(line)
            total[resource["resourceType"]] += 1
            taken[resource["resourceType"]] += _assert_same(resource)
    assert sum(total[t] for t in DRUG_TYPES) > 1000
    for rtype in (*DRUG_TYPES, "Condition", "Patient"):
        assert taken[rtype] == total[rtype], rtype  # the generated shapes are all common ones


SYNTHEA = sorted(synthea_dir().glob("*.json"))


@pytest.mark.skipif(not SYNTHEA, reason="shared/interop/synthea-r4 not present")
def test_every_resource_of_the_synthea_bundles_agrees() -> None:
    taken = 0
    for path in SYNTHEA:
        for entry in orjson.loads(path.read_bytes())["entry"]:
            taken += _assert_same(entry["resource"])
    assert taken > 100


EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.json"))


def _bench_prefetch() -> list[dict[str, Any]]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from cdshooks_load import prefetch_resources

    return prefetch_resources(50)


@pytest.mark.parametrize(
    "name", [p.name for p in EXAMPLES] + [p.name for p in SYNTHEA] + ["bench prefetch"]
)
def test_the_record_is_the_generic_paths_record(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole mapping (`record_from_resources`, as CDS Hooks runs it) with and without the
    fast path gives the same PatientRecord, on the examples, Synthea and the bench's prefetch."""
    paths = {p.name: p for p in [*EXAMPLES, *SYNTHEA]}
    if name in paths:
        resources = [e["resource"] for e in orjson.loads(paths[name].read_bytes())["entry"]]
    else:
        resources = _bench_prefetch()
    fast = record_from_resources(copy.deepcopy(resources))
    monkeypatch.setattr(extract, "fast_facts", lambda _r, _v: None)
    assert record_from_resources(copy.deepcopy(resources)) == fast


def test_the_concept_memos_keep_a_few_vocabularies_and_still_agree() -> None:
    from dystonia_cds.fhir import fastpath

    vocabularies = [copy.copy(VOCAB) for _ in range(fastpath.MAX_VOCABULARIES + 3)]
    for vocab in vocabularies:
        for resource in VALID:
            assert fast_facts(copy.deepcopy(resource), vocab) == fast_facts(resource, VOCAB)
    assert len(fastpath._vocabularies) <= fastpath.MAX_VOCABULARIES
