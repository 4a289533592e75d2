"""A readable clinical text summary of a Recommendation (the `--format text` output).

Order: disclaimer, patient, alerts first, then options (rank, strength, rationale, cautions,
evidence), notes, and what could not be understood. Pure: a Recommendation in, a string out.
"""

from __future__ import annotations

from datetime import date
from textwrap import wrap

from dystonia_cds import DISCLAIMER
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Option, Recommendation, UnderstoodPhenotype
from dystonia_cds.knowledge import load_knowledge

WIDTH = 96
MAX_UNRECOGNIZED = 12
MAX_DRUGS = 8


def render_text(rec: Recommendation) -> str:
    lines = [
        f"dystonia-cds: treatment options for patient {rec.record.patient_id}, evaluated {rec.evaluated_at.isoformat()}"
    ]
    lines += _para(DISCLAIMER, "")
    lines += ["", *_patient(rec)]
    lines += ["", "ALERTS", *(_alerts(rec) or ["  none"])]
    lines += ["", "OPTIONS", *(_options(rec) or ["  none offered"])]
    if rec.notes:
        lines += ["", "NOTES", *(line for note in rec.notes for line in _para(note, "  - "))]
    lines += _unrecognized(rec)
    lines += ["", f"Knowledge version {rec.knowledge_version}.", *_para(DISCLAIMER, "")]
    return "\n".join(lines) + "\n"


def _para(text: str, first: str, rest: str | None = None) -> list[str]:
    rest = " " * len(first) if rest is None else rest
    return wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest) or [first.rstrip()]


def _patient(rec: Recommendation) -> list[str]:
    record = rec.record
    age = f"{rec.age_years} years" if rec.age_years is not None else "age unknown"
    weight = f", {record.weight_kg:g} kg" if record.weight_kg is not None else ""
    lines = [f"PATIENT  {age}, {record.sex.value}{weight}"]
    ph = rec.phenotype
    if ph is None or not ph.forms:
        lines.append("  No active dystonia recorded.")
    else:
        lines += _phenotype(ph)
    lines += _history(record)
    return lines


def _words(kind: str, ids: tuple[str, ...] | list[str]) -> str:
    """Ids as clinicians write them: the knowledge's labels, else the id in words."""
    labels = load_knowledge().terms.get(kind, {})
    return ", ".join(labels.get(i) or i.replace("-", " ") for i in ids)


def _phenotype(ph: UnderstoodPhenotype) -> list[str]:
    forms = ", ".join(f.replace("-", " ") for f in ph.forms)
    regions = ", ".join(r.replace("-", " ") for r in ph.regions)
    facts = [("dystonia", forms), ("regions", regions)]
    derived = " (derived)" if ph.distribution_derived else ""
    facts += [("distribution", f"{ph.distribution}{derived}" if ph.distribution else "")]
    onset = f"{ph.onset_age_years:g} years" if ph.onset_age_years is not None else ""
    facts += [("onset", f"{onset} ({ph.onset_band})" if ph.onset_band else onset)]
    facts += [
        ("course", ph.course or ""),
        ("association", ph.association or ""),
        ("etiology", ph.etiology or ""),
    ]
    facts += [("genes", ", ".join(ph.genes)), ("conditions", _words("conditions", ph.conditions))]
    facts += [("findings", _words("findings", ph.findings))]
    facts += [("current drugs", ", ".join(ph.current_drugs))]
    return [f"  {name}: {value}" for name, value in facts if value]


def _drugs(record: PatientRecord) -> list[str]:
    """The drugs on record, newest first (at most MAX_DRUGS)."""
    newest = sorted(record.medications, key=lambda m: m.start or date.min, reverse=True)
    shown = []
    for m in newest[:MAX_DRUGS]:
        details = [
            d
            for d in (
                m.start.isoformat() if m.start else "",
                m.route or "",
                "current" if m.active else "",
            )
            if d
        ]
        shown.append(f"{m.ingredient} ({', '.join(details)})" if details else m.ingredient)
    more = f", and {len(newest) - MAX_DRUGS} more" if len(newest) > MAX_DRUGS else ""
    return _para(f"{'; '.join(shown)}{more}", "  drugs on record: ", "    ") if shown else []


def _history(record: PatientRecord) -> list[str]:
    lines = _drugs(record)
    for t in record.trials:
        when = f" from {t.start.isoformat()}" if t.start else ""
        state = "current" if t.active else "past"
        outcome = f", {t.outcome.value.replace('-', ' ')}" if t.outcome else ""
        dose = f", {t.daily_dose_mg:g} mg/day" if t.daily_dose_mg is not None else ""
        lines.append(f"  tried: {t.treatment.replace('-', ' ')}{when} ({state}{dose}{outcome})")
    if record.injections:
        last = record.injections[-1]
        product = f" ({last.product})" if last.product else ""
        lines.append(
            f"  botulinum toxin: {len(record.injections)} session(s), last {last.date.isoformat()}{product}"
        )
    return lines


def _alerts(rec: Recommendation) -> list[str]:
    out: list[str] = []
    for a in rec.alerts:
        title = load_knowledge().alert_title(a.id)
        head = f"  [{a.severity.value.upper()}] "
        if not a.message.startswith(title):  # the message does not already begin with it
            head += f"{title}: "
        out += _para(a.message, head, "      ")
    return out


def _options(rec: Recommendation) -> list[str]:
    out: list[str] = []
    for o in rec.options:
        out += _option(o)
    return out


def _option(o: Option) -> list[str]:
    adjunct = ", adjunct" if o.adjunct else ""
    strength = o.strength.value.replace("not-recommended", "not recommended")
    lines = [f"  {o.rank}. {o.title} [{strength}{adjunct}]"]
    for r in o.rationale:
        lines += _para(r, "       why: ", "            ")
    for c in o.cautions:
        lines += _para(c, "       caution: ", "                ")
    for e in o.evidence:
        lines += _para(f"{e.source} ({e.level})", "       evidence: ", "                 ")
    return lines


def _unrecognized(rec: Recommendation) -> list[str]:
    items = rec.unrecognized or rec.record.unrecognized
    if not items:
        return []
    lines = ["", f"COULD NOT BE UNDERSTOOD ({len(items)})"]
    for u in items[:MAX_UNRECOGNIZED]:
        lines += _para(f"{u.location}: {u.reason}", "  - ", "    ")
    if len(items) > MAX_UNRECOGNIZED:
        lines.append(f"  ... and {len(items) - MAX_UNRECOGNIZED} more (see --format json)")
    return lines
