"""The care catalog loads, is versioned, and names file/entry/field when a file is bad."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dystonia_cds.care import scale_definitions
from dystonia_cds.domain.errors import KnowledgeError
from dystonia_cds.knowledge import catalog_files
from dystonia_cds.knowledge.care_catalog import BotulinumCatalog, load_care_catalog


def test_every_care_file_has_a_version_and_a_change_history():
    catalog = load_care_catalog()
    for part in (catalog.botulinum, catalog.scales, catalog.titration):
        assert part.version
        assert part.changes
    assert catalog.version.count("+") == 2


def test_the_catalog_is_loaded_once():
    assert load_care_catalog() is load_care_catalog()


def test_product_ids_are_the_contract_ids_and_serotypes_match_the_reference():
    products = {p.id: p.serotype for p in load_care_catalog().botulinum.products}
    assert products == {
        "onabotulinumtoxinA": "A",
        "abobotulinumtoxinA": "A",
        "incobotulinumtoxinA": "A",
        "rimabotulinumtoxinB": "B",
        "daxibotulinumtoxinA": "A",
    }


def test_only_the_maxima_the_reference_states_are_enforced():
    maxima = {
        (m.product, m.indication, m.max_units, m.source)
        for m in load_care_catalog().botulinum.maxima
    }
    assert maxima == {
        ("onabotulinumtoxinA", None, 400, "R11d"),
        ("onabotulinumtoxinA", "blepharospasm", 200, "R11b"),
        ("incobotulinumtoxinA", None, 400, "R13c"),
    }


def test_unverified_facts_are_flagged_not_enforced():
    unverified = [d for d in load_care_catalog().botulinum.dose_ranges if not d.verified]
    assert all(d.max_units is None for d in unverified)
    twstrs = load_care_catalog().scale("twstrs")
    assert twstrs is not None
    assert {i.key for i in twstrs.items if not i.verified} == {
        "severity_range_of_motion",
        "severity_time_near_neutral",
        "pain_severity",
        "pain_duration",
        "pain_disability",
    }


def test_a_bad_file_is_refused_with_file_entry_and_field(monkeypatch):
    good = catalog_files.read_file("data/care", "botulinum.toml")
    good["muscles"][3] = {**good["muscles"][3], "colour": "red"}
    monkeypatch.setattr(catalog_files, "read_file", lambda folder, name: good)
    with pytest.raises(KnowledgeError) as err:
        catalog_files.validate_file("data/care", "botulinum.toml", BotulinumCatalog)
    text = str(err.value)
    assert "botulinum.toml" in text
    assert "muscles[trapezius]" in text
    assert "colour" in text


def test_a_cross_reference_to_an_unknown_indication_is_refused(monkeypatch):
    data = catalog_files.read_file("data/care", "botulinum.toml")
    data["products"][0]["labelled"][0] = {
        **data["products"][0]["labelled"][0],
        "indication": "migraine",
    }
    monkeypatch.setattr(catalog_files, "read_file", lambda folder, name: data)
    with pytest.raises(KnowledgeError, match="migraine"):
        catalog_files.validate_file("data/care", "botulinum.toml", BotulinumCatalog)


def test_scale_definitions_have_the_contract_shape():
    scales = {s["id"]: s for s in scale_definitions()}
    assert set(scales) == {"twstrs", "bfmdrs", "jrs"}
    assert scales["twstrs"]["subscales"] == ["severity", "disability", "pain"]
    assert scales["bfmdrs"]["subscales"] == ["movement", "disability"]
    assert scales["jrs"]["subscales"] == []
    for scale in scales.values():
        for item in scale["items"]:
            assert set(item) == {"key", "label", "min", "max", "subscale"}
            assert item["key"].isidentifier()
            assert item["key"].islower()
            assert len(item["label"]) <= 60
    assert scales["twstrs"]["subscale_ranges"]["total"] == [0, 85]
    assert scales["bfmdrs"]["subscale_ranges"]["total"] == [0, 150]
    assert scales["jrs"]["subscale_ranges"]["total"] == [0, 8]


@pytest.mark.parametrize(
    ("scale", "key"),
    [
        ("twstrs", "severity_rotation"),
        ("twstrs", "disability_work"),
        ("bfmdrs", "eyes_provoking"),
        ("bfmdrs", "eyes_severity"),
        ("jrs", "severity"),
        ("jrs", "frequency"),
    ],
)
def test_the_agreed_item_keys_exist(scale, key):
    scales = {s["id"]: s for s in scale_definitions()}
    assert key in {i["key"] for i in scales[scale]["items"]}


def _source_keys(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_source_keys(v) for v in node.values())) if node else set()
    if isinstance(node, list | tuple):
        return set().union(*(_source_keys(v) for v in node)) if node else set()
    if isinstance(node, str):
        return set(re.findall(r"\bR\d+[a-z]?\b", node))
    return set()


def test_every_source_key_in_the_care_data_exists_in_the_reference():
    reference = Path(__file__).resolve().parents[4] / "shared" / "clinical" / "reference.md"
    if not reference.exists():
        pytest.skip("shared clinical reference not available")
    text = reference.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (R\d+[a-z]?) \|", text, flags=re.M))
    used = set()
    for name in ("botulinum.toml", "scales.toml", "titration.toml"):
        used |= _source_keys(catalog_files.read_file("data/care", name))
    assert used
    assert used <= listed, sorted(used - listed)


def test_descriptions_serialise_to_json():
    import orjson

    from dystonia_cds.care import injection_vocabulary, titration_definitions

    for value in (scale_definitions(), injection_vocabulary(), titration_definitions()):
        assert orjson.loads(orjson.dumps(value)) == value
