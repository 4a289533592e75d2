"""Typed decoding of the hot types (msgspec Structs naming the read fields) changes no fact,
count or error.

Two checks: the mapping's handlers read no top-level field the Structs leave out (recorded on
builder examples, a generated export and the Synthea Bundles), and a partition mapped with the
typed decoder gives byte-identical packed facts, counts and errors to the orjson-only path
(on a generated export, on hypothesis-made and hypothesis-garbled lines, and on the Synthea
resources)."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any, get_args

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir.extract import generic_facts
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from dystonia_cds.screening.decode import Line, typed_facts
from dystonia_cds.screening.mapper import _check, default_extract, map_partition
from dystonia_cds.screening.partitions import Partition
from dystonia_cds.screening.synth import generate_export
from fhir_builders import (
    condition,
    gene_observation,
    icd10,
    medication_administration,
    medication_request,
    medication_statement,
    patient,
    procedure,
    rxnorm,
    synthea_dir,
    text_only,
    weight_observation,
)

VOCAB = load_vocabulary()
EXAMPLES: list[dict[str, Any]] = [
    patient(),
    condition(icd10("G24.3"), body_sites=[text_only("neck")], onsetAge={"value": 7, "code": "a"}),
    condition(icd10("G24.9"), clinical=None, abatementDateTime="2020-01-01"),
    condition(
        text_only("generalized dystonia"),
        clinical="flare",
        onsetPeriod={"start": "2019-05-01"},
        extension=[{"url": "urn:dystonia-cds:course", "valueCode": "progressive"}],
        body_sites=[text_only("trunk"), text_only("left arm")],
    ),
    condition(text_only("Wilson disease"), verification="refuted"),
    condition(text_only("major depression"), onsetDateTime="2001-02-03"),
    medication_request(rxnorm("5093", "haloperidol")),
    medication_request(
        text_only("tetrabenazine 12.5 mg"),
        dosageInstruction=[{"doseAndRate": [{"doseQuantity": {"value": 12.5, "unit": "mg"}}]}],
    ),
    medication_statement(text_only("trihexyphenidyl"), statusReason=[{"text": "ineffective"}]),
    medication_administration(text_only("Botox"), units=100, route="intramuscular"),
    medication_request(
        None,
        medicationReference={"reference": "#m1"},
        contained=[{"resourceType": "Medication", "id": "m1", "code": text_only("levodopa")}],
    ),
    {"resourceType": "Medication", "id": "m2", "code": text_only("baclofen")},
    procedure(text_only("deep brain stimulation"), note=[{"text": "trial-outcome: ineffective"}]),
    gene_observation("TOR1A"),
    {
        "resourceType": "Observation",
        "id": "o-height",
        "status": "final",
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "8302-2", "display": "Body height"}],
            "text": "Body height",
        },
        "subject": {"reference": "Patient/p"},
        "effectiveDateTime": "2026-01-01",
        "valueQuantity": {"value": 160, "unit": "cm"},
    },
    weight_observation(30),
    {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "patient": {"reference": "Patient/p"},
        "code": text_only("botulinum toxin"),
    },
]
SYNTHEA = sorted(synthea_dir().glob("*.json"))


class _Recording(dict[str, Any]):
    """A resource that remembers which top-level fields were read, and which were tested for
    presence (`in`, `.get` with a default); reading it whole would be an error."""

    read: set[str]
    presence: set[str]

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        if default is not None:
            self.presence.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        self.presence.add(str(key))
        return super().__contains__(key)

    def __iter__(self) -> Any:
        raise AssertionError("the mapping iterates over a resource's fields")

    def keys(self) -> Any:
        raise AssertionError("the mapping lists a resource's fields")

    def items(self) -> Any:
        raise AssertionError("the mapping lists a resource's fields")


def _fields_read(resource: dict[str, Any]) -> tuple[set[str], set[str]]:
    recording = _Recording(resource)
    recording.read, recording.presence = set(), set()
    with contextlib.suppress(FhirInputError):
        generic_facts(recording, VOCAB)
    _check(recording)
    return recording.read - {"resourceType"}, recording.presence


def _synthea_resources() -> list[dict[str, Any]]:
    return [e["resource"] for p in SYNTHEA for e in orjson.loads(p.read_bytes())["entry"]]


def _export_lines(folder: Path) -> list[bytes]:
    return [line for p in sorted(folder.glob("*.ndjson")) for line in p.read_bytes().splitlines()]


STRUCTS = {s.__struct_config__.tag: s for s in get_args(Line)}
PRESENCE = {  # the fields typed with an UNSET default (absent kept apart from null)
    "subject", "medicationCodeableConcept", "effectiveDateTime", "abatementDateTime",
    "abatementAge", "abatementPeriod", "abatementRange", "abatementString",
}  # fmt: skip


def test_the_handlers_read_only_fields_the_structs_declare_where_the_typed_path_reads(
    tmp_path: Path,
) -> None:
    generate_export(tmp_path, patients=150, seed=9)
    resources = EXAMPLES + _synthea_resources() + [orjson.loads(x) for x in _export_lines(tmp_path)]
    seen = set()
    for resource in resources:
        struct = STRUCTS.get(resource["resourceType"])
        if struct is not None and typed_facts(orjson.dumps(resource), VOCAB) is not None:
            read, presence = _fields_read(resource)
            assert read <= set(struct.__struct_fields__), struct
            assert presence <= PRESENCE, struct
            seen.add(struct)
    assert seen == set(STRUCTS.values())


def test_the_typed_path_takes_common_lines_and_declines_the_rest() -> None:
    administration = next(e for e in EXAMPLES if e["resourceType"] == "MedicationAdministration")
    by_reference = next(e for e in EXAMPLES if "medicationReference" in e)
    assert typed_facts(orjson.dumps(administration), VOCAB)
    declined = [
        b'{"resourceType":"Encounter","id":"e"}',
        b"[1, 2]",
        b'{"resourceType":"Procedure","id":"\xff"}',
        orjson.dumps(by_reference),
        orjson.dumps({**administration, "subject": None}),
        orjson.dumps({**administration, "effectiveDateTime": "2026-02-30"}),
        b'{"resourceType":"Patient","id":""}',
    ]
    assert all(typed_facts(line, VOCAB) is None for line in declined)


def _map_both(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    part = Partition(str(path), 0, len(data), False)
    typed = map_partition(part, 5)
    plain = map_partition(part, 5, extract=default_extract())  # a given extract: orjson only
    assert typed == plain


def test_a_generated_export_maps_identically(tmp_path: Path) -> None:
    generate_export(tmp_path / "export", patients=300, seed=4)
    for path in sorted((tmp_path / "export").glob("*.ndjson")):
        _map_both(tmp_path / path.name, path.read_bytes())
    hot = [
        x for x in _export_lines(tmp_path / "export") if orjson.loads(x)["resourceType"] in STRUCTS
    ]
    taken = sum(typed_facts(x, VOCAB) is not None for x in hot)
    assert taken > 0.8 * len(hot) > 1000  # the typed path is the common one


def test_the_synthea_resources_map_identically(tmp_path: Path) -> None:
    lines = b"".join(orjson.dumps(r) + b"\n" for r in _synthea_resources())
    _map_both(tmp_path / "synthea.ndjson", lines)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | st.sampled_from(["2024-01-02", "2024-13-01", "active", "refuted", "Patient/p1", "kg"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
ALL_FIELDS = sorted({f for s in STRUCTS.values() for f in s.__struct_fields__} | {"meta", "text"})
HOT = [e for e in EXAMPLES if e["resourceType"] in STRUCTS]


def _dumps(value: Any) -> bytes:
    """Any JSON, big integers and non-ASCII text included (orjson refuses ints over 64 bits)."""
    try:
        return json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: escaped
        return json.dumps(value).encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(EXAMPLES),
            st.dictionaries(st.sampled_from(ALL_FIELDS), json_values, max_size=4),
            st.sampled_from([b"", b"", b"", b"{", b"[]", b"\xff", b'{"resourceType":"Encounter"}']),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_lines_map_identically(
    tmp_path_factory: Any, items: list[tuple[dict[str, Any], dict[str, Any], bytes]]
) -> None:
    lines = []
    for base, fields, junk in items:
        lines.append(_dumps({**copy.deepcopy(base), **fields}) + b"\n")
        if junk:
            lines.append(junk + b"\n")
    _map_both(tmp_path_factory.mktemp("lines") / "x.ndjson", b"".join(lines))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(HOT), st.data(), json_values), min_size=1, max_size=8))
def test_garbled_hot_lines_map_identically(
    tmp_path_factory: Any, items: list[tuple[dict[str, Any], st.DataObject, Any]]
) -> None:
    lines = []
    for base, data, junk in items:
        resource = copy.deepcopy(base)
        path = data.draw(st.sampled_from(_paths(resource)))
        target = resource
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = junk
        lines.append(_dumps(resource) + b"\n")
    _map_both(tmp_path_factory.mktemp("garbled") / "x.ndjson", b"".join(lines))
