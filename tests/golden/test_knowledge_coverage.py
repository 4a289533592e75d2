"""Coverage of the knowledge base by the golden cases: every rule (indication,
contraindication, avoid rule, rationale, caution, alert, alert addendum, dose limit) must be
exercised - shown to a clinician - by at least one golden case, the project's own
(`cases/`) or the independent library (`independent/`). The ones that are not are listed.

Option `facts` (dosing, monitoring and side-effect statements for handouts) are not rules
and are not counted here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_golden_cases import CASES, build_record, load_case
from test_independent_cases import CASES as INDEPENDENT
from test_independent_cases import evaluate

from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.engine import recommend
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.knowledge.base import Statement


@cache
def _outputs() -> tuple[Recommendation, ...]:
    kb = load_knowledge()
    own = [recommend(build_record(c), kb, on=c["on"]) for c in map(load_case, CASES)]
    independent = [evaluate(load_case(p)) for p in INDEPENDENT]
    return (*own, *independent)


@cache
def _shown() -> str:
    """Every text a clinician reads in the golden outputs, joined."""
    parts: list[str] = []
    for rec in _outputs():
        for o in rec.options:
            parts.extend((*o.rationale, *o.cautions))
        parts.extend(a.message for a in rec.alerts)
    return "\n".join(parts)


def _stem(text: str) -> str:
    """The fixed part of a statement's text (before any patient value)."""
    return text.split("{", 1)[0][:120]


def _rules() -> Iterator[tuple[str, Statement]]:
    for spec in load_knowledge().options:
        for ind in spec.indications:
            yield f"{spec.id}: indication", ind.statement
        for group in ("contraindications", "avoid", "rationale", "cautions"):
            for s in getattr(spec, group):
                yield f"{spec.id}: {group}", s
    for alert in load_knowledge().alerts:
        for s in alert.addenda:
            yield f"alert {alert.id}: addendum", s


def uncovered() -> list[str]:
    shown = _shown()
    missing = [f"{where} {s.id}" for where, s in _rules() if _stem(s.text) not in shown]
    fired = {a.id for rec in _outputs() for a in rec.alerts}
    missing += [f"alert {a.id}" for a in load_knowledge().alerts if a.id not in fired]
    limits = [lim for lims in load_knowledge().dose_limits.values() for lim in lims]
    missing += [f"dose limit {lim.id}" for lim in limits if lim.limit not in shown]
    return sorted(missing)


@pytest.mark.slow
def test_every_rule_of_the_knowledge_base_is_exercised_by_a_golden_case() -> None:
    missing = uncovered()
    assert not missing, f"{len(missing)} rules no golden case exercises:\n" + "\n".join(missing)


if __name__ == "__main__":  # list them: python tests/golden/test_knowledge_coverage.py
    print("\n".join(uncovered()) or "every rule is exercised")
