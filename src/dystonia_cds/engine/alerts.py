"""Alert rules: every alert of the knowledge base whose trigger holds, critical first.

Like option rules they read only the feature set (memoisable); `render_alert` fills in the
patient-specific words (ages, dates, drug names).
"""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.domain.recommendation import Alert, Provenance, Severity, TraceEntry
from dystonia_cds.engine.options import used_features
from dystonia_cds.knowledge.base import AlertSpec

SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class AlertPlan:
    template: Alert
    message: str  # the message with {placeholders}; the template holds it unformatted
    addenda: tuple[str, ...]
    dynamic: bool
    suffix: str = ""  # the addenda as appended to the message: " " + each one


def plan_alert(
    spec: AlertSpec, features: frozenset[str], version: str, trace: list[TraceEntry]
) -> AlertPlan | None:
    if not spec.test(features):
        trace.append(TraceEntry(f"alert.{spec.id}", False, "conditions not met"))
        return None
    addenda = tuple(a for a in spec.addenda if a.test(features))
    sources = set(spec.sources).union(*(a.sources for a in addenda))
    used = tuple(sorted(used_features(spec.when, features)))
    provenance = Provenance(f"alert.{spec.id}", used, version, tuple(sorted(sources)))
    critical = bool(spec.critical_when) and spec.critical_when <= features
    detail = f"{'critical' if critical else spec.severity.value} (facts: {', '.join(used)})"
    trace.append(TraceEntry(f"alert.{spec.id}", True, detail, provenance.sources))
    texts = tuple(a.text for a in addenda)
    message = " ".join((spec.message, *texts))
    severity = spec.severity
    if spec.critical_when and spec.critical_when <= features:
        severity = Severity.CRITICAL
    template = Alert(spec.id, severity, message, provenance)
    suffix = "".join(" " + t for t in texts)
    dynamic = "{" in spec.message or "{" in suffix
    return AlertPlan(template, spec.message, texts, dynamic, suffix)


def render_alert(p: AlertPlan, values: dict[str, str]) -> Alert:
    if not p.dynamic:
        return p.template
    a = p.template
    return Alert(a.id, a.severity, (p.message + p.suffix).format_map(values), a.provenance)


def order_alerts(plans: list[AlertPlan]) -> list[AlertPlan]:
    """Critical first, then warning, then info; knowledge order within a severity."""
    return sorted(plans, key=lambda p: SEVERITY_ORDER[p.template.severity])
