"""The shipped example Bundles and the docs' example are valid FHIR (fhir.resources, R4B model:
fhir.resources 7+ ships R4B, not R4; used in tests only, never in the hot path)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from dystonia_cds.fhir.bundle import read_bundle

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
DOC = REPO / "docs" / "fhir-input.md"


def _validate(data: dict) -> None:
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(data)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_bundle_is_valid_fhir_and_reads_without_unrecognized_codes(example: Path) -> None:
    data = orjson.loads(example.read_bytes())
    _validate(data)
    record = read_bundle(data, source=example.name)
    assert record.phenotype.has_dystonia
    assert [u for u in record.unrecognized if u.location != "input"] == []


def test_the_documented_example_bundle_is_valid_and_understood() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{\n  \"resourceType\": \"Bundle\".*?)\n```", text, re.S)
    assert block is not None
    data = orjson.loads(block.group(1))
    _validate(data)
    record = read_bundle(data, source="docs")
    assert record.phenotype.has_dystonia
    assert [u for u in record.unrecognized if u.location != "input"] == []
