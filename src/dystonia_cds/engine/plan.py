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
from dystonia_cds.knowledge.base import AlertSpec, KnowledgeBase, OptionSpec, Statement

IN_USE = "contraindicated-in-use"  # the feature: a contraindicated option's drug is taken
IN_USE_ALERT = "contraindicated-drug-in-use"
CAUTION_IN_USE = (
    "caution-in-use"  # the feature: a caution marked alert_in_use applies to a drug taken
)
CAUTION_ALERT = "caution-drug-in-use"
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
    trace: list[TraceEntry] = []
    options = _decide_options(kb, mask, trace)
    features = kb.features_of(mask)
    extra = [f"listed:{p.template.id}" for p in options]
    covered = covered_ids(kb, features | frozenset(extra))
    in_use = contraindicated_in_use(kb, options, features, covered)
    if in_use:
        extra.append(IN_USE)
    if cautions_in_use(kb, options, features):
        extra.append(CAUTION_IN_USE)
    alerts = _decide_alerts(kb, mask | kb.mask_of(extra), trace, in_use)
    ordered = tuple(order_alerts(alerts))
    return Plan(tuple(options), ordered, tuple(trace), tuple(a.template.id for a in ordered))


def _decide_options(kb: KnowledgeBase, mask: int, trace: list[TraceEntry]) -> list[OptionPlan]:
    memo = kb.memo
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
    return rank_plans(capped)


def _decide_alerts(
    kb: KnowledgeBase, listed: int, trace: list[TraceEntry], in_use: list[OptionPlan]
) -> list[AlertPlan]:
    memo = kb.memo
    alerts: list[AlertPlan] = []
    for n, aspec in enumerate(kb.alerts):
        akey = (-1 - n, listed & kb.alert_masks[n])
        hit = memo.get(akey)
        if hit is None:
            hit = memo[akey] = _decide_alert(kb, aspec, kb.features_of(akey[1]))
        trace.append(hit[1])
        if hit[0] is not None:
            alerts.append(_with_sources(hit[0], in_use) if aspec.id == IN_USE_ALERT else hit[0])
    return alerts


def covered_ids(kb: KnowledgeBase, features: frozenset[str]) -> frozenset[str]:
    """Contraindication ids a dedicated alert that fires here already says."""
    found: set[str] = set()
    for spec in kb.alerts:
        if spec.covers and spec.test(features):
            found |= spec.covers
    return frozenset(found)


def _taken(plan: OptionPlan, features: frozenset[str]) -> bool:
    return f"current:{plan.template.id}" in features


def in_use_contraindications(
    kb: KnowledgeBase,
    plan: OptionPlan,
    features: frozenset[str],
    covered: frozenset[str],
) -> list[Statement]:
    """The contraindications of a contraindicated option whose drug is taken (not covered)."""
    if plan.template.strength is not Strength.CONTRAINDICATED or not _taken(plan, features):
        return []
    spec = kb.option(plan.template.id)
    return [s for s in spec.contraindications if s.id not in covered and s.test(features)]


def in_use_cautions(
    kb: KnowledgeBase, plan: OptionPlan, features: frozenset[str]
) -> list[Statement]:
    """Cautions and "avoid" statements marked `alert_in_use` that apply to a drug taken."""
    if not _taken(plan, features):
        return []
    spec = kb.option(plan.template.id)
    return [s for s in (*spec.avoid, *spec.cautions) if s.alert_in_use and s.test(features)]


def contraindicated_in_use(
    kb: KnowledgeBase,
    options: list[OptionPlan],
    features: frozenset[str],
    covered: frozenset[str],
) -> list[OptionPlan]:
    """Options contraindicated for this patient whose drug the patient is taking now."""
    return [p for p in options if in_use_contraindications(kb, p, features, covered)]


def cautions_in_use(
    kb: KnowledgeBase, options: list[OptionPlan], features: frozenset[str]
) -> list[OptionPlan]:
    return [p for p in options if in_use_cautions(kb, p, features)]


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
