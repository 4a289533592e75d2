"""The decision for a set of features: which options (strength, order, texts), which alerts,
and the trace. It depends on nothing else, so it is memoised on the knowledge base, keyed
by the features the rules read (`kb.relevant`): patients who share them share the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from dystonia_cds.domain.recommendation import TraceEntry
from dystonia_cds.engine.alerts import AlertPlan, order_alerts, plan_alert
from dystonia_cds.engine.options import OptionPlan, cap_adjuncts, plan_option, rank_plans
from dystonia_cds.knowledge.base import AlertSpec, KnowledgeBase, OptionSpec

MEMO_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Plan:
    options: tuple[OptionPlan, ...]
    alerts: tuple[AlertPlan, ...]
    trace: tuple[TraceEntry, ...]


def plan_for(kb: KnowledgeBase, features: frozenset[str]) -> Plan:
    """The memoised decision for these features (only `kb.relevant` ones matter)."""
    key = features & kb.relevant
    plan = kb.memo.get(key)
    if plan is None:
        plan = decide(kb, key)
        if len(kb.memo) >= MEMO_LIMIT:
            kb.memo.clear()
        kb.memo[key] = plan
    return cast(Plan, plan)


def decide(kb: KnowledgeBase, features: frozenset[str]) -> Plan:
    trace: list[TraceEntry] = []
    found: list[OptionPlan] = []
    for spec in kb.options:
        option, entry = _option(kb, spec, features)
        trace.append(entry)
        if option is not None:
            found.append(option)
    options = rank_plans(cap_adjuncts(found))
    listed = features | {f"listed:{p.template.id}" for p in options}
    alerts: list[AlertPlan] = []
    for aspec in kb.alerts:
        alert, entry = _alert(kb, aspec, listed)
        trace.append(entry)
        if alert is not None:
            alerts.append(alert)
    return Plan(tuple(options), tuple(order_alerts(alerts)), tuple(trace))


def _option(
    kb: KnowledgeBase, spec: OptionSpec, features: frozenset[str]
) -> tuple[OptionPlan | None, TraceEntry]:
    """One option's decision, memoised on the few features its rules read."""
    key = (spec.id, features & spec.reads)
    hit = kb.memo.get(key)
    if hit is None:
        trace: list[TraceEntry] = []
        hit = (plan_option(spec, key[1], kb.version, trace), trace[0])
        kb.memo[key] = hit
    return cast(tuple[OptionPlan | None, TraceEntry], hit)


def _alert(
    kb: KnowledgeBase, spec: AlertSpec, features: frozenset[str]
) -> tuple[AlertPlan | None, TraceEntry]:
    key = ("alert:" + spec.id, features & spec.reads)
    hit = kb.memo.get(key)
    if hit is None:
        trace: list[TraceEntry] = []
        hit = (plan_alert(spec, key[1], kb.version, trace), trace[0])
        kb.memo[key] = hit
    return cast(tuple[AlertPlan | None, TraceEntry], hit)
