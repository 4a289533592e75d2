"""Alert burden: how many interruptive alerts the engine raises per patient, and whether each
one carries its action.

    python bench/alert_burden.py [--quick] [--patients N] [--seed S]

Populations: the demo patients of `serve --demo` (store/demo.py, evaluated today) and a
synthetic population (the screening cohort generator, `screening/synth`, with the clinical mix
of a dystonia clinic; evaluated on its anchor date), 10,000 patients by default and in --quick.

Definitions:
- an *interruptive* alert is one of severity `warning` or `critical` (severities as the
  engine outputs them; `info` alerts are context and are not counted);
- an interruptive alert is *actionable* when its message states an action and the web app
  carries it: `dystonia_cds.web.alert_actions.ALERT_ACTIONS` holds, for that alert id, the
  link to the form that does it (the action words of the message are the link's label). For
  CDS Hooks cards, the card carries the action when it has a suggestion
  (`cdshooks.suggestions.CARD_ACTION_ALERTS`), reported as `card_unactionable_alerts`;
- *unactionable_alerts* is the number of interruptive alerts without such an action, over both
  populations (target: 0).

Last stdout line: `RESULT alerts_per_patient=... share_with_alert=...
actionable_alerts_per_patient=... share_with_actionable_alert=... unactionable_alerts=...
card_unactionable_alerts=... demo_alerts_per_patient=... demo_share_with_alert=... patients=...`
(the first figures over the synthetic population; counts, shares in 0..1).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.engine import recommend
from dystonia_cds.fhir.mapping import record_from_resources
from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.loader import load_knowledge
from dystonia_cds.screening.synth import ANCHOR
from dystonia_cds.screening.synth.resources import plan_resources
from dystonia_cds.screening.synth.scenarios import draw_plan
from dystonia_cds.store.care_models import Patient
from dystonia_cds.store.database import open_database
from dystonia_cds.store.demo import seed_demo
from dystonia_cds.store.records import record_from_patient
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web.alert_actions import is_actionable, is_interruptive


@dataclass
class Burden:
    patients: int = 0
    alerts: int = 0
    actionable: int = 0
    with_alert: int = 0
    with_actionable: int = 0
    card_unactionable: int = 0
    by_id: Counter[str] = field(default_factory=Counter)
    unactionable_ids: Counter[str] = field(default_factory=Counter)

    def add(self, alerts: Iterable[Alert], card_actions: frozenset[str]) -> None:
        shown = [a for a in alerts if is_interruptive(a)]
        acted = [a for a in shown if is_actionable(a)]
        self.patients += 1
        self.alerts += len(shown)
        self.actionable += len(acted)
        self.with_alert += bool(shown)
        self.with_actionable += bool(acted)
        self.card_unactionable += sum(a.id not in card_actions for a in shown)
        self.by_id.update(f"{a.id}:{a.severity.value}" for a in shown)
        self.unactionable_ids.update(a.id for a in shown if not is_actionable(a))

    def per_patient(self, count: int) -> float:
        return round(count / self.patients, 4) if self.patients else 0.0


def card_actions() -> frozenset[str]:
    """Alert ids whose CDS Hooks card carries its action as a suggestion."""
    from dystonia_cds.cdshooks.suggestions import CARD_ACTION_ALERTS

    return frozenset(CARD_ACTION_ALERTS)


def demo_records(on: date) -> list[PatientRecord]:
    """The demo patients, seeded into a throw-away SQLite file as `serve --demo` does."""
    with tempfile.TemporaryDirectory() as folder:
        sessions = open_database(f"sqlite:///{Path(folder) / 'demo.sqlite'}")
        seed_demo(sessions, today=on)
        with sessions() as session:
            repo = CareRepository(session)
            ids = [p.id for p in session.query(Patient).order_by(Patient.display_name)]
            records = [record_from_patient(repo.history(pid)) for pid in ids]
        sessions.kw["bind"].dispose()
    return records


def synthetic_records(count: int, seed: int) -> Iterator[PatientRecord]:
    rng = random.Random(seed)
    for n in range(count):
        plan = draw_plan(rng, f"synth-{n:06d}", ANCHOR)
        yield record_from_resources([r for _, r in plan_resources(plan)])


def measure(records: Iterable[PatientRecord], kb: KnowledgeBase, on: date) -> Burden:
    burden, cards = Burden(), card_actions()
    for record in records:
        burden.add(recommend(record, kb, on=on).alerts, cards)
    return burden


def report(name: str, b: Burden) -> None:
    print(
        f"{name}: {b.patients} patients, {b.alerts} warning/critical alerts "
        f"({b.per_patient(b.alerts)} per patient), {b.with_alert} with at least one "
        f"({b.per_patient(b.with_alert):.1%}), {b.with_actionable} with an actionable one; "
        f"unactionable {b.alerts - b.actionable}, without a card suggestion {b.card_unactionable}"
    )
    for key, count in sorted(b.by_id.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {key:45s} {count:6d}")
    for key, count in sorted(b.unactionable_ids.items()):
        print(f"  unactionable {key:32s} {count:6d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the same 10,000 (already quick)")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    kb = load_knowledge()
    demo = measure(demo_records(date.today()), kb, date.today())
    synth = measure(synthetic_records(args.patients, args.seed), kb, ANCHOR)
    report("demo", demo)
    report("synthetic", synth)
    unactionable = (demo.alerts - demo.actionable) + (synth.alerts - synth.actionable)
    print(
        f"RESULT alerts_per_patient={synth.per_patient(synth.alerts)} "
        f"share_with_alert={synth.per_patient(synth.with_alert)} "
        f"actionable_alerts_per_patient={synth.per_patient(synth.actionable)} "
        f"share_with_actionable_alert={synth.per_patient(synth.with_actionable)} "
        f"unactionable_alerts={unactionable} "
        f"card_unactionable_alerts={demo.card_unactionable + synth.card_unactionable} "
        f"demo_alerts_per_patient={demo.per_patient(demo.alerts)} "
        f"demo_share_with_alert={demo.per_patient(demo.with_alert)} "
        f"patients={synth.patients}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
