"""Shaping a stored patient for display: phenotype summary lines, the treatment timeline and
the charts (each rating scale over time with injections marked; dose history per drug)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from markupsafe import Markup

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.knowledge.care_catalog import load_care_catalog
from dystonia_cds.store.care_models import Assessment, InjectionVisit, Patient
from dystonia_cds.web import vocab
from dystonia_cds.web.charts import Marker, Point, time_chart

SCALE_MAX = {"twstrs": 85.0, "bfmdrs": 150.0, "bfmdrs.movement": 120.0, "jrs": 8.0}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    when: date | None
    kind: str  # "trial", "injection", "assessment", "medication"
    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    svg: Markup


def _units(value: float | None) -> str:
    if value is None:
        return "units not recorded"
    return f"{value:.0f} U" if value == int(value) else f"{value:.1f} U"


def phenotype_lines(record: PatientRecord) -> list[tuple[str, str]]:
    ph = record.phenotype
    lines = [
        ("Forms", ", ".join(vocab.label(f.value) for f in sorted(ph.forms)) or "none recorded"),
        ("Body regions", ", ".join(vocab.label(r.value) for r in sorted(ph.regions)) or "—"),
        ("Distribution", vocab.label(ph.distribution.value) if ph.distribution else "—"),
        (
            "Age at onset",
            f"{ph.onset_age_years:g} years" if ph.onset_age_years is not None else "—",
        ),
        ("Course", vocab.label(ph.course.value) if ph.course else "—"),
        ("Variability", ", ".join(vocab.label(v.value) for v in sorted(ph.variability)) or "—"),
        ("Associated features", vocab.label(ph.association.value) if ph.association else "—"),
        ("Etiology", vocab.label(ph.etiology.value) if ph.etiology else "—"),
        ("Genes", ", ".join(sorted(ph.genes)) or "—"),
        ("Other illnesses", ", ".join(vocab.label(c) for c in sorted(record.conditions)) or "—"),
        ("Work-up", ", ".join(vocab.label(f) for f in sorted(record.findings)) or "—"),
    ]
    return lines


@cache
def _muscle_labels() -> dict[str, str]:
    return {m.id: m.label for m in load_care_catalog().botulinum.muscles}


def _muscle_label(muscle_id: str) -> str:
    return _muscle_labels().get(muscle_id) or vocab.label(muscle_id)


def _visit_detail(visit: InjectionVisit) -> str:
    muscles = "; ".join(
        f"{_muscle_label(m.muscle)} ({m.side}) {_units(m.units)}" for m in visit.muscles
    )
    head = f"{visit.product or 'product not recorded'}, {_units(visit.total_units)}"
    if visit.indication:
        head += f", {vocab.label(visit.indication)}"
    head += "".join(
        f", {what} {value}"
        for what, value in (("lot", visit.lot), ("dilution", visit.dilution))
        if value
    )
    detail = f"{head}. {muscles}" if muscles else head
    reason = visit.over_max_reason
    return f"{detail}. Over the labelled maximum because: {reason}" if reason else detail


def scale_part(scale: str) -> str:
    """The score clinicians report for a scale: its primary part (BFMDRS movement)."""
    definition = load_care_catalog().scale(scale)
    return definition.primary if definition else "total"


def reported_score(assessment: Assessment) -> float:
    part = scale_part(assessment.scale)
    value = (assessment.scores or {}).get(part) if part != "total" else None
    return float(value) if isinstance(value, int | float) else assessment.total


def _assessment_detail(assessment: Assessment) -> str:
    scores = assessment.scores or {}
    parts = [
        f"{k} {scores[k]:g}"
        for k in sorted(scores)
        if k != "total" and isinstance(scores[k], int | float)
    ]
    if assessment.scale == "bfmdrs" and "disability" not in scores:
        parts.append("disability not examined")
    text = f"total {assessment.total:g}"
    return f"{text} ({', '.join(parts)})" if parts else text


def timeline(patient: Patient) -> list[TimelineEntry]:
    """Newest first: trials, injection visits, assessments and drugs."""
    entries: list[TimelineEntry] = []
    for t in patient.trials:
        span = f"{t.start or '?'} to {t.end or ('ongoing' if t.active else '?')}"
        outcome = vocab.OUTCOMES.get(t.outcome or "", "outcome not recorded")
        dose = f", {t.daily_dose_mg:g} mg/day" if t.daily_dose_mg is not None else ""
        entries.append(
            TimelineEntry(t.start, "trial", vocab.label(t.treatment), f"{span}: {outcome}{dose}")
        )
    for v in patient.injection_visits:
        entries.append(
            TimelineEntry(v.date, "injection", "Botulinum toxin injection", _visit_detail(v))
        )
    for a in patient.assessments:
        entries.append(
            TimelineEntry(a.date, "assessment", vocab.label(a.scale), _assessment_detail(a))
        )
    for m in patient.medications:
        state = "current" if m.active else f"until {m.end or '?'}"
        entries.append(
            TimelineEntry(
                m.start, "medication", vocab.label(m.ingredient), f"from {m.start or '?'}, {state}"
            )
        )
    return sorted(entries, key=lambda e: (e.when or date.min, e.kind), reverse=True)


def _injection_markers(patient: Patient) -> list[Marker]:
    return [
        Marker(v.date, f"{v.date}: {v.product or 'botulinum toxin'} {_units(v.total_units)}")
        for v in patient.injection_visits
    ]


def charts_for(patient: Patient) -> list[Chart]:
    charts: list[Chart] = []
    markers = _injection_markers(patient)
    by_scale: dict[str, list[Point]] = defaultdict(list)
    for a in patient.assessments:
        part, value = scale_part(a.scale), reported_score(a)
        by_scale[a.scale].append(
            Point(a.date, value, f"{a.date}: {vocab.label(a.scale)} {part} {value:g}")
        )
    for scale, points in sorted(by_scale.items()):
        part = scale_part(scale)
        title = f"{vocab.label(scale)} {part} score over time (injections marked)"
        svg = time_chart(
            title,
            points,
            markers,
            y_max=SCALE_MAX.get(f"{scale}.{part}", SCALE_MAX.get(scale)),
            y_label=f"{part} score",
            chart_id=f"chart-{scale}",
        )
        charts.append(Chart(f"chart-{scale}", title, svg))
    charts.extend(_dose_charts(patient))
    return charts


def _dose_charts(patient: Patient) -> list[Chart]:
    doses: dict[str, list[Point]] = defaultdict(list)
    units: dict[str, str] = {}
    for v in patient.injection_visits:
        if v.total_units is not None:
            product = v.product or "botulinum toxin"
            doses[product].append(
                Point(v.date, v.total_units, f"{v.date}: {product} {_units(v.total_units)}")
            )
            units[product] = "units per session"
    for t in patient.trials:
        if t.daily_dose_mg is not None and t.start is not None:
            doses[t.treatment].append(
                Point(
                    t.start,
                    t.daily_dose_mg,
                    f"{t.start}: {vocab.label(t.treatment)} {t.daily_dose_mg:g} mg/day",
                )
            )
            if t.end is not None:
                doses[t.treatment].append(
                    Point(t.end, t.daily_dose_mg, f"{t.end}: end, {t.daily_dose_mg:g} mg/day")
                )
            units[t.treatment] = "mg per day"
    charts = []
    for drug, points in sorted(doses.items()):
        points.sort(key=lambda p: p.when)
        title = f"Dose history: {vocab.label(drug)}"
        chart_id = f"dose-{drug}"
        charts.append(
            Chart(
                chart_id, title, time_chart(title, points, y_label=units[drug], chart_id=chart_id)
            )
        )
    return charts
