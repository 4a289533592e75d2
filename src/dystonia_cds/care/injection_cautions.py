"""Injection checks that read the patient or single muscles rather than the history:

- `botulinum-toxin-contraindicated` (critical) / `botulinum-toxin-caution` (warning): from
  patient condition ids (the ids in dystonia_cds.domain.patient): hypersensitivity, injection-site infection; myasthenia
  gravis, Lambert-Eaton syndrome, motor neuron disease, dysphagia, pregnancy (reference §3.1).
- `botulinum-toxin-off-label` (info) when the patient is younger than the labelled population.
- `botulinum-toxin-dysphagia-risk` (info): sternocleidomastoid units above the figure the
  label gives for dysphagia (onabotulinumtoxinA total > 100 U, R11; abobotulinumtoxinA one
  side > 150 U, R12b).
"""

from __future__ import annotations

from collections.abc import Iterable

from dystonia_cds.care.checks import Check
from dystonia_cds.care.injections import InjectionVisit
from dystonia_cds.domain.recommendation import Severity
from dystonia_cds.knowledge.care_catalog import BotulinumCatalog, MuscleNote


def condition_checks(catalog: BotulinumCatalog, conditions: Iterable[str]) -> list[Check]:
    """One check per check id, its message listing every matching condition."""
    present = set(conditions)
    grouped: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for rule in catalog.condition_checks:
        if rule.condition in present:
            grouped.setdefault(rule.id, []).append((rule.severity, rule.text, rule.sources))
    checks = []
    for check_id, rules in sorted(grouped.items()):
        severity = Severity(rules[0][0])
        sources = tuple(dict.fromkeys(src for _, _, group in rules for src in group))
        checks.append(Check(check_id, severity, " ".join(text for _, text, _ in rules), sources))
    return checks


def age_checks(
    catalog: BotulinumCatalog, visit: InjectionVisit, age_years: float | None
) -> list[Check]:
    product = catalog.product(visit.product)
    labelled = product.labelled_for(visit.indication) if product else None
    if age_years is None or labelled is None or labelled.min_age_years is None:
        return []
    if age_years >= labelled.min_age_years:
        return []
    return [
        Check(
            "botulinum-toxin-off-label",
            Severity.INFO,
            f"{visit.product} is labelled for {visit.indication} in {labelled.population}; "
            f"at {age_years:g} years this use is off-label.",
            (labelled.source,),
        )
    ]


def muscle_checks(catalog: BotulinumCatalog, visit: InjectionVisit) -> list[Check]:
    checks = []
    for note in catalog.muscle_notes:
        if (note.product, note.indication) != (visit.product, visit.indication):
            continue
        units = _units(note, visit)
        if units > note.above_units:
            where = "in total" if note.scope == "total" else "on one side"
            checks.append(
                Check(
                    "botulinum-toxin-dysphagia-risk",
                    Severity.INFO,
                    f"{visit.product}: {units:g} U into the {note.muscle} {where}; "
                    f"{note.text} ({note.source} [{note.tag}]).",
                    (note.source,),
                )
            )
    return checks


def _units(note: MuscleNote, visit: InjectionVisit) -> float:
    rows = [m for m in visit.muscles if m.muscle == note.muscle]
    if note.scope == "total":
        return float(sum(m.units for m in rows))
    per_side = {side: sum(m.units for m in rows if m.side == side) for side in ("left", "right")}
    return float(max(per_side.values()))
