"""Computed weight-based doses where clinicians read them: CLI text and CDS Hooks cards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dystonia_cds.cdshooks.cards import CardSettings, treatment_cards
from dystonia_cds.cdshooks.suggestions import SuggestionMaker
from dystonia_cds.commands.recommend import evaluate, render
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Option, Provenance, Recommendation, Strength

EXAMPLES = Path(__file__).parents[3] / "examples"
PROV = Provenance(rule="r", facts=(), knowledge_version="t")


def rec(age: int, weight: float | None, *option_ids: str) -> Recommendation:
    options = tuple(
        Option(oid, i + 1, Strength.FIRST_LINE, oid.title(), (), (), (), PROV)
        for i, oid in enumerate(option_ids)
    )
    record = PatientRecord(patient_id="p1", weight_kg=weight)
    return Recommendation(record, date(2026, 12, 1), age, options, (), (), "t")


def cards_of(r: Recommendation) -> dict[str, str]:
    cs = CardSettings("t", {}, SuggestionMaker(lambda _c: None, {}), lambda _i: frozenset())
    return {c["source"]["topic"]["code"]: c["detail"] for c in treatment_cards(r, cs)}


def test_cli_text_lists_the_computed_doses_of_a_childs_options_before_the_closing_lines():
    text = render(rec(10, 30.0, "diphenhydramine", "benztropine"), "text").decode()
    section = " ".join(text[text.index("WEIGHT-BASED") : text.index("Knowledge version")].split())
    assert "30–50 mg per dose for 30 kg (upper end capped at the 50 mg per-dose maximum)" in section
    assert "[R21]" in section
    assert "0.6 mg per dose for 30 kg" in section


def test_cli_text_says_why_there_is_no_dose_when_the_weight_is_missing():
    text = render(rec(10, None, "benztropine"), "text").decode()
    assert "no computed dose: weight not recorded" in text


def test_cli_text_of_an_adult_has_no_dose_section():
    assert "WEIGHT-BASED DOSES" not in render(rec(40, 70.0, "benztropine"), "text").decode()


def test_cli_text_of_the_child_example_computes_trihexyphenidyl_for_its_weight():
    data = (EXAMPLES / "child-generalized-dystonia.json").read_bytes()
    text = " ".join(render(evaluate(data, "child", date(2026, 12, 1)), "text").decode().split())
    assert "Trihexyphenidyl: at most 0.75 mg/kg/day [R36] → at most 21 mg per day for 28 kg" in text


def test_card_detail_of_an_option_holds_its_computed_doses():
    details = cards_of(rec(7, 25.0, "baclofen"))
    assert "**Computed for this patient**" in details["baclofen"]
    assert (
        "25–40 mg per day for 25 kg (upper end capped at the 40 mg daily maximum"
        in (details["baclofen"])
    )


def test_card_detail_of_an_adult_option_has_no_computed_doses():
    assert "Computed for this patient" not in cards_of(rec(40, 70.0, "baclofen"))["baclofen"]


def test_the_acute_reaction_examples_cards_show_the_capped_doses_for_62_kg():
    data = (EXAMPLES / "acute-dystonic-reaction.json").read_bytes()
    details = cards_of(evaluate(data, "acute", date(2026, 12, 1)))
    assert (
        "50 mg per dose for 62 kg (capped at the 50 mg per-dose maximum)"
        in (details["diphenhydramine"])
    )
    assert "1 mg per dose for 62 kg (capped at the 1 mg per-dose maximum)" in details["benztropine"]
