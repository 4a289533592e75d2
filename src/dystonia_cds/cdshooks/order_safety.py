"""`dystonia-order-safety`: draft orders checked against the patient.

Named checks (topic = check id; ids shared with engine alerts where one exists):
- `botulinum-toxin-too-soon`   BoNT ordered < 12 weeks after the last injection [R11][R13c][R14]
- `tetrabenazine-depression`   tetrabenazine/deutetrabenazine with depression or suicidality [R42][R43]
- `anticholinergic-older-adult` anticholinergic or first-generation antihistamine at >= 65 y [R27]
- `benzodiazepine-older-adult` benzodiazepine at >= 65 y (Beers: avoid) [R27]
- `benzodiazepine-opioid`      benzodiazepine with an opioid (boxed warning) [R38]
- `baclofen-renal-impairment`  baclofen with renal impairment (reduce dose) [R40][R40d]
- `dopamine-blocker-dystonia`  a dopamine-blocking drug for a patient with dystonia [R20][R21][R22]
Then the knowledge base: the ordered drug's contraindications and `avoid` rules that hold for
this patient (patient-specific triggers only), and engine alerts that the order would newly raise. Drug classes come
from `kb.drug_classes`. Clean orders give no cards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from dystonia_cds.cdshooks.order_checks import (
    OLDER_ADULT_YEARS,
    Finding,
    Patient,
    anticholinergic_older_adult,
    baclofen_renal,
    benzodiazepine_older_adult,
    benzodiazepine_opioid,
    dopamine_blocker_dystonia,
    patient_view,
    tetrabenazine_depression,
)
from dystonia_cds.cdshooks.orders import DraftOrder
from dystonia_cds.domain.patient import Medication, PatientRecord
from dystonia_cds.domain.recommendation import Recommendation, Strength
from dystonia_cds.knowledge.base import applies

BONT_OPTION = "botulinum-toxin"
BONT_MIN_DAYS = 12 * 7  # [R11][R13c][R14]: not sooner than every 12 weeks

Recommend = Callable[[PatientRecord], Recommendation]
Features = Callable[[PatientRecord], frozenset[str]]  # the engine's feature words for a record
Line = tuple[str, str, str, tuple[str, ...]]  # topic, indicator, text, sources


def knowledge_threshold(kb: Any, name: str, default: float) -> float:
    """A threshold from the knowledge base (thresholds.toml), or the sourced default."""
    try:
        return float(kb.threshold(name))
    except (AttributeError, KeyError):
        return default


class OrderChecker:
    """Runs the named checks and the knowledge-base checks over draft orders."""

    def __init__(self, kb: Any, recommend: Recommend, features_of: Features | None = None) -> None:
        self.kb = kb
        self.recommend = recommend
        self.features_of = features_of
        weeks = knowledge_threshold(kb, "bont_min_interval_weeks", BONT_MIN_DAYS / 7)
        self.bont_min_days = round(weeks * 7)
        self.older_adult_from = knowledge_threshold(kb, "older_adult_from", OLDER_ADULT_YEARS)

    def classes(self, concepts: frozenset[str]) -> frozenset[str]:
        return frozenset(c for i in concepts for c in self.kb.drug_classes(i))

    def is_bont(self, concepts: frozenset[str]) -> bool:
        options = self.kb.treatment_options
        return any(c == BONT_OPTION or options.get(c) == BONT_OPTION for c in concepts)

    def check(self, record: PatientRecord, orders: list[DraftOrder], today: date) -> list[Finding]:
        patient = patient_view(record, today, self.kb.drug_classes, self.older_adult_from)
        findings = [f for order in orders for f in self.named(order, patient)]
        baseline = self.recommend(record) if orders else None
        for order in orders:
            self.add_knowledge(order, patient, baseline, findings)
        return findings

    def named(self, order: DraftOrder, patient: Patient) -> Iterator[Finding]:
        classes = self.classes(order.concepts)
        for check in (
            self.bont_too_soon,
            tetrabenazine_depression,
            anticholinergic_older_adult,
            benzodiazepine_older_adult,
            benzodiazepine_opioid,
            baclofen_renal,
            dopamine_blocker_dystonia,
        ):
            finding = check(order, classes, patient)
            if finding is not None:
                yield finding

    def bont_too_soon(
        self, order: DraftOrder, _classes: frozenset[str], p: Patient
    ) -> Finding | None:
        if not self.is_bont(order.concepts):
            return None
        last = self.last_bont(p.record)
        if last is None or (p.today - last).days >= self.bont_min_days:
            return None
        weeks = (p.today - last).days / 7
        return Finding(
            "botulinum-toxin-too-soon",
            "warning",
            f"Botulinum toxin ordered {weeks:.1f} weeks after the last injection "
            f"(not sooner than {self.bont_min_days / 7:g})",
            [
                f"Last botulinum toxin injection on record: {last.isoformat()} ({weeks:.1f} weeks ago).",
                "Re-injection is standard no sooner than every 12 weeks (typical cycle 12–16 weeks); "
                "shorter intervals may favour neutralising antibodies and secondary non-response.",
            ],
            ("R11", "R13c", "R14"),
            order,
        )

    def last_bont(self, record: PatientRecord) -> date | None:
        dates = [i.date for i in record.injections]
        dates += [
            m.start
            for m in record.medications
            if m.start and self.is_bont(frozenset({m.ingredient}))
        ]
        return max(dates) if dates else None

    def add_knowledge(
        self,
        order: DraftOrder,
        p: Patient,
        baseline: Recommendation | None,
        findings: list[Finding],
    ) -> None:
        """Knowledge-base findings; folded into a named finding for the same order if any."""
        found = list(self.knowledge_lines(order, p, baseline)) + list(
            self.new_alerts(order, p, baseline)
        )
        if not found:
            return
        own = [f for f in findings if f.order is order]
        taken = {f.topic for f in findings}
        for topic, indicator, line, sources in found:
            if topic in taken:
                continue
            if own:
                own[0].extra.append(line)
                own[0].indicator = _worse(own[0].indicator, indicator)
                continue
            summary = f"{order.label}: {line}"
            findings.append(Finding(topic, indicator, summary, [line], sources, order))
            own = [findings[-1]]
            taken.add(topic)

    def knowledge_lines(
        self, order: DraftOrder, p: Patient, baseline: Recommendation | None
    ) -> Iterator[Line]:
        """Contraindications and "avoid" rules that hold for this patient: of the ordered drug,
        and, newly because of the order, of the drugs the patient already takes (e.g. an MAOI
        ordered for someone on levodopa). From the patient's features when the engine exposes
        them, else from the engine's verdict on the ordered drug's option."""
        if self.features_of is None:
            yield from self.verdict_lines(order, baseline)
            return
        features = self.features_of(p.record)
        for concept in sorted(order.concepts):
            yield from self.rule_lines(self.kb.treatment_options.get(concept), features)
        changed = self.with_order(p, order)
        if changed is None:
            return
        after = self.features_of(changed)
        for current in sorted(p.active - order.concepts):
            option_id = self.kb.treatment_options.get(current)
            before = {s.id for s in self.fired(option_id, features)}
            yield from self.rule_lines(option_id, after, skip=before, current=current)

    def verdict_lines(self, order: DraftOrder, baseline: Recommendation | None) -> Iterator[Line]:
        options = {o.id: o for o in baseline.options} if baseline else {}
        for concept in sorted(order.concepts):
            option = options.get(self.kb.treatment_options.get(concept, ""))
            if option is None or option.strength.is_positive:
                continue
            texts = set(option.rationale) | set(option.cautions)
            spec = self.kb.option(option.id)
            fired = [s.text for s in (*spec.contraindications, *spec.avoid) if s.text in texts]
            if option.strength is Strength.CONTRAINDICATED or fired:
                why = "; ".join(fired or list(option.rationale)[:2])
                indicator = "critical" if option.strength is Strength.CONTRAINDICATED else "warning"
                line = f"{option.title} is {option.strength.value} for this patient: {why}"
                yield option.id, indicator, line, option.provenance.sources

    def fired(self, option_id: str | None, features: frozenset[str]) -> list[Any]:
        """An option's contraindications and avoid rules that hold; only patient-specific ones
        (a rule without a trigger holds for everyone and would fire on every order)."""
        try:
            spec = self.kb.option(option_id) if option_id else None
        except KeyError:
            spec = None
        if spec is None:
            return []
        rules = (*spec.contraindications, *spec.avoid)
        return [s for s in rules if s.when and applies(s.when, features)]

    def rule_lines(
        self,
        option_id: str | None,
        features: frozenset[str],
        *,
        skip: set[str] | None = None,
        current: str | None = None,
    ) -> Iterator[Line]:
        fired = [s for s in self.fired(option_id, features) if s.id not in (skip or set())]
        if not fired or option_id is None:
            return
        spec = self.kb.option(option_id)
        contra = any(s in spec.contraindications for s in fired)
        verdict = "contraindicated" if contra else "not recommended"
        texts = "; ".join(s.text for s in fired)
        sources = tuple(sorted({k for s in fired for k in s.sources}))
        subject = f"with the patient's current {current}, {spec.title}" if current else spec.title
        line = f"{subject[0].upper()}{subject[1:]} is {verdict}: {texts}"
        yield spec.id, "critical" if contra else "warning", line, sources

    def with_order(self, p: Patient, order: DraftOrder) -> PatientRecord | None:
        """The patient's record as if the drafted drugs were started today."""
        drugs = [
            c
            for c in sorted(order.concepts)
            if self.kb.drug_classes(c) or c in self.kb.treatment_options
        ]
        if order.kind != "MedicationRequest" or not drugs:
            return None
        added = tuple(
            Medication(c, start=p.today, active=True, source=order.reference or "") for c in drugs
        )
        return replace(p.record, medications=p.record.medications + added)

    def new_alerts(
        self, order: DraftOrder, p: Patient, baseline: Recommendation | None
    ) -> Iterator[Line]:
        changed = self.with_order(p, order)
        if baseline is None or changed is None:
            return
        before = {a.id for a in baseline.alerts}
        for alert in self.recommend(changed).alerts:
            if alert.id not in before and alert.severity.value != "info":
                yield alert.id, alert.severity.value, alert.message, alert.provenance.sources


def _worse(a: str, b: str) -> str:
    order = {"info": 0, "warning": 1, "critical": 2}
    return a if order.get(a, 0) >= order.get(b, 0) else b
