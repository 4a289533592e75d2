"""The named order-safety checks: one pure function per check over a draft order, the order's
drug classes and the patient. Each returns a `Finding` (topic = check id) or None; the sources
are the reference keys the statements rest on (shared/clinical/reference.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dystonia_cds.cdshooks.orders import DraftOrder
from dystonia_cds.domain.patient import PatientRecord, age_in_years

OLDER_ADULT_YEARS = 65  # [R27] Beers criteria (the knowledge base's older_adult_from wins)
TETRABENAZINE_LIKE = frozenset({"tetrabenazine", "deutetrabenazine"})  # [R42][R43] contraindication


@dataclass(slots=True)
class Finding:
    topic: str
    indicator: str
    summary: str
    lines: list[str]
    sources: tuple[str, ...]
    order: DraftOrder
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Patient:
    record: PatientRecord
    today: date
    age: int | None
    active: frozenset[str]  # ingredient ids of active medications
    active_classes: frozenset[str]
    older_adult_from: float = OLDER_ADULT_YEARS

    @property
    def is_older_adult(self) -> bool:
        return self.age is not None and self.age >= self.older_adult_from


def patient_view(
    record: PatientRecord, today: date, classes: Callable[[str], frozenset[str]], older_from: float
) -> Patient:
    active = frozenset(m.ingredient for m in record.medications if m.active)
    age = age_in_years(record.birth_date, today) if record.birth_date else None
    active_classes = frozenset(c for i in active for c in classes(i))
    return Patient(record, today, age, active, active_classes, older_from)


def tetrabenazine_depression(order: DraftOrder, _c: frozenset[str], p: Patient) -> Finding | None:
    drug = sorted(order.concepts & TETRABENAZINE_LIKE)
    present = sorted(p.record.conditions & {"depression", "suicidality"})
    if not drug or not present:
        return None
    indicator = "critical" if "suicidality" in present else "warning"
    return Finding(
        "tetrabenazine-depression",
        indicator,
        f"{drug[0].capitalize()} ordered for a patient with {' and '.join(present)}",
        [
            f"Recorded: {', '.join(present)}.",
            "Boxed warning: depression and suicidality. Contraindicated when actively suicidal "
            "or with untreated or inadequately treated depression; monitor mood at every visit.",
        ],
        ("R42", "R43"),
        order,
    )


def anticholinergic_older_adult(
    order: DraftOrder, classes: frozenset[str], p: Patient
) -> Finding | None:
    hit = classes & {"anticholinergic", "first-generation-antihistamine"}
    if not hit or not p.is_older_adult:
        return None
    return Finding(
        "anticholinergic-older-adult",
        "warning",
        f"Anticholinergic ordered for a patient aged {p.age} (Beers: avoid)",
        [
            f"{order.label} is an anticholinergic drug; the patient is {p.age} years old.",
            "Beers criteria: avoid anticholinergics (antiparkinsonian agents and "
            "first-generation antihistamines) in older adults — confusion, memory loss, "
            "hallucinations, urinary retention, constipation.",
        ],
        ("R27", "R36"),
        order,
    )


def benzodiazepine_older_adult(
    order: DraftOrder, classes: frozenset[str], p: Patient
) -> Finding | None:
    if "benzodiazepine" not in classes or not p.is_older_adult:
        return None
    return Finding(
        "benzodiazepine-older-adult",
        "warning",
        f"Benzodiazepine ordered for a patient aged {p.age} (Beers: avoid)",
        [
            "Beers criteria: avoid benzodiazepines in older adults (cognitive impairment, "
            "delirium, falls, fractures, motor vehicle crashes)."
        ],
        ("R27",),
        order,
    )


def benzodiazepine_opioid(order: DraftOrder, classes: frozenset[str], p: Patient) -> Finding | None:
    ordered = classes & {"benzodiazepine", "opioid"}
    combined = ordered | (p.active_classes & {"benzodiazepine", "opioid"})
    if not ordered or combined != {"benzodiazepine", "opioid"}:
        return None
    other = "an opioid" if "benzodiazepine" in ordered else "a benzodiazepine"
    return Finding(
        "benzodiazepine-opioid",
        "warning",
        f"{order.label} ordered with {other}: risk of profound sedation and respiratory depression",
        [
            "Boxed warning: benzodiazepines with opioids can cause profound sedation, "
            "respiratory depression, coma and death.",
            "Co-prescribe only when alternatives are inadequate; limit dose and duration; monitor.",
        ],
        ("R38",),
        order,
    )


def baclofen_renal(order: DraftOrder, _c: frozenset[str], p: Patient) -> Finding | None:
    if "baclofen" not in order.concepts or "renal-impairment" not in p.record.conditions:
        return None
    return Finding(
        "baclofen-renal-impairment",
        "warning",
        "Baclofen ordered for a patient with renal impairment: reduce the dose",
        [
            "Baclofen is excreted mostly unchanged by the kidney; the label says to reduce the dose.",
            "Encephalopathy has been reported in chronic kidney disease and dialysis at low doses.",
            "Never stop baclofen abruptly (withdrawal: hallucinations, seizures, high fever).",
        ],
        ("R40", "R40d"),
        order,
    )


def dopamine_blocker_dystonia(
    order: DraftOrder, classes: frozenset[str], p: Patient
) -> Finding | None:
    if "dopamine-blocker" not in classes or not p.record.phenotype.has_dystonia:
        return None
    lines = [
        f"{order.label} blocks dopamine receptors; the patient has dystonia on record.",
        "Dopamine-blocking drugs cause acute dystonic reactions and drug-induced dystonia; a "
        "previous dystonic reaction and a family history of dystonia are risk factors.",
    ]
    sources: tuple[str, ...] = ("R20", "R21", "R22")
    if "levodopa" in p.active:
        lines.append("Dopamine antagonists also reduce the effect of levodopa.")
        sources += ("R33",)
    return Finding(
        "dopamine-blocker-dystonia",
        "warning",
        f"{order.label}: dopamine-blocking drug for a patient with dystonia",
        lines,
        sources,
        order,
    )
