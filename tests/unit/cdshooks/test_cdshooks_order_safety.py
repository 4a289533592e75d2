"""Order-safety checks over draft orders, each positive and negative, with a small fake
knowledge base (drug classes, treatment options) and a fake engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from dystonia_cds.cdshooks.order_safety import OrderChecker
from dystonia_cds.cdshooks.orders import DraftOrder, read_order
from dystonia_cds.domain.patient import (
    DystoniaForm,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
)
from dystonia_cds.domain.recommendation import (
    Alert,
    Option,
    Provenance,
    Recommendation,
    Severity,
    Strength,
)
from dystonia_cds.knowledge.base import Trigger
from dystonia_cds.knowledge.vocabulary import load_vocabulary

TODAY = date(2026, 11, 26)
PROV = Provenance("r", (), "t", ("R42",))
CLASSES = {
    "trihexyphenidyl": {"anticholinergic"},
    "diphenhydramine": {"first-generation-antihistamine", "anticholinergic"},
    "clonazepam": {"benzodiazepine"},
    "oxycodone": {"opioid"},
    "metoclopramide": {"dopamine-blocker"},
    "haloperidol": {"dopamine-blocker"},
    "tetrabenazine": {"vmat2-inhibitor", "dopamine-depleter"},
}


@dataclass
class Spec:
    contraindications: tuple[Any, ...] = ()
    avoid: tuple[Any, ...] = ()
    id: str = "trihexyphenidyl"
    title: str = "Trihexyphenidyl"


@dataclass
class Statement:
    text: str
    when: tuple[Trigger, ...] = ()
    sources: tuple[str, ...] = ("R36",)

    @property
    def id(self) -> str:
        return self.text.lower().replace(" ", "-")


@dataclass
class FakeKb:
    treatment_options: dict[str, str] = field(
        default_factory=lambda: {
            "onabotulinumtoxinA": "botulinum-toxin",
            "trihexyphenidyl": "trihexyphenidyl",
            "tetrabenazine": "tetrabenazine",
        }
    )
    specs: dict[str, Spec] = field(default_factory=dict)

    def drug_classes(self, ingredient: str) -> frozenset[str]:
        return frozenset(CLASSES.get(ingredient, set()))

    def option(self, option_id: str) -> Spec:
        return self.specs.get(option_id, Spec())


def rec(
    record: PatientRecord, options: tuple[Option, ...] = (), alerts: tuple[Alert, ...] = ()
) -> Recommendation:
    return Recommendation(record, TODAY, None, options, alerts, (), "t")


def born(years: int) -> date:
    return TODAY - timedelta(days=365 * years + 30)


def record(years: int = 45, dystonia: bool = True, **kw: Any) -> PatientRecord:
    phenotype = Phenotype(forms=frozenset({DystoniaForm.CERVICAL})) if dystonia else Phenotype()
    return PatientRecord("p", birth_date=born(years), phenotype=phenotype, **kw)


def order(*concepts: str, kind: str = "MedicationRequest") -> DraftOrder:
    return DraftOrder(f"{kind}/d1", kind, " + ".join(concepts), frozenset(concepts))


def check(
    patient: PatientRecord, draft: DraftOrder, kb: FakeKb | None = None, engine: Any = None
) -> list[str]:
    checker = OrderChecker(kb or FakeKb(), engine or (lambda r: rec(r)))
    return [f.topic for f in checker.check(patient, [draft], TODAY)]


CASES = [
    (
        "bont too soon",
        record(injections=(Injection(TODAY - timedelta(weeks=6)),)),
        order("onabotulinumtoxinA"),
        "botulinum-toxin-too-soon",
    ),
    (
        "bont after 12 weeks",
        record(injections=(Injection(TODAY - timedelta(weeks=12)),)),
        order("onabotulinumtoxinA"),
        None,
    ),
    (
        "bont service request too soon",
        record(injections=(Injection(TODAY - timedelta(weeks=3)),)),
        order("botulinum-toxin", kind="ServiceRequest"),
        "botulinum-toxin-too-soon",
    ),
    (
        "tetrabenazine with depression",
        record(conditions=frozenset({"depression"})),
        order("tetrabenazine"),
        "tetrabenazine-depression",
    ),
    ("tetrabenazine, no depression", record(), order("tetrabenazine"), None),
    ("anticholinergic at 70", record(70), order("trihexyphenidyl"), "anticholinergic-older-adult"),
    ("antihistamine at 80", record(80), order("diphenhydramine"), "anticholinergic-older-adult"),
    ("anticholinergic at 64", record(64), order("trihexyphenidyl"), None),
    (
        "benzodiazepine with opioid",
        record(medications=(Medication("oxycodone"),)),
        order("clonazepam"),
        "benzodiazepine-opioid",
    ),
    (
        "opioid with benzodiazepine",
        record(medications=(Medication("clonazepam"),)),
        order("oxycodone"),
        "benzodiazepine-opioid",
    ),
    (
        "benzodiazepine, opioid stopped",
        record(medications=(Medication("oxycodone", active=False),)),
        order("clonazepam"),
        None,
    ),
    ("benzodiazepine at 70", record(70), order("clonazepam"), "benzodiazepine-older-adult"),
    (
        "baclofen with renal impairment",
        record(conditions=frozenset({"renal-impairment"})),
        order("baclofen"),
        "baclofen-renal-impairment",
    ),
    ("baclofen, kidneys fine", record(), order("baclofen"), None),
    (
        "dopamine blocker in dystonia",
        record(),
        order("metoclopramide"),
        "dopamine-blocker-dystonia",
    ),
    ("dopamine blocker, no dystonia", record(dystonia=False), order("metoclopramide"), None),
]


@pytest.mark.parametrize(("name", "patient", "draft", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_check_fires_on_its_case_only(
    name: str, patient: PatientRecord, draft: DraftOrder, expected: str | None
) -> None:
    found = check(patient, draft)
    assert found == ([expected] if expected else [])


def test_suicidality_makes_the_tetrabenazine_card_critical() -> None:
    checker = OrderChecker(FakeKb(), lambda r: rec(r))
    findings = checker.check(
        record(conditions=frozenset({"suicidality"})), [order("tetrabenazine")], TODAY
    )
    assert findings[0].indicator == "critical"


def contraindicated(oid: str, text: str) -> Option:
    return Option(oid, 5, Strength.CONTRAINDICATED, oid.title(), (text,), (), (), PROV)


def test_a_drug_the_knowledge_base_contraindicates_gets_a_card_of_its_own() -> None:
    text = "Contraindicated in narrow-angle glaucoma"
    kb = FakeKb(specs={"trihexyphenidyl": Spec(contraindications=(Statement(text),))})
    patient = record(conditions=frozenset({"narrow-angle-glaucoma"}))
    checker = OrderChecker(kb, lambda r: rec(r, (contraindicated("trihexyphenidyl", text),)))
    findings = checker.check(patient, [order("trihexyphenidyl")], TODAY)
    assert [(f.topic, f.indicator) for f in findings] == [("trihexyphenidyl", "critical")]
    assert text in findings[0].summary


def test_knowledge_base_findings_fold_into_a_named_card_for_the_same_order() -> None:
    text = "Contraindicated with untreated depression"
    kb = FakeKb(specs={"tetrabenazine": Spec(contraindications=(Statement(text),))})
    patient = record(conditions=frozenset({"depression"}))
    checker = OrderChecker(kb, lambda r: rec(r, (contraindicated("tetrabenazine", text),)))
    findings = checker.check(patient, [order("tetrabenazine")], TODAY)
    assert [f.topic for f in findings] == ["tetrabenazine-depression"]
    assert findings[0].indicator == "critical"
    assert text in findings[0].extra[0]


def test_an_engine_alert_the_order_would_newly_raise_becomes_a_card() -> None:
    def engine(r: PatientRecord) -> Recommendation:
        on_it = any(m.ingredient == "haloperidol" for m in r.medications)
        alerts = (
            (Alert("new-risk", Severity.WARNING, "New risk from this drug", PROV),) if on_it else ()
        )
        return rec(r, alerts=alerts)

    assert check(record(dystonia=False), order("haloperidol"), engine=engine) == ["new-risk"]


def test_recognises_drafts_by_verified_code_by_name_and_via_contained_medication() -> None:
    vocab = load_vocabulary()
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    by_code = {
        "resourceType": "MedicationRequest",
        "id": "a",
        "medicationCodeableConcept": {"coding": [{"system": rx, "code": "3322"}]},
    }
    by_name = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": {"text": "Botox 100 unit injection"},
    }
    contained = {
        "resourceType": "MedicationRequest",
        "contained": [
            {"resourceType": "Medication", "id": "m", "code": {"text": "Tetrabenazine 25 MG"}}
        ],
        "medicationReference": {"reference": "#m"},
    }
    service = {
        "resourceType": "ServiceRequest",
        "id": "s",
        "code": {"text": "Chemodenervation with botulinum toxin"},
    }
    assert read_order(by_code, vocab).concepts == {"diazepam"}
    assert read_order(by_code, vocab).reference == "MedicationRequest/a"
    assert read_order(by_name, vocab).concepts == {"onabotulinumtoxinA"}
    assert read_order(by_name, vocab).reference is None
    assert read_order(contained, vocab).concepts == {"tetrabenazine"}
    assert "botulinum-toxin" in read_order(service, vocab).concepts


def test_a_verified_code_counts_whatever_its_display_says() -> None:
    # clonazepam 2598 was a candidate until reference §7.3 verified it (R79, 2026-12-05)
    vocab = load_vocabulary()
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    wrong = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": {
            "coding": [{"system": rx, "code": "2598", "display": "something else"}]
        },
    }
    right = {
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": {
            "coding": [{"system": rx, "code": "2598", "display": "clonazepam 0.5 MG"}]
        },
    }
    assert read_order(wrong, vocab).concepts == {"clonazepam"}
    assert read_order(right, vocab).concepts == {"clonazepam"}


def when(*features: str) -> tuple[Trigger, ...]:
    return (Trigger(all=frozenset(features), any=frozenset(), none=frozenset()),)


def test_with_the_engine_features_only_patient_specific_rules_of_the_ordered_drug_fire() -> None:
    spec = Spec(
        contraindications=(
            Statement(
                "Contraindicated in angle-closure glaucoma", when("condition:narrow-angle-glaucoma")
            ),
            Statement("Hypersensitivity"),  # no trigger: true for everyone, so never a finding
        ),
        avoid=(Statement("Avoid at 65 and over", when("older-adult"), ("R27",)),),
    )
    kb = FakeKb(specs={"trihexyphenidyl": spec})

    def features(r: PatientRecord) -> frozenset[str]:
        return frozenset({"dystonia", *("condition:" + c for c in r.conditions)})

    checker = OrderChecker(kb, lambda r: rec(r), features)
    glaucoma = record(conditions=frozenset({"narrow-angle-glaucoma"}))
    findings = checker.check(glaucoma, [order("trihexyphenidyl")], TODAY)
    assert [(f.topic, f.indicator, f.sources) for f in findings] == [
        ("trihexyphenidyl", "critical", ("R36",))
    ]
    assert "angle-closure" in findings[0].summary
    assert "Hypersensitivity" not in findings[0].summary
    assert checker.check(record(), [order("trihexyphenidyl")], TODAY) == []


def test_an_order_that_newly_contraindicates_a_current_drug_gets_a_card() -> None:
    spec = Spec(
        contraindications=(
            Statement("Not with an MAOI within 14 days", when("class:maoi@14"), ("R33",)),
        ),
        id="levodopa-trial",
        title="Levodopa trial",
    )
    kb = FakeKb(treatment_options={"levodopa": "levodopa-trial"}, specs={"levodopa-trial": spec})
    CLASSES["phenelzine"] = {"maoi"}

    def features(r: PatientRecord) -> frozenset[str]:
        maoi = any("maoi" in CLASSES.get(m.ingredient, set()) for m in r.medications if m.active)
        return frozenset({"dystonia", *(["class:maoi@14"] if maoi else [])})

    checker = OrderChecker(kb, lambda r: rec(r), features)
    on_levodopa = record(medications=(Medication("levodopa"),))
    findings = checker.check(on_levodopa, [order("phenelzine")], TODAY)
    assert [(f.topic, f.indicator) for f in findings] == [("levodopa-trial", "critical")]
    assert "current levodopa" in findings[0].summary
    assert checker.check(record(), [order("phenelzine")], TODAY) == []
