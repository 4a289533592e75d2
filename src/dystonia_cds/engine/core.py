"""`recommend`: the pure, deterministic engine entry point (no I/O, no clock); `alert_ids`: the
ids of the alerts `recommend` would raise, for callers that need nothing else (screening)."""

from __future__ import annotations

from datetime import date

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import (
    Alert,
    Option,
    Recommendation,
    TraceEntry,
    UnderstoodPhenotype,
)
from dystonia_cds.engine.alerts import render_alert
from dystonia_cds.engine.context import NO_DYSTONIA_NOTE, Context, build_context
from dystonia_cds.engine.options import render_option
from dystonia_cds.engine.plan import (
    CAUTION_ALERT,
    IN_USE_ALERT,
    Plan,
    in_use_cautions,
    in_use_contraindications,
    plan_for,
)
from dystonia_cds.engine.understanding import derive_facts, sorted_ids
from dystonia_cds.knowledge.base import KnowledgeBase

DECEASED_TRACE = (TraceEntry("patient.deceased", True, "no treatment offered, no alert"),)
NO_DYSTONIA_TRACE = (TraceEntry("phenotype.no-active-dystonia", True, "no treatment offered"),)


def recommend(record: PatientRecord, kb: KnowledgeBase, *, on: date) -> Recommendation:
    """Ranked options, alerts, notes and an explanation trace for one patient on one date."""
    ctx = build_context(record, kb, on)
    if record.deceased:
        ctx.notes.append(_deceased_note(record))
        return _result(ctx, kb, (), (), DECEASED_TRACE)
    if "dystonia" not in ctx.features:
        ctx.notes.append(NO_DYSTONIA_NOTE)
        return _result(ctx, kb, (), (), NO_DYSTONIA_TRACE)
    plan = plan_for(kb, ctx.features)
    values, failures, partial, current = ctx.values, ctx.failures, ctx.partial, ctx.current
    options = tuple(
        [
            render_option(p, values, failures, partial, current) if p.dynamic else p.template
            for p in plan.options
        ]
    )
    if IN_USE_ALERT in plan.alert_ids or CAUTION_ALERT in plan.alert_ids:
        _in_use_values(kb, plan, ctx)
    alerts = tuple([render_alert(a, values) if a.dynamic else a.template for a in plan.alerts])
    return _result(ctx, kb, options, alerts, plan.trace)


def alert_ids(record: PatientRecord, kb: KnowledgeBase, *, on: date) -> tuple[str, ...]:
    """The ids of `recommend(record, kb, on=on).alerts`, in the same order: the same context
    and the same memoised decision, without rendering options, alert texts or the phenotype."""
    ctx = build_context(record, kb, on)
    if record.deceased or "dystonia" not in ctx.features:
        return ()
    return plan_for(kb, ctx.features).alert_ids


def _in_use_values(kb: KnowledgeBase, plan: Plan, ctx: Context) -> None:
    """'Drug - reason; reason' for the drugs taken that are contraindicated or cautioned."""
    feats = frozenset(ctx.features)
    covered = frozenset().union(*(a.covers for a in kb.alerts if a.id in plan.alert_ids))
    contra, cautions = [], []
    for p in plan.options:
        title = kb.option(p.template.id).title
        found = in_use_contraindications(kb, p, feats, covered)
        if found:
            contra.append(f"{title} - {' '.join(s.text for s in found)}")
        said = in_use_cautions(kb, p, feats)
        if said:
            cautions.append(f"{title} - {' '.join(s.text for s in said)}")
    ctx.values["contraindicated_in_use"] = "; ".join(contra)
    ctx.values["cautions_in_use"] = "; ".join(cautions)


def _deceased_note(record: PatientRecord) -> str:
    died = record.deceased_date
    when = f" on {died.isoformat()}" if died else " (date of death not recorded)"
    return f"The patient died{when}: no treatment is offered and no alert is raised."


def _result(
    ctx: Context,
    kb: KnowledgeBase,
    options: tuple[Option, ...],
    alerts: tuple[Alert, ...],
    trace: tuple[TraceEntry, ...],
) -> Recommendation:
    record = ctx.record
    return Recommendation(
        record,
        ctx.on,
        ctx.age,
        options,
        alerts,
        trace,
        kb.version,
        record.unrecognized,
        tuple(ctx.notes) if ctx.notes else (),
        _understood(ctx, kb),
    )


def _understood(ctx: Context, kb: KnowledgeBase) -> UnderstoodPhenotype:
    p = ctx.record.phenotype
    facts = ctx.facts or derive_facts(p)
    onset = ctx.onset
    band = kb.onset_band(onset) if onset is not None else None
    record = ctx.record
    return UnderstoodPhenotype(
        facts.forms,
        facts.region_ids,
        ctx.distribution,
        ctx.distribution is not None and p.distribution is None,
        round(onset, 1) if onset is not None else None,
        band.id if band else None,
        "acute" in ctx.features,
        p.course,
        facts.variability,
        p.association,
        p.etiology,
        facts.genes,
        sorted_ids(record.conditions),
        sorted_ids(record.findings),
        ctx.active_drugs,
    )
