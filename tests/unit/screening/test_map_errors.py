"""The map phase reports bad lines with file and line number and goes on."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import orjson
import pytest

from dystonia_cds.fhir.facts import Fact
from dystonia_cds.screening.grouping import decode_facts, reduce_bucket
from dystonia_cds.screening.mapper import map_partition
from dystonia_cds.screening.measures import MEASURE_IDS
from dystonia_cds.screening.outputs import resolve_lines
from dystonia_cds.screening.partitions import plan_partitions

PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "2010-05-01", "gender": "female"}
CONDITION = {
    "resourceType": "Condition",
    "id": "c1",
    "subject": {"reference": "Patient/p1"},
    "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G24.3"}]},
}


def _line(resource: object) -> bytes:
    return orjson.dumps(resource) + b"\n"


def _errors(folder: Path, target: int = 1 << 20) -> list[tuple[str, int, str]]:
    found = []
    for part in plan_partitions(sorted(folder.iterdir()), target):
        found.extend(map_partition(part, 4).errors)
    return [(e.file, e.line, e.reason) for e in resolve_lines(found, folder)]


def test_malformed_line_no_subject_and_unknown_type_are_reported_with_their_lines(
    tmp_path: Path,
) -> None:
    no_subject = {k: v for k, v in CONDITION.items() if k != "subject"}
    lines = [
        _line(PATIENT),
        b"{not json\n",
        _line(no_subject),
        _line({"resourceType": "Spaceship"}),
        _line(CONDITION),
    ]
    (tmp_path / "Mixed.000.ndjson").write_bytes(b"".join(lines))
    errors = _errors(tmp_path)
    assert [(f, n) for f, n, _ in errors] == [
        ("Mixed.000.ndjson", 2),
        ("Mixed.000.ndjson", 3),
        ("Mixed.000.ndjson", 4),
    ]
    assert "malformed JSON" in errors[0][2]
    assert "without a subject" in errors[1][2]
    assert "unknown resource type 'Spaceship'" in errors[2][2]


def test_line_numbers_count_from_the_start_of_the_file_in_later_byte_ranges(tmp_path: Path) -> None:
    lines = [_line(PATIENT)] * 500 + [b"oops\n"] + [_line(PATIENT)] * 10
    (tmp_path / "Patient.000.ndjson").write_bytes(b"".join(lines))
    assert [(f, n) for f, n, _ in _errors(tmp_path, target=4096)] == [("Patient.000.ndjson", 501)]


def test_a_truncated_gzip_is_one_error_naming_the_first_line_lost(tmp_path: Path) -> None:
    whole = gzip.compress(b"".join(_line({**PATIENT, "id": f"p{i}"}) for i in range(3000)))
    (tmp_path / "Patient.000.ndjson.gz").write_bytes(whole[: len(whole) // 2])
    [(name, line, reason)] = _errors(tmp_path)
    assert name == "Patient.000.ndjson.gz"
    assert 1 < line < 3000
    assert "truncated gzip" in reason


def test_facts_are_routed_to_one_bucket_per_patient(tmp_path: Path) -> None:
    lines = [_line({**PATIENT, "id": f"p{i}"}) for i in range(40)]
    (tmp_path / "Patient.000.ndjson").write_bytes(b"".join(lines))
    result = map_partition(plan_partitions([tmp_path / "Patient.000.ndjson"])[0], 4)
    seen: dict[str, int] = {}
    for index, blob in enumerate(result.buckets):
        facts: list[Fact] = decode_facts(blob)
        for fact in facts:
            assert seen.setdefault(fact.patient_id, index) == index
    assert len(seen) == 40
    assert result.resources == 40


def test_a_patient_whose_record_cannot_be_assembled_is_reported_and_the_rest_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dystonia_cds.domain.errors import FhirInputError
    from dystonia_cds.fhir import assemble

    real = assemble.assemble_record

    def fragile(patient_id: str, facts: list[Fact]) -> object:
        if patient_id == "p3":
            raise FhirInputError("cannot assemble", location="Patient/p3")
        return real(patient_id, facts)

    monkeypatch.setattr(assemble, "assemble_record", fragile)
    (tmp_path / "Patient.000.ndjson").write_bytes(
        b"".join(
            _line({**PATIENT, "id": f"p{i}"})
            + _line({**CONDITION, "id": f"c{i}", "subject": {"reference": f"Patient/p{i}"}})
            for i in range(5)
        )
    )
    result = map_partition(plan_partitions([tmp_path / "Patient.000.ndjson"])[0], 1)
    bucket = reduce_bucket(result.buckets, [], date(2026, 11, 1), MEASURE_IDS)
    assert [row[0] for row in bucket.rows] == ["p0", "p1", "p2", "p4"]
    assert bucket.errors == ["patient p3: Patient/p3: cannot assemble"]


def test_an_allergy_to_botulinum_toxin_is_read_through_its_patient_reference(
    tmp_path: Path,
) -> None:
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "patient": {"reference": "Patient/p1"},
        "code": {"text": "Botulinum toxin allergy"},
    }
    (tmp_path / "AllergyIntolerance.000.ndjson").write_bytes(_line(allergy))
    result = map_partition(plan_partitions(sorted(tmp_path.iterdir()))[0], 1)
    assert result.errors == []
    facts = decode_facts(result.buckets[0])
    assert [(f.patient_id, getattr(f, "condition", None)) for f in facts] == [
        ("p1", "botulinum-toxin-hypersensitivity")
    ]
