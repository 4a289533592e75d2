"""The contract's Recommendation JSON (DESIGN.md), as plain dicts ready for orjson."""

from __future__ import annotations

from typing import Any

from dystonia_cds import DISCLAIMER
from dystonia_cds.domain.recommendation import (
    Alert,
    Option,
    Recommendation,
    TraceEntry,
    UnderstoodPhenotype,
)


def recommendation_to_dict(rec: Recommendation) -> dict[str, Any]:
    """The public JSON: patient, evaluated_at, options, alerts, knowledge_version (+ extras)."""
    return {
        "patient": _patient(rec),
        "evaluated_at": rec.evaluated_at.isoformat(),
        "options": [option_to_dict(o) for o in rec.options],
        "alerts": [alert_to_dict(a) for a in rec.alerts],
        "knowledge_version": rec.knowledge_version,
        "unrecognized": [{"location": u.location, "reason": u.reason} for u in rec.unrecognized],
        "notes": list(rec.notes),
        "trace": [_trace(t) for t in rec.trace],
        "disclaimer": DISCLAIMER,
    }


def option_to_dict(o: Option) -> dict[str, Any]:
    return {
        "id": o.id,
        "rank": o.rank,
        "recommendation": o.strength.value,
        "title": o.title,
        "rationale": list(o.rationale),
        "cautions": list(o.cautions),
        "evidence": [{"source": e.source, "level": e.level} for e in o.evidence],
    }


def alert_to_dict(a: Alert) -> dict[str, Any]:
    return {"id": a.id, "severity": a.severity.value, "message": a.message}


def _trace(t: TraceEntry) -> dict[str, Any]:
    return {"rule": t.rule, "fired": t.fired, "detail": t.detail, "sources": list(t.sources)}


def _patient(rec: Recommendation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rec.record.patient_id,
        "age_years": rec.age_years,
        "sex": rec.record.sex.value,
    }
    out.update(_phenotype(rec.phenotype or UnderstoodPhenotype()))
    out["understood_from"] = [
        {"kind": c.kind, "concept": c.concept, "from": c.source} for c in rec.record.understood_from
    ]
    return out


def _phenotype(p: UnderstoodPhenotype) -> dict[str, Any]:
    return {
        "has_dystonia": bool(p.forms),
        "forms": list(p.forms),
        "regions": list(p.regions),
        "distribution": p.distribution,
        "distribution_derived": p.distribution_derived,
        "onset_age_years": p.onset_age_years,
        "onset_band": p.onset_band,
        "acute_reaction": p.acute_reaction,
        "course": p.course,
        "variability": list(p.variability),
        "association": p.association,
        "etiology": p.etiology,
        "genes": list(p.genes),
        "conditions": list(p.conditions),
        "findings": list(p.findings),
        "current_drugs": list(p.current_drugs),
    }
