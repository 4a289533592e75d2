"""Alerts: every alert of the knowledge base whose trigger holds, critical first."""

from __future__ import annotations

from dystonia_cds.domain.recommendation import Alert, Provenance, Severity, TraceEntry
from dystonia_cds.engine.context import Context
from dystonia_cds.engine.options import _used
from dystonia_cds.knowledge.base import AlertSpec, KnowledgeBase, applies

SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def evaluate_alert(
    spec: AlertSpec, ctx: Context, features: frozenset[str], version: str
) -> Alert | None:
    if not applies(spec.when, features):
        ctx.trace.append(TraceEntry(f"alert.{spec.id}", False, "conditions not met"))
        return None
    parts = [spec.message.format_map(ctx.values)]
    sources = set(spec.sources)
    for add in spec.addenda:
        if applies(add.when, features):
            parts.append(add.text)
            sources.update(add.sources)
    provenance = Provenance(
        f"alert.{spec.id}",
        tuple(sorted(_used(spec.when, features))),
        version,
        tuple(sorted(sources)),
    )
    ctx.trace.append(TraceEntry(f"alert.{spec.id}", True, spec.severity.value, provenance.sources))
    return Alert(spec.id, spec.severity, " ".join(parts), provenance)


def evaluate_alerts(kb: KnowledgeBase, ctx: Context, features: frozenset[str]) -> list[Alert]:
    found = [a for spec in kb.alerts if (a := evaluate_alert(spec, ctx, features, kb.version))]
    return sorted(found, key=lambda a: SEVERITY_ORDER[a.severity])
