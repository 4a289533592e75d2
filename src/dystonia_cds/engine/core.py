"""`recommend`: the pure, deterministic engine entry point (no I/O, no clock)."""

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
from dystonia_cds.engine.alerts import evaluate_alerts
from dystonia_cds.engine.context import NO_DYSTONIA_NOTE, Context, build_context
from dystonia_cds.engine.options import evaluate_options
from dystonia_cds.knowledge.base import KnowledgeBase


def recommend(record: PatientRecord, kb: KnowledgeBase, *, on: date) -> Recommendation:
    """Ranked options, alerts, notes and an explanation trace for one patient on one date."""
    ctx = build_context(record, kb, on)
    if "dystonia" not in ctx.features:
        ctx.notes.append(NO_DYSTONIA_NOTE)
        ctx.trace.append(TraceEntry("phenotype.no-active-dystonia", True, "no treatment offered"))
        return _result(ctx, kb, (), ())
    features = frozenset(ctx.features)
    options = evaluate_options(kb, ctx, features)
    listed = features | {f"listed:{o.id}" for o in options}
    alerts = evaluate_alerts(kb, ctx, listed)
    return _result(ctx, kb, tuple(options), tuple(alerts))


def _result(
    ctx: Context, kb: KnowledgeBase, options: tuple[Option, ...], alerts: tuple[Alert, ...]
) -> Recommendation:
    record = ctx.record
    return Recommendation(
        record=record,
        evaluated_at=ctx.on,
        age_years=ctx.age,
        options=options,
        alerts=alerts,
        trace=tuple(ctx.trace),
        knowledge_version=kb.version,
        unrecognized=record.unrecognized,
        notes=tuple(ctx.notes),
        phenotype=_understood(ctx, kb),
    )


def _understood(ctx: Context, kb: KnowledgeBase) -> UnderstoodPhenotype:
    p = ctx.record.phenotype
    band = kb.onset_band(ctx.onset) if ctx.onset is not None else None
    return UnderstoodPhenotype(
        forms=tuple(sorted(f.value for f in p.forms)),
        regions=tuple(sorted(r.value for r in ctx.regions)),
        distribution=ctx.distribution,
        distribution_derived=ctx.distribution is not None and p.distribution is None,
        onset_age_years=round(ctx.onset, 1) if ctx.onset is not None else None,
        onset_band=band.id if band else None,
        acute_reaction="acute" in ctx.features,
        course=p.course.value if p.course else None,
        variability=tuple(sorted(v.value for v in p.variability)),
        association=p.association.value if p.association else None,
        etiology=p.etiology.value if p.etiology else None,
        genes=tuple(sorted(p.genes)),
        conditions=tuple(sorted(ctx.record.conditions)),
        findings=tuple(sorted(ctx.record.findings)),
        current_drugs=ctx.active_drugs,
    )
