"""The cohort search and the pruned map phase: needles from the vocabulary, lines that must
never be dropped, windows judged from their references."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from dystonia_cds.knowledge.vocabulary import load_vocabulary
from dystonia_cds.screening.grouping import decode_facts
from dystonia_cds.screening.mapper import map_partition
from dystonia_cds.screening.partitions import ExportFile, plan_partitions
from dystonia_cds.screening.prune import (
    candidate_lines,
    cohort_rules,
    scan_cohort,
    vocabulary_codes,
)

RULES = cohort_rules()


def _covered(text: str) -> bool:
    return any(needle in text.lower().encode() for needle in RULES.needles)


def test_every_dystonia_form_code_of_the_loaded_vocabulary_has_a_needle() -> None:
    codes = vocabulary_codes(load_vocabulary().entries())
    assert codes
    assert all(any(n in code for n in RULES.needles) for code in codes)


def test_every_name_of_a_dystonia_form_holds_a_needle() -> None:
    for name in RULES.names:
        assert _covered(" ".join(name)), name


@pytest.mark.parametrize(
    "text",
    [
        "Cervical DYSTONIA",
        "spasmodic Torticollis",
        "BLEPHAROSPASM",
        "Writer's cramp",
        "Oculogyric crisis",
        "G24.3",
        "g243",
    ],
)
def test_dystonia_written_any_way_is_a_candidate_and_could_be_dystonia(text: str) -> None:
    line = orjson.dumps({"resourceType": "Condition", "code": {"text": text}})
    assert candidate_lines(line + b"\n", RULES.needles) == [line]
    assert RULES.could_be_dystonia(orjson.loads(line))


def test_escaped_and_non_ascii_text_is_decoded_before_it_is_judged() -> None:
    escaped = b'{"resourceType":"Condition","code":{"text":"\\u0064ystonia"}}'
    accented = '{"resourceType":"Condition","code":{"text":"Dystonie cervicale é"}}'.encode()
    block = escaped + b"\n" + accented + b"\n"
    assert candidate_lines(block, RULES.needles) == [escaped, accented]
    assert RULES.could_be_dystonia(orjson.loads(escaped))


@pytest.mark.parametrize(
    "text", ["Cervicalgia", "Congenital torticollis", "Essential tremor", "Restless legs syndrome"]
)
def test_near_misses_do_not_enter_the_cohort(text: str) -> None:
    assert not RULES.could_be_dystonia({"code": {"text": text}})


def _write(path: Path, resources: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in resources))
    return path


def _condition(n: int, patient: str, text: str) -> dict[str, object]:
    return {
        "resourceType": "Condition",
        "id": f"c{n}",
        "subject": {"reference": f"Patient/{patient}"},
        "code": {"text": text},
    }


def test_the_cohort_is_the_subjects_of_condition_lines_that_could_be_dystonia(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "Condition.000.ndjson",
        [
            _condition(1, "a", "Hypertension"),
            _condition(2, "b", "Cervical dystonia"),
            _condition(3, "c", "Cervicalgia"),
            _condition(4, "d", "Blepharospasm"),
        ],
    )
    scan = scan_cohort(plan_partitions([ExportFile(path, "Condition")])[0])
    assert scan.patients == {"b", "d"}


def _observation(n: int, patient: str, **extra: object) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "id": f"o{n}",
        "status": "final",
        "subject": {"reference": f"Patient/{patient}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "valueQuantity": {"value": 70, "unit": "kg", "code": "kg"},
        **extra,
    }


def _pruned(tmp_path: Path, lines: list[bytes], cohort: set[str]) -> tuple[set[str], object]:
    path = tmp_path / "Observation.000.ndjson"
    path.write_bytes(b"".join(lines))
    part = plan_partitions([ExportFile(path, "Observation")])[0]
    result = map_partition(part, 1, cohort=frozenset(cohort))
    facts = decode_facts(result.buckets[0])
    return {f.patient_id for f in facts}, result


def _line(resource: dict[str, object]) -> bytes:
    return orjson.dumps(resource) + b"\n"


def test_only_the_cohort_s_lines_are_decoded(tmp_path: Path) -> None:
    lines = [_line(_observation(n, p)) for n, p in enumerate("aabbbcc")]
    patients, result = _pruned(tmp_path, lines, {"b"})
    assert patients == {"b"}
    assert result.resources == 3  # type: ignore[attr-defined]
    assert result.pruned == sum(len(line) for line in lines) - sum(len(x) for x in lines[2:5])  # type: ignore[attr-defined]


def test_a_window_without_the_cohort_is_dropped_whole(tmp_path: Path) -> None:
    lines = [_line(_observation(n, p)) for n, p in enumerate("aaxyz")]
    patients, result = _pruned(tmp_path, lines, {"b"})
    assert patients == set()
    assert result.errors == []  # type: ignore[attr-defined]


def test_a_spaced_or_reordered_subject_of_a_cohort_patient_is_still_read(tmp_path: Path) -> None:
    spaced = b'{"resourceType": "Observation", "id": "s", "status": "final", "subject": {"display": "B", "reference": "Patient/b"}, "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}, "valueQuantity": {"value": 70, "unit": "kg", "code": "kg"}}\n'
    lines = [_line(_observation(1, "a")), spaced, _line(_observation(2, "c"))]
    patients, _ = _pruned(tmp_path, lines, {"b"})
    assert patients == {"b"}


def test_a_cohort_reference_written_as_a_full_url_is_read(tmp_path: Path) -> None:
    url = _observation(1, "x")
    url["subject"] = {"reference": "https://ehr.example.org/fhir/Patient/b"}
    patients, _ = _pruned(tmp_path, [_line(_observation(2, "a")), _line(url)], {"b"})
    assert patients == {"b"}


def test_bad_lines_among_pruned_ones_are_still_reported_with_their_line(tmp_path: Path) -> None:
    lines = [
        _line(_observation(1, "a")),
        b"{broken\n",
        _line({"resourceType": "Observation", "id": "n"}),
        _line({**_observation(3, "a"), "resourceType": "Starship"}),
    ]
    _, result = _pruned(tmp_path, lines, {"b"})
    reasons = [(e.line, e.reason.split(" (")[0]) for e in result.errors]  # type: ignore[attr-defined]
    assert [line for line, _ in reasons] == [2, 3, 4]
    assert "malformed JSON" in reasons[0][1]
