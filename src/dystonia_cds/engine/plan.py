"""The decision for a set of features: which options (strength, order, texts), which alerts,
and the trace. It depends on nothing else, so it is memoised on the knowledge base, keyed
by the features the rules read (`kb.relevant`, as bits of an int): patients who share them
share the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from dystonia_cds.domain.recommendation import Strength, TraceEntry
from dystonia_cds.engine.alerts import AlertPlan, order_alerts, plan_alert
from dystonia_cds.engine.options import OptionPlan, cap_adjuncts, plan_option, rank_plans
from dystonia_cds.knowledge.base import AlertSpec, KnowledgeBase, OptionSpec

IN_USE = "contraindicated-in-use"  # the feature: a contraindicated option's drug is taken
IN_USE_ALERT = "contraindicated-drug-in-use"
PLANS_LIMIT = 10_000  # whole-patient decisions: a bounded cache
MEMO_LIMIT = 50_000  # per-rule decisions: few distinct in practice


@dataclass(frozen=True, slots=True)
class Plan:
    options: tuple[OptionPlan, ...]
    alerts: tuple[AlertPlan, ...]
    trace: tuple[TraceEntry, ...]
    alert_ids: tuple[str, ...] = ()  # the alerts' ids, in order


def plan_for(kb: KnowledgeBase, features: Iterable[str]) -> Plan:
    """The memoised decision for these features (only `kb.relevant` ones matter)."""
    return plan_for_mask(kb, kb.mask_of(features))


def plan_for_mask(kb: KnowledgeBase, mask: int) -> Plan:
    plans = kb.plans
    plan: Plan | None = plans.get(mask)
    if plan is None:
        plan = decide(kb, mask)
        if len(plans) >= PLANS_LIMIT:
            plans.clear()
        if len(kb.memo) >= MEMO_LIMIT:
            kb.memo.clear()
            plans.clear()
        plans[mask] = plan
    return plan


def decide(kb: KnowledgeBase, mask: int) -> Plan:
    """Per-option and per-alert decisions, each memoised on the bits of the few features it
    reads, then ranked (rank variants of an option decision are built once and kept)."""
    memo = kb.memo
    trace: list[TraceEntry] = []
    found: list[OptionPlan] = []
    for n, spec in enumerate(kb.options):
        key = (n, mask & kb.option_masks[n])
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _decide_option(kb, spec, kb.features_of(key[1]))
        trace.append(hit[1])
        if hit[0] is not None:
            found.append(hit[0])
    capped = cap_adjuncts(found)
    for before, after in zip(found, capped, strict=True):
        if before is not after:
            trace.append(_capped(before, after))
    options = rank_plans(capped)
    in_use = contraindicated_in_use(options, kb.features_of(mask))
    extra = [f"listed:{p.template.id}" for p in options]
    if in_use:
        extra.append(IN_USE)
    listed = mask | kb.mask_of(extra)
    alerts: list[AlertPlan] = []
    for n, aspec in enumerate(kb.alerts):
        akey = (-1 - n, listed & kb.alert_masks[n])
        hit = memo.get(akey)
        if hit is None:
            hit = memo[akey] = _decide_alert(kb, aspec, kb.features_of(akey[1]))
        trace.append(hit[1])
        if hit[0] is not None:
            alerts.append(_with_sources(hit[0], in_use) if aspec.id == IN_USE_ALERT else hit[0])
    ordered = tuple(order_alerts(alerts))
    return Plan(tuple(options), ordered, tuple(trace), tuple(a.template.id for a in ordered))


def contraindicated_in_use(options: list[OptionPlan], features: frozenset[str]) -> list[OptionPlan]:
    """Options contraindicated for this patient whose drug the patient is taking now."""
    return [
        p
        for p in options
        if p.template.strength is Strength.CONTRAINDICATED
        and f"current:{p.template.id}" in features
    ]


def _with_sources(plan: AlertPlan, in_use: list[OptionPlan]) -> AlertPlan:
    """The in-use alert rests on the contraindications it names: their sources and facts."""
    a = plan.template
    sources = set(a.provenance.sources).union(*(p.template.provenance.sources for p in in_use))
    facts = set(a.provenance.facts).union(*(p.template.provenance.facts for p in in_use))
    provenance = replace(a.provenance, sources=tuple(sorted(sources)), facts=tuple(sorted(facts)))
    return replace(plan, template=replace(a, provenance=provenance))


def _capped(before: OptionPlan, after: OptionPlan) -> TraceEntry:
    detail = (
        f"{before.template.id}: {before.template.strength.value} -> "
        f"{after.template.strength.value} (an adjunct never ranks above the primary treatment)"
    )
    return TraceEntry("adjunct.never-above-primary", True, detail)


def _decide_option(
    kb: KnowledgeBase, spec: OptionSpec, features: frozenset[str]
) -> tuple[OptionPlan | None, TraceEntry]:
    trace: list[TraceEntry] = []
    return plan_option(spec, features, kb.version, trace), trace[0]


def _decide_alert(
    kb: KnowledgeBase, spec: AlertSpec, features: frozenset[str]
) -> tuple[AlertPlan | None, TraceEntry]:
    trace: list[TraceEntry] = []
    return plan_alert(spec, features, kb.version, trace), trace[0]
