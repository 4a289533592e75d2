"""`Recommendation -> cards`: ranking, capping, summary card, suggestions, codes, links."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dystonia_cds import DISCLAIMER
from dystonia_cds.cdshooks.cards import CardSettings, treatment_cards
from dystonia_cds.cdshooks.suggestions import RXNORM, SNOMED, SuggestionMaker
from dystonia_cds.domain.patient import Medication, PatientRecord
from dystonia_cds.domain.recommendation import (
    Alert,
    Evidence,
    Option,
    Provenance,
    Recommendation,
    Severity,
    Strength,
)
from dystonia_cds.knowledge.vocabulary import Coding, load_vocabulary

PROV = Provenance(rule="r", facts=(), knowledge_version="t", sources=("R5",))


def option(
    oid: str, rank: int, strength: Strength = Strength.RECOMMENDED, title: str | None = None
) -> Option:
    return Option(
        id=oid,
        rank=rank,
        strength=strength,
        title=title or oid.replace("-", " ").title(),
        rationale=(f"why {oid}",),
        cautions=(f"caution {oid}",),
        evidence=(Evidence(source="EFNS 2011 [R5]", level="guideline", key="R5"),),
        provenance=PROV,
    )


def recommendation(
    options: list[Option], alerts: list[Alert] = (), meds: tuple[Medication, ...] = ()
) -> Recommendation:  # type: ignore[assignment]
    return Recommendation(
        record=PatientRecord(patient_id="p1", medications=meds),
        evaluated_at=date(2026, 11, 26),
        age_years=30,
        options=tuple(options),
        alerts=tuple(alerts),
        trace=(),
        knowledge_version="t",
    )


def classes(ingredient: str) -> frozenset[str]:
    return frozenset({"dopamine-blocker"}) if ingredient == "haloperidol" else frozenset()


def settings(emit: Any = None, url: str | None = None) -> CardSettings:
    maker = SuggestionMaker(emit or (lambda _c: None), {"levodopa": "Levodopa"})
    return CardSettings("dystonia-cds", {"R5": "EFNS 2011"}, maker, classes, url)


def topic(card: dict[str, Any]) -> str:
    return str(card["source"]["topic"]["code"])


def test_alerts_come_first_most_urgent_first_then_at_most_three_options_then_one_summary() -> None:
    alerts = [
        Alert("wilson-disease-screen", Severity.INFO, "Screen for Wilson disease", PROV),
        Alert("acute-dystonic-reaction", Severity.CRITICAL, "Acute dystonic reaction", PROV),
    ]
    options = [option(f"opt-{n}", n) for n in range(1, 6)] + [
        option("bad", 6, Strength.CONTRAINDICATED)
    ]
    cards = treatment_cards(recommendation(options, alerts), settings())
    assert [topic(c) for c in cards] == [
        "acute-dystonic-reaction",
        "wilson-disease-screen",
        "opt-1",
        "opt-2",
        "opt-3",
        "summary",
    ]
    assert cards[0]["indicator"] == "critical"
    summary = cards[-1]
    assert "opt-4" in summary["detail"].lower().replace(" ", "-")
    assert "contraindicated" in summary["detail"]
    assert summary["summary"] == "3 more option(s) reviewed, 1 not recommended or contraindicated"


def test_every_card_has_uuid_short_summary_detail_with_evidence_and_disclaimer() -> None:
    cards = treatment_cards(
        recommendation([option("levodopa-trial", 1, title="L" * 300)]), settings()
    )
    card = cards[0]
    assert len(card["summary"]) < 140
    assert card["uuid"]
    assert card["uuid"] != treatment_cards(recommendation([option("x", 1)]), settings())[0]["uuid"]
    for part in (
        "**Why**",
        "why levodopa-trial",
        "**Cautions**",
        "**Evidence**",
        "EFNS 2011",
        DISCLAIMER,
    ):
        assert part in card["detail"]
    assert {r["code"] for r in card["overrideReasons"]} >= {"patient-declined", "already-addressed"}


def test_a_drug_option_suggests_a_proposal_with_text_only_when_no_verified_code_exists() -> None:
    card = treatment_cards(recommendation([option("levodopa-trial", 1)]), settings())[0]
    assert card["selectionBehavior"] == "at-most-one"
    suggestion = card["suggestions"][0]
    assert suggestion["uuid"]
    assert suggestion["isRecommended"] is True
    action = suggestion["actions"][0]
    assert action["type"] == "create"
    assert action["description"]
    resource = action["resource"]
    assert resource["intent"] == "proposal"
    assert resource["status"] == "draft"
    assert resource["subject"] == {"reference": "Patient/p1"}
    assert resource["medicationCodeableConcept"] == {"text": "Levodopa"}


def test_a_verified_rxnorm_code_is_emitted_when_the_vocabulary_has_one() -> None:
    vocab = load_vocabulary()
    coding = vocab.emit_code("baclofen")
    assert coding == Coding(RXNORM, "1292", "baclofen")
    card = treatment_cards(recommendation([option("baclofen", 1)]), settings(vocab.emit_code))[0]
    concept = card["suggestions"][0]["actions"][0]["resource"]["medicationCodeableConcept"]
    assert concept["coding"] == [{"system": RXNORM, "code": "1292", "display": "baclofen"}]


@pytest.mark.parametrize(
    ("option_id", "code", "display"),
    [
        ("levodopa-trial", "103990", "carbidopa / levodopa"),
        ("trihexyphenidyl", "10811", "trihexyphenidyl"),
        ("clonazepam", "2598", "clonazepam"),
        ("diphenhydramine", "3498", "diphenhydramine"),
        ("benztropine", "1424", "benztropine"),
        ("tetrabenazine", "10390", "tetrabenazine"),
    ],
)
def test_drug_suggestions_carry_the_rxnorm_codes_the_reference_verifies(
    option_id: str, code: str, display: str
) -> None:
    # reference §7.3 (re-checked 2026-12-05, R79): verified RxCUIs are emitted with their display
    vocab = load_vocabulary()
    card = treatment_cards(recommendation([option(option_id, 1)]), settings(vocab.emit_code))[0]
    concept = card["suggestions"][0]["actions"][0]["resource"]["medicationCodeableConcept"]
    assert concept["coding"] == [{"system": RXNORM, "code": code, "display": display}]


def test_a_toxin_of_unknown_product_or_abobotulinumtoxin_a_is_named_by_text_only() -> None:
    vocab = load_vocabulary()  # the serotype does not say the product; aboA has no verified PIN
    assert vocab.emit_code("botulinum-toxin") is None
    assert vocab.emit_code("abobotulinumtoxinA") is None
    assert vocab.emit_code("onabotulinumtoxinA") == Coding(RXNORM, "860189", "onabotulinumtoxinA")


@pytest.mark.parametrize("oid", ["botulinum-toxin", "deep-brain-stimulation"])
def test_procedures_without_a_verified_code_suggest_a_text_service_request(oid: str) -> None:
    card = treatment_cards(recommendation([option(oid, 1)]), settings(load_vocabulary().emit_code))[
        0
    ]
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["resourceType"] == "ServiceRequest"
    assert resource["intent"] == "proposal"
    assert resource["code"]["text"]
    assert "coding" not in resource["code"]  # no SNOMED CT code for these is verified (§7.2)


def test_rehabilitation_suggests_physiotherapy_and_occupational_therapy_referrals() -> None:
    card = treatment_cards(
        recommendation([option("rehabilitation-therapy", 1)]), settings(load_vocabulary().emit_code)
    )[0]
    codings = [a["resource"]["code"]["coding"][0] for a in card["suggestions"][0]["actions"]]
    assert codings == [
        {"system": SNOMED, "code": "308447003", "display": "Referral to physiotherapist"},
        {"system": SNOMED, "code": "308453003", "display": "Referral to occupational therapist"},
    ]
    vocab = {(e.system, e.code): e.display for e in load_vocabulary().entries()}
    for c in codings:  # the same code and display as the vocabulary's verified entry
        assert vocab[(SNOMED, c["code"])] == c["display"]


def test_stop_causative_drug_suggests_removing_the_active_dopamine_blocker_order() -> None:
    meds = (
        Medication("haloperidol", source="MedicationRequest/h1"),
        Medication("baclofen", source="MedicationRequest/b1"),
    )
    card = treatment_cards(
        recommendation([option("stop-causative-drug", 1)], meds=meds), settings()
    )[0]
    actions = card["suggestions"][0]["actions"]
    assert actions == [
        {
            "type": "delete",
            "description": "Remove MedicationRequest/h1",
            "resourceId": "MedicationRequest/h1",
        }
    ]


def test_a_link_to_the_patient_page_is_added_when_the_patient_exists() -> None:
    with_link = treatment_cards(
        recommendation([option("x", 1)]), settings(url="https://cds/patients/p1")
    )[0]
    assert with_link["links"] == [
        {"label": "Open in dystonia-cds", "url": "https://cds/patients/p1", "type": "absolute"}
    ]
    assert "links" not in treatment_cards(recommendation([option("x", 1)]), settings())[0]


def test_no_options_and_no_alerts_give_no_cards() -> None:
    assert treatment_cards(recommendation([]), settings()) == []


@pytest.mark.parametrize(
    "text",
    [
        "Acute drug-induced dystonic reaction: give parenteral diphenhydramine or benztropine now, follow with an oral anticholinergic for 24-72 hours, and stop the drug.",
        "x" * 400,
        "word " * 80,
        "short",
    ],
)
def test_summaries_stay_under_140_characters_and_break_at_a_word_with_an_ellipsis(
    text: str,
) -> None:
    from dystonia_cds.cdshooks.cards import clip

    out = clip(text)
    assert len(out) < 140
    assert out == text or out.endswith("…")
    if text.startswith("Acute"):
        assert out == (
            "Acute drug-induced dystonic reaction: give parenteral diphenhydramine or benztropine "
            "now, follow with an oral anticholinergic for 24-72…"
        )
        assert text.startswith(out[:-1] + " "), "cut where a word ends"


def test_the_acute_reaction_card_offers_the_parenteral_anticholinergics_the_engine_allows() -> None:
    alert = Alert("acute-dystonic-reaction", Severity.CRITICAL, "Acute dystonic reaction", PROV)
    both = [
        option("diphenhydramine", 1, Strength.FIRST_LINE),
        option("benztropine", 2, Strength.FIRST_LINE),
    ]
    card = treatment_cards(recommendation(both, [alert]), settings())[0]
    assert card["selectionBehavior"] == "at-most-one"
    offered = [
        s["actions"][0]["resource"]["medicationCodeableConcept"]["text"]
        for s in card["suggestions"]
    ]
    assert offered == ["diphenhydramine", "benztropine"]
    assert not any(s["isRecommended"] for s in card["suggestions"])

    under_three = [
        option("diphenhydramine", 1, Strength.FIRST_LINE),
        option("benztropine", 5, Strength.CONTRAINDICATED),
    ]
    card = treatment_cards(recommendation(under_three, [alert]), settings())[0]
    offered = [
        s["actions"][0]["resource"]["medicationCodeableConcept"]["text"]
        for s in card["suggestions"]
    ]
    assert offered == ["diphenhydramine"]


def test_an_alert_without_orders_to_offer_has_no_suggestions() -> None:
    alert = Alert("genetic-testing", Severity.INFO, "Consider genetic testing", PROV)
    card = treatment_cards(recommendation([], [alert]), settings())[0]
    assert "suggestions" not in card
    assert "selectionBehavior" not in card


option_ids = st.sampled_from(
    [
        "levodopa-trial",
        "trihexyphenidyl",
        "clonazepam",
        "baclofen",
        "botulinum-toxin",
        "deep-brain-stimulation",
        "rehabilitation-therapy",
        "tetrabenazine",
    ]
)
options_strategy = st.lists(
    st.tuples(option_ids, st.sampled_from(list(Strength)), st.text(min_size=1, max_size=300)),
    max_size=8,
    unique_by=lambda t: t[0],
)
alerts_strategy = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "acute-dystonic-reaction",
                "wilson-disease-screen",
                "dbs-evaluation",
                "botulinum-toxin-due",
            ]
        ),
        st.sampled_from(list(Severity)),
        st.text(min_size=1, max_size=400),
    ),
    max_size=4,
    unique_by=lambda t: t[0],
)


@given(options_strategy, alerts_strategy)
def test_cards_keep_their_invariants_for_any_recommendation(
    raw_options: list[tuple[str, Strength, str]], raw_alerts: list[tuple[str, Severity, str]]
) -> None:
    options = [
        option(oid, rank, strength, title)
        for rank, (oid, strength, title) in enumerate(raw_options, 1)
    ]
    alerts = [Alert(aid, severity, message, PROV) for aid, severity, message in raw_alerts]
    cards = treatment_cards(recommendation(options, alerts), settings())
    order = {"critical": 0, "warning": 1, "info": 2}
    alert_cards = cards[: len(alerts)]
    assert [order[c["indicator"]] for c in alert_cards] == sorted(
        order[c["indicator"]] for c in alert_cards
    )
    positive = [o for o in options if o.strength.is_positive]
    option_cards = cards[len(alerts) : len(alerts) + min(3, len(positive))]
    assert [topic(c) for c in option_cards] == [o.id for o in positive[:3]]
    rest = [o for o in options if o.id not in {o.id for o in positive[:3]}]
    assert topic(cards[-1]) == "summary" if rest else all(topic(c) != "summary" for c in cards)
    assert len({c["uuid"] for c in cards}) == len(cards)
    for card in cards:
        assert 0 < len(card["summary"]) < 140
        assert DISCLAIMER in card["detail"]
        assert ("suggestions" in card) == ("selectionBehavior" in card)


# ---- alert discipline (issue 11): the card's indicator is the engine's severity, and every
# ---- warning or critical card carries its action -------------------------------------------


def drug_classes(ingredient: str) -> frozenset[str]:
    table = {
        "trihexyphenidyl": {"anticholinergic"},
        "tetrabenazine": {"vmat2-inhibitor"},
        "ibuprofen": set(),
    }
    return frozenset(table.get(ingredient, set()))


def alert_settings(url: str | None = None) -> CardSettings:
    maker = SuggestionMaker(lambda _c: None, {})
    options = {"trihexyphenidyl": "trihexyphenidyl", "baclofen": "baclofen"}
    return CardSettings("dystonia-cds", {}, maker, drug_classes, url, option_of=options.get)


def med(
    ingredient: str, n: int, *, active: bool = True, kind: str = "MedicationRequest"
) -> Medication:
    return Medication(ingredient, active=active, source=f"{kind}/m{n}")


@pytest.mark.parametrize("severity", list(Severity))
def test_an_alert_cards_indicator_is_the_severity_the_engine_gave(severity: Severity) -> None:
    alert = Alert("botulinum-toxin-too-soon", severity, "Last injection 3 weeks ago", PROV)
    card = treatment_cards(recommendation([], [alert]), alert_settings())[0]
    assert card["indicator"] == severity.value


def test_an_older_adult_taking_an_anticholinergic_is_offered_to_stop_that_order_only() -> None:
    alert = Alert("anticholinergic-older-adult", Severity.WARNING, "Beers: avoid", PROV)
    meds = (
        med("trihexyphenidyl", 1),
        med("trihexyphenidyl", 2, kind="MedicationStatement"),  # not an order: nothing to remove
        med("ibuprofen", 3),
        med("trihexyphenidyl", 4, active=False),
    )
    card = treatment_cards(recommendation([], [alert], meds), alert_settings())[0]
    actions = [a for s in card["suggestions"] for a in s["actions"]]
    assert actions == [
        {
            "type": "delete",
            "description": "Remove MedicationRequest/m1",
            "resourceId": "MedicationRequest/m1",
        }
    ]
    assert not any(s["isRecommended"] for s in card["suggestions"]), "the clinician chooses"


def test_a_contraindicated_drug_in_use_is_offered_to_stop() -> None:
    alert = Alert("contraindicated-drug-in-use", Severity.CRITICAL, "Stop trihexyphenidyl", PROV)
    options = [option("trihexyphenidyl", 2, Strength.CONTRAINDICATED), option("baclofen", 1)]
    meds = (med("trihexyphenidyl", 1), med("baclofen", 2))
    card = treatment_cards(recommendation(options, [alert], meds), alert_settings())[0]
    assert card["indicator"] == "critical"
    assert [s["actions"][0]["resourceId"] for s in card["suggestions"]] == ["MedicationRequest/m1"]


def test_the_wilson_disease_alert_offers_the_work_up_as_a_text_only_order() -> None:
    alert = Alert("wilson-disease-screen", Severity.WARNING, "Exclude Wilson disease", PROV)
    card = treatment_cards(recommendation([], [alert]), alert_settings())[0]
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["resourceType"] == "ServiceRequest"
    assert "coding" not in resource["code"], "no verified code: text alone"
    assert "ceruloplasmin" in resource["code"]["text"]


WARNING_ALERTS = [
    "acute-dystonic-reaction",
    "anticholinergic-older-adult",
    "tetrabenazine-depression",
    "levodopa-trial-missing",
    "wilson-disease-screen",
    "dbs-evaluation",
    "botulinum-toxin-overdue",
    "contraindicated-drug-in-use",
    "dose-above-limit",
    "botulinum-toxin-too-soon",
]


@pytest.mark.parametrize("alert_id", WARNING_ALERTS)
def test_every_warning_card_of_a_patient_in_the_store_carries_an_action(alert_id: str) -> None:
    alert = Alert(alert_id, Severity.WARNING, "Act at this visit", PROV)
    card = treatment_cards(recommendation([], [alert]), alert_settings(url="https://cds/p/p1"))[0]
    assert card.get("suggestions") or card.get("links")


@pytest.mark.parametrize(
    ("alert_id", "option_id", "meds"),
    [
        ("levodopa-trial-missing", "levodopa-trial", ()),
        ("dbs-evaluation", "deep-brain-stimulation", ()),
        ("botulinum-toxin-overdue", "botulinum-toxin", ()),
        ("wilson-disease-screen", None, ()),
        ("anticholinergic-older-adult", None, (med("trihexyphenidyl", 1),)),
        ("tetrabenazine-depression", None, (med("tetrabenazine", 1),)),
    ],
)
def test_a_warning_card_carries_its_action_as_a_suggestion_without_a_patient_page(
    alert_id: str, option_id: str | None, meds: tuple[Medication, ...]
) -> None:
    alert = Alert(alert_id, Severity.WARNING, "Act at this visit", PROV)
    options = [option(option_id, 1)] if option_id else []
    card = treatment_cards(recommendation(options, [alert], meds), alert_settings())[0]
    assert card["suggestions"], alert_id
