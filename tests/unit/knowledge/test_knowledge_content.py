"""What the knowledge base says: sources on every fact, [U] facts never presented as fact,
drug classes per ingredient, and the thresholds from the reference."""

from __future__ import annotations

import pytest

from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.knowledge.base import UNVERIFIED_LABEL


def test_every_statement_has_known_sources_and_a_tag() -> None:
    kb = load_knowledge()
    for s in kb.statements:
        assert s.sources, s.id
        assert all(key in kb.sources for key in s.sources), s.id
        assert s.tag in {"V", "S", "U"}


def test_no_unverified_fact_is_a_hard_rule() -> None:
    kb = load_knowledge()
    for option in kb.options:
        hard = [i.statement for i in option.indications] + [
            *option.contraindications,
            *option.avoid,
        ]
        assert all(s.tag != "U" for s in hard), option.id
    assert all(a.tag != "U" for a in kb.alerts)


def test_unverified_facts_are_labelled_and_verified_ones_are_not() -> None:
    for s in load_knowledge().statements:
        if s.tag == "U":
            assert s.text.startswith(UNVERIFIED_LABEL), s.id
            assert s.text.endswith("; unverified]"), s.id
            assert not s.verified
        else:
            assert not s.text.startswith("Unverified"), s.id
            assert s.verified


@pytest.mark.parametrize(
    ("claim", "statement_id"),
    [
        ("70-90 %", "bont.70-90-percent"),
        ("leg (lower-limb) dystonia, particularly in children", "baclofen.leg-children"),
        ("minimum adequate length", "levodopa.trial-duration-unknown"),
        ("dysphoria", "tetrabenazine.dysphoria"),
        ("less predictable", "dbs.less-predictable"),
        ("No fixed maximum dose for dystonia", "trihexyphenidyl.no-max"),
    ],
)
def test_claims_tagged_unverified_in_the_reference_are_carried_as_unverified(
    claim: str, statement_id: str
) -> None:
    statements = {s.id: s for s in load_knowledge().statements}
    assert statements[statement_id].tag == "U"
    for s in statements.values():
        if claim in s.text:
            assert s.tag == "U", s.id


@pytest.mark.parametrize(
    ("ingredient", "classes"),
    [
        ("haloperidol", {"dopamine-blocker"}),
        ("metoclopramide", {"dopamine-blocker"}),
        ("prochlorperazine", {"dopamine-blocker"}),
        ("promethazine", {"dopamine-blocker"}),
        ("droperidol", {"dopamine-blocker"}),
        ("trihexyphenidyl", {"anticholinergic"}),
        ("benztropine", {"anticholinergic"}),
        ("diphenhydramine", {"anticholinergic", "first-generation-antihistamine"}),
        ("clonazepam", {"benzodiazepine"}),
        ("diazepam", {"benzodiazepine"}),
        ("oxycodone", {"opioid"}),
        ("tramadol", {"opioid"}),
        ("phenelzine", {"maoi", "nonselective-maoi"}),
        ("rasagiline", {"maoi"}),
        ("tetrabenazine", {"vmat2-inhibitor", "dopamine-depleter"}),
        ("valbenazine", {"vmat2-inhibitor", "dopamine-depleter"}),
        ("reserpine", {"dopamine-depleter"}),
        ("baclofen", set()),
        ("not-a-drug", set()),
    ],
)
def test_drug_classes_per_ingredient(ingredient: str, classes: set[str]) -> None:
    assert load_knowledge().drug_classes(ingredient) == frozenset(classes)


@pytest.mark.parametrize(
    ("name", "value", "source"),
    [
        ("child_age_below", 18, "P"),
        ("older_adult_from", 65, "R27"),
        ("benztropine_age_below", 3, "R25"),
        ("dbs_age_below", 7, "R10h"),
        ("wilson_onset_below", 50, "R55c"),
        ("acute_window_days", 5, "R20"),
        ("bont_min_interval_weeks", 12, "R11"),
        ("bont_overdue_after_weeks", 16, "R14"),
    ],
)
def test_thresholds_match_the_reference(name: str, value: float, source: str) -> None:
    threshold = load_knowledge().thresholds[name]
    assert threshold.value == value
    assert source in threshold.sources


def test_windows_for_maoi_and_reserpine_come_from_the_rules() -> None:
    windows = set(load_knowledge().windows)
    assert ("class", "maoi", 14) in windows
    assert ("ingredient", "reserpine", 20) in windows


def test_onset_bands_cover_every_age_without_overlap() -> None:
    kb = load_knowledge()
    for age in range(0, 110):
        assert kb.onset_band(age) is not None, age
    assert kb.onset_band(2.9).id == "infancy"  # type: ignore[union-attr]
    assert kb.onset_band(20).id == "adolescence"  # type: ignore[union-attr]
    assert kb.onset_band(41).id == "late-adulthood"  # type: ignore[union-attr]


def test_botulinum_toxin_evidence_levels_follow_aan_2016_per_indication() -> None:
    option = load_knowledge().option("botulinum-toxin")
    levels = " ".join(e.evidence.level for e in option.evidence)
    assert "level A abobotulinumtoxinA and rimabotulinumtoxinB" in levels
    assert "level C abobotulinumtoxinA" in levels
    assert "level U" in levels


def test_monitoring_facts_are_available_per_option() -> None:
    kb = load_knowledge()
    monitoring = kb.facts_for("tetrabenazine") + kb.facts_for("baclofen", "monitoring")
    assert any("CYP2D6" in f.text for f in monitoring)
    assert all(f.kind == "monitoring" for f in kb.facts_for("baclofen", "monitoring"))
    assert kb.facts_for("botulinum-toxin", "monitoring")
