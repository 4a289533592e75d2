"""The synthetic export generator: deterministic, realistic mix, every resource type."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import orjson
import pytest

from dystonia_cds.screening.synth import generate_export
from dystonia_cds.screening.synth.writer import RESOURCE_TYPES


def _bytes_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("compress", [False, True])
def test_the_same_seed_writes_byte_identical_files(tmp_path: Path, compress: bool) -> None:
    generate_export(tmp_path / "a", patients=300, seed=7, compress=compress)
    generate_export(tmp_path / "b", patients=300, seed=7, compress=compress)
    assert _bytes_of(tmp_path / "a") == _bytes_of(tmp_path / "b")


def test_another_seed_writes_another_population(tmp_path: Path) -> None:
    generate_export(tmp_path / "a", patients=100, seed=1)
    generate_export(tmp_path / "b", patients=100, seed=2)
    assert _bytes_of(tmp_path / "a") != _bytes_of(tmp_path / "b")


def test_every_resource_type_gets_a_numbered_ndjson_file(tmp_path: Path) -> None:
    summary = generate_export(tmp_path, patients=400, seed=1, compress=True)
    names = {p.name for p in summary.files}
    assert {f"{t}.000.ndjson.gz" for t in RESOURCE_TYPES} <= names
    lines = gzip.decompress((tmp_path / "Patient.000.ndjson.gz").read_bytes()).splitlines()
    assert len(lines) == 400
    assert all(orjson.loads(line)["resourceType"] == "Patient" for line in lines)


def test_cervical_dystonia_and_blepharospasm_are_the_most_common_forms(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=1500, seed=5)
    conditions = [
        orjson.loads(line)["code"]
        for line in (tmp_path / "Condition.000.ndjson").read_bytes().splitlines()
    ]
    texts = Counter(
        c["text"] for c in conditions if c.get("coding", [{}])[0].get("code", "")[:3] == "G24"
    )
    top_two = {text for text, _ in texts.most_common(2)}
    assert top_two == {"Cervical dystonia", "Blepharospasm"}


def test_every_resource_references_a_patient_of_the_export(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=200, seed=3)
    ids = {
        orjson.loads(line)["id"]
        for line in (tmp_path / "Patient.000.ndjson").read_bytes().splitlines()
    }
    for path in tmp_path.glob("*.ndjson"):
        if path.name.startswith("Patient."):
            continue
        for line in path.read_bytes().splitlines():
            reference = orjson.loads(line)["subject"]["reference"]
            assert reference.removeprefix("Patient/") in ids
