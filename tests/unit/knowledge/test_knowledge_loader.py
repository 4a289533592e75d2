"""The knowledge loader: the packaged base loads; a bad file fails naming file, entry, field."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dystonia_cds.domain.errors import KnowledgeError
from dystonia_cds.knowledge import KnowledgeBase, load_knowledge
from dystonia_cds.knowledge.loader import DATA_DIR

OPTION_IDS = {
    "rehabilitation-therapy",
    "diphenhydramine",
    "benztropine",
    "stop-causative-drug",
    "levodopa-trial",
    "trihexyphenidyl",
    "clonazepam",
    "baclofen",
    "intrathecal-baclofen",
    "tetrabenazine",
    "botulinum-toxin",
    "deep-brain-stimulation",
}


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A private copy of the packaged knowledge files to break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("vocabulary", "care"))
    return target


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit did not apply"
    path.write_text(changed, encoding="utf-8")


def test_packaged_knowledge_loads_with_version_and_every_contract_option() -> None:
    kb = load_knowledge()
    assert isinstance(kb, KnowledgeBase)
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", kb.version)
    assert {o.id for o in kb.options} >= OPTION_IDS
    assert kb.history[-1][0] == kb.version


def test_packaged_knowledge_is_cached() -> None:
    assert load_knowledge() is load_knowledge()


def test_a_copy_of_the_packaged_files_loads_from_a_directory(kb_dir: Path) -> None:
    assert load_knowledge(kb_dir).version == load_knowledge().version


def test_malformed_toml_names_the_file(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "baclofen.toml",
        lambda t: t.replace('id = "baclofen"', 'id = "baclofen'),
    )
    with pytest.raises(KnowledgeError, match=r"options/baclofen\.toml: .*not valid TOML"):
        load_knowledge(kb_dir)


def test_a_bad_field_value_names_file_entry_and_field(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "baclofen.toml",
        lambda t: t.replace('id = "baclofen.renal"\ntext', 'id = "baclofen.renal"\ntext').replace(
            'tag = "V"\nsources = ["R40", "R40d"]', 'tag = "maybe"\nsources = ["R40", "R40d"]', 1
        ),
    )
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_dir)
    message = str(err.value)
    assert "options/baclofen.toml" in message
    assert "entry cautions[2] (id 'baclofen.renal')" in message
    assert "field tag" in message


def test_an_unknown_field_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "alerts.toml",
        lambda t: t.replace('severity = "critical"', 'severity = "critical"\ncolour = "red"', 1),
    )
    with pytest.raises(
        KnowledgeError,
        match=r"alerts\.toml: entry alerts\[0\] \(id 'acute-dystonic-reaction'\): field colour",
    ):
        load_knowledge(kb_dir)


def test_an_unknown_source_key_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "tetrabenazine.toml",
        lambda t: t.replace('sources = ["R2"]', 'sources = ["R999"]', 1),
    )
    with pytest.raises(
        KnowledgeError,
        match=r"options/tetrabenazine\.toml: entry indications\[0\] \(id 'tetrabenazine\.tardive'\): field sources: unknown source key 'R999'",
    ):
        load_knowledge(kb_dir)


def test_a_misspelt_feature_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "baclofen.toml",
        lambda t: t.replace("condition:renal-impairment", "condition:renal-failure"),
    )
    with pytest.raises(
        KnowledgeError,
        match=r"entry cautions\[2\] \(id 'baclofen\.renal'\): field when\[0\]\.all: .*unknown condition id 'renal-failure'",
    ):
        load_knowledge(kb_dir)


def test_an_unverified_fact_cannot_be_a_contraindication(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "benztropine.toml",
        lambda t: t.replace(
            'text = "Contraindicated in children under 3 years."\ntag = "S"',
            'text = "Contraindicated in children under 3 years."\ntag = "U"',
        ),
    )
    with pytest.raises(
        KnowledgeError,
        match=r"contraindications\[0\] \(id 'benztropine\.under-3'\): field tag: an unverified \[U\] fact",
    ):
        load_knowledge(kb_dir)


def test_overlapping_onset_bands_are_refused(kb_dir: Path) -> None:
    edit(kb_dir / "thresholds.toml", lambda t: t.replace("min_years = 13", "min_years = 12"))
    with pytest.raises(
        KnowledgeError,
        match=r"thresholds\.toml: entry onset_bands\[2\] \(id 'adolescence'\): field min_years: overlaps band 'childhood'",
    ):
        load_knowledge(kb_dir)


def test_a_gap_between_onset_bands_is_refused(kb_dir: Path) -> None:
    edit(kb_dir / "thresholds.toml", lambda t: t.replace("min_years = 13", "min_years = 14"))
    with pytest.raises(
        KnowledgeError, match=r"field min_years: leaves a gap after band 'childhood'"
    ):
        load_knowledge(kb_dir)


def test_a_duplicate_rule_id_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "clonazepam.toml",
        lambda t: t.replace('id = "clonazepam.sedation"', 'id = "baclofen.sedation"'),
    )
    with pytest.raises(KnowledgeError, match=r"field id: duplicate rule id"):
        load_knowledge(kb_dir)


def test_a_missing_contract_option_is_refused(kb_dir: Path) -> None:
    (kb_dir / "options" / "benztropine.toml").unlink()
    with pytest.raises(
        KnowledgeError,
        match=r"entry benztropine: field id: option required by the contract is missing",
    ):
        load_knowledge(kb_dir)


def test_an_option_file_must_be_named_for_its_id(kb_dir: Path) -> None:
    (kb_dir / "options" / "baclofen.toml").rename(kb_dir / "options" / "oral-baclofen.toml")
    with pytest.raises(
        KnowledgeError,
        match=r"options/oral-baclofen\.toml: entry option: field id: 'baclofen' does not match the file name",
    ):
        load_knowledge(kb_dir)


def test_a_treatment_owned_by_two_options_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "options" / "clonazepam.toml",
        lambda t: t.replace(
            'treatments = ["clonazepam"]', 'treatments = ["clonazepam", "baclofen"]'
        ),
    )
    with pytest.raises(KnowledgeError, match=r"field treatments: 'baclofen' already belongs to"):
        load_knowledge(kb_dir)


def test_an_unknown_ingredient_in_a_drug_class_is_refused(kb_dir: Path) -> None:
    edit(
        kb_dir / "drug_classes.toml", lambda t: t.replace('"haloperidol", ', '"haloperidoll", ', 1)
    )
    with pytest.raises(
        KnowledgeError,
        match=r"drug_classes\.toml: entry classes\[0\] \(id 'dopamine-blocker'\): field ingredients: unknown ingredient 'haloperidoll'",
    ):
        load_knowledge(kb_dir)


def test_an_unknown_placeholder_in_a_message_is_refused(kb_dir: Path) -> None:
    edit(kb_dir / "alerts.toml", lambda t: t.replace("({culprits})", "({culprit})"))
    with pytest.raises(KnowledgeError, match=r"field text: unknown placeholder \{culprit\}"):
        load_knowledge(kb_dir)


def test_a_missing_file_is_named(kb_dir: Path) -> None:
    (kb_dir / "sources.toml").unlink()
    with pytest.raises(KnowledgeError, match=r"sources\.toml: file is missing"):
        load_knowledge(kb_dir)


def test_the_manifest_version_needs_a_history_entry(kb_dir: Path) -> None:
    edit(
        kb_dir / "manifest.toml",
        lambda t: t.replace('version = "2026.11.1"\ntitle', 'version = "2026.12.0"\ntitle'),
    )
    with pytest.raises(KnowledgeError, match=r"manifest\.toml: entry history: field version"):
        load_knowledge(kb_dir)
