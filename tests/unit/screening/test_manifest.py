"""Reading a Bulk export as it comes: a directory or a `$export` manifest, several files per
type, plain or gzip; types screening does not read are skipped unopened and counted."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.screening.partitions import find_export, read_manifest, type_from_name

LINE = b'{"resourceType":"Patient","id":"p1"}\n'


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Patient.000.ndjson", "Patient"),
        ("Observation-2.ndjson.gz", "Observation"),
        ("1.Condition.ndjson", "Condition"),
        ("Claim_3.ndjson", "Claim"),
        ("Spaceship.ndjson", "Spaceship"),
        ("export.ndjson", None),
    ],
)
def test_a_file_name_gives_its_resource_type(name: str, kind: str | None) -> None:
    assert type_from_name(name) == kind


def _manifest(folder: Path, output: list[dict[str, object]]) -> Path:
    path = folder / "manifest.json"
    path.write_bytes(orjson.dumps({"transactionTime": "2026-11-01T00:00:00Z", "output": output}))
    return path


def test_a_manifest_names_files_by_relative_path_or_file_url(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_bytes(LINE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.ndjson.gz").write_bytes(gzip.compress(LINE))
    (tmp_path / "claims.ndjson").write_bytes(b"{}\n")
    path = _manifest(
        tmp_path,
        [
            {"type": "Patient", "url": "a.ndjson"},
            {"type": "Condition", "url": (tmp_path / "sub" / "b.ndjson.gz").as_uri()},
            {"type": "Claim", "url": "claims.ndjson"},
            {"type": "Spaceship", "url": "claims.ndjson"},
        ],
    )
    export = read_manifest(path)
    assert [(f.path.name, f.resource_type) for f in export.files] == [
        ("a.ndjson", "Patient"),
        ("b.ndjson.gz", "Condition"),
    ]
    assert export.skipped == {"Claim": 1, "Spaceship": 1}


def test_a_remote_url_is_read_from_the_file_downloaded_beside_the_manifest(
    tmp_path: Path,
) -> None:
    (tmp_path / "Patient-1.ndjson").write_bytes(LINE)
    url = "https://bulk.example.org/output/Patient-1.ndjson"
    export = find_export(_manifest(tmp_path, [{"type": "Patient", "url": url}]))
    assert [f.path.name for f in export.files] == ["Patient-1.ndjson"]


def test_a_directory_holding_a_manifest_is_read_through_it(tmp_path: Path) -> None:
    (tmp_path / "x.ndjson").write_bytes(LINE)
    (tmp_path / "Patient.ndjson").write_bytes(LINE)  # not in the manifest: not read
    _manifest(tmp_path, [{"type": "Patient", "url": "x.ndjson"}])
    assert [f.path.name for f in find_export(tmp_path).files] == ["x.ndjson"]


def test_a_manifest_naming_a_missing_file_is_refused_naming_the_entry(tmp_path: Path) -> None:
    path = _manifest(tmp_path, [{"type": "Patient", "url": "gone.ndjson"}])
    with pytest.raises(InvalidInput, match=r"output\[0\].*gone\.ndjson|gone\.ndjson.*output\[0\]"):
        read_manifest(path)


@pytest.mark.parametrize("body", [b"[]", b"{}", b'{"output": [{"type": "Patient"}]}', b"{"])
def test_a_malformed_manifest_is_a_clear_error(tmp_path: Path, body: bytes) -> None:
    (tmp_path / "manifest.json").write_bytes(body)
    with pytest.raises(InvalidInput, match=r"manifest|url"):
        read_manifest(tmp_path / "manifest.json")


def test_unknown_and_unread_types_in_a_directory_are_counted_not_errors(tmp_path: Path) -> None:
    for name in ("Patient.000.ndjson", "Encounter.000.ndjson", "Encounter.001.ndjson.gz"):
        (tmp_path / name).write_bytes(LINE)
    (tmp_path / "Spaceship.000.ndjson").write_bytes(LINE)
    export = find_export(tmp_path)
    assert [f.path.name for f in export.files] == ["Patient.000.ndjson"]
    assert export.skipped == {"Encounter": 2, "Spaceship": 1}
