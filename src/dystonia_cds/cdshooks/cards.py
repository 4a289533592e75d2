"""`Recommendation -> cards` for `dystonia-treatment-options` (pure apart from uuids).

One card per alert (its severity is the card's indicator), one card per leading positive
option (at most `MAX_OPTION_CARDS`, by rank), and one summary card for everything else
(remaining options, not-recommended and contraindicated ones, notes, data not understood).
Each card's `source.topic` is a Coding in `urn:dystonia-cds:topic` whose code is the option
or alert id (`summary` for the summary card); every detail ends with the disclaimer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from dystonia_cds import DISCLAIMER
from dystonia_cds.cdshooks.cardids import card_uuid
from dystonia_cds.cdshooks.order_checks import Finding
from dystonia_cds.cdshooks.suggestions import (
    ALERT_DRUG_CLASSES,
    ALERT_OPTIONS,
    IN_USE_ALERT,
    SuggestionMaker,
    delete_order_suggestion,
)
from dystonia_cds.domain.recommendation import Alert, Option, Recommendation, Strength

TOPIC_SYSTEM = "urn:dystonia-cds:topic"
OVERRIDE_SYSTEM = "urn:dystonia-cds:override-reason"
SUMMARY_TOPIC = "summary"
MAX_OPTION_CARDS = 3
MAX_UNRECOGNIZED_NOTES = 5
SUMMARY_MAX = 139  # the spec: a summary of fewer than 140 characters
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
OVERRIDE_REASONS: tuple[tuple[str, str], ...] = (
    ("already-addressed", "Already addressed or in place"),
    ("patient-declined", "Patient declined"),
    ("not-applicable", "Does not apply to this patient"),
    ("clinical-judgment", "Other clinical judgment"),
)


def override_reasons(extra: tuple[tuple[str, str], ...] = ()) -> list[dict[str, str]]:
    if not extra:
        return list(_REASONS)  # a new list; the Coding dicts are built once (never changed)
    return [
        {"system": OVERRIDE_SYSTEM, "code": code, "display": display}
        for code, display in (*extra, *OVERRIDE_REASONS)
    ]


_REASONS = tuple(
    {"system": OVERRIDE_SYSTEM, "code": code, "display": display}
    for code, display in OVERRIDE_REASONS
)


@lru_cache(maxsize=4096)  # titles, messages and summaries repeat from patient to patient
def clip(text: str, limit: int = SUMMARY_MAX) -> str:
    """At most `limit` characters; a longer text is cut at a word boundary and ends with an
    ellipsis (a single word longer than the limit is cut inside it)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - 1  # one character for the ellipsis
    cut = room if text[room] == " " else text[:room].rfind(" ")
    kept = text[:cut] if cut > 0 else text[:room]
    return kept.rstrip(" .;,:-–—(") + "…"


@dataclass(frozen=True, slots=True)
class CardSettings:
    """What cards need besides the recommendation."""

    source_label: str
    sources: Mapping[str, str]  # source key -> short citation
    suggestions: SuggestionMaker
    drug_classes: Callable[[str], frozenset[str]]  # the knowledge base's kb.drug_classes
    patient_url: str | None = None  # the patient's page in the web app, when it exists
    smart_launch_url: str | None = None  # `{public URL}/smart/launch` when SMART is configured
    option_of: Callable[[str], str | None] = lambda _ingredient: None  # kb.treatment_options


def card(
    topic: str, display: str, summary: str, indicator: str, detail: str, cs: CardSettings
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uuid": card_uuid(topic),
        "summary": clip(summary) or clip(display) or topic,
        "indicator": indicator,
        "detail": detail + "\n\n_" + DISCLAIMER + "_",
        "source": {
            "label": cs.source_label,
            "topic": {"system": TOPIC_SYSTEM, "code": topic, "display": clip(display, 200)},
        },
        "overrideReasons": override_reasons(),
    }
    if cs.smart_launch_url:  # CDS Hooks: the EHR launches the app with iss and launch
        out["links"] = [smart_link(topic, cs.smart_launch_url)]
    elif cs.patient_url:
        out["links"] = [
            {"label": "Open in dystonia-cds", "url": cs.patient_url, "type": "absolute"}
        ]
    return out


def smart_link(topic: str, launch_url: str) -> dict[str, str]:
    """A `smart` link; `appContext` names the option or alert the card is about."""
    context = orjson.dumps({"topic": topic}).decode()
    return {
        "label": "Open in dystonia-cds",
        "url": launch_url,
        "type": "smart",
        "appContext": context,
    }


def with_suggestions(out: dict[str, Any], suggestions: list[dict[str, Any]]) -> dict[str, Any]:
    if suggestions:
        out["suggestions"] = suggestions
        out["selectionBehavior"] = "at-most-one"
    return out


def bullets(title: str, items: tuple[str, ...] | list[str]) -> str:
    if not items:
        return ""
    return f"**{title}**\n\n" + "\n".join([f"- {item}" for item in items]) + "\n\n"


def source_lines(keys: tuple[str, ...], cs: CardSettings) -> list[str]:
    return [f"{cs.sources[key]} [{key}]" if key in cs.sources else f"[{key}]" for key in keys]


def option_detail(option: Option, cs: CardSettings) -> str:
    evidence = [
        f"{ev.source} — {ev.level}" + (f" [{ev.key}]" if ev.key and ev.key not in ev.source else "")
        for ev in option.evidence
    ]
    return (
        f"**{option.title}** — {option.strength.value} (rank {option.rank})\n\n"
        + bullets("Why", option.rationale)
        + bullets("Cautions", option.cautions)
        + bullets("Evidence", evidence)
    ).rstrip()


def option_card(option: Option, rec: Recommendation, cs: CardSettings) -> dict[str, Any]:
    summary = f"{option.strength.value.capitalize()}: {option.title}"
    detail = option_detail(option, cs) + dose_detail(option, rec)
    out = card(option.id, option.title, summary, "info", detail, cs)
    suggestions = cs.suggestions.for_option(option, rec.record.patient_id)
    if option.id == "stop-causative-drug":
        suggestions = culprit_suggestions(rec, cs)
    return with_suggestions(out, suggestions)


def dose_detail(option: Option, rec: Recommendation) -> str:
    """'Computed for this patient': the option's mg/kg statements for the recorded weight."""
    from dystonia_cds.care.weight_doses import doses_by_option
    from dystonia_cds.knowledge import load_knowledge

    doses = doses_by_option(rec, load_knowledge()).get(option.id, ())
    return ("\n\n" + bullets("Computed for this patient", [d.line() for d in doses])).rstrip()


def culprit_suggestions(rec: Recommendation, cs: CardSettings) -> list[dict[str, Any]]:
    """Remove the patient's active orders of dopamine-blocking drugs (the likely culprits)."""
    refs = [
        m.source
        for m in rec.record.medications
        if m.active
        and m.source.startswith("MedicationRequest/")
        and "dopamine-blocker" in cs.drug_classes(m.ingredient)
    ]
    return [delete_order_suggestion(refs, "Stop the causative drug")] if refs else []


def alert_card(alert: Alert, rec: Recommendation, cs: CardSettings) -> dict[str, Any]:
    detail = alert.message + "\n\n" + bullets("Sources", source_lines(alert.provenance.sources, cs))
    out = card(alert.id, alert.id, alert.message, alert.severity.value, detail.rstrip(), cs)
    return with_suggestions(out, alert_suggestions(alert, rec, cs))


def alert_suggestions(alert: Alert, rec: Recommendation, cs: CardSettings) -> list[dict[str, Any]]:
    """The action an alert states, as suggestions: the orders it calls for (among the options
    the engine ranks positive here, or a work-up it names), or stopping the active orders of
    the drugs it is about. The clinician chooses (at most one; none is pre-selected)."""
    positive = {o.id: o for o in rec.options if o.strength.is_positive}
    wanted = [positive[i] for i in ALERT_OPTIONS.get(alert.id, ()) if i in positive]
    pid = rec.record.patient_id
    found = [s for o in wanted for s in cs.suggestions.for_option(o, pid)]
    found += cs.suggestions.for_alert_service(alert.id, pid)
    found += stop_suggestions(alert, rec, cs)
    for s in found:
        s["isRecommended"] = False
    return found


def stop_suggestions(alert: Alert, rec: Recommendation, cs: CardSettings) -> list[dict[str, Any]]:
    """Remove the active order of each drug the alert is about (one suggestion per order)."""
    classes = ALERT_DRUG_CLASSES.get(alert.id)
    if classes is not None:
        about: Callable[[str], bool] = lambda i: bool(classes & cs.drug_classes(i))  # noqa: E731
    elif alert.id == IN_USE_ALERT:
        banned = {o.id for o in rec.options if o.strength is Strength.CONTRAINDICATED}
        about = lambda i: cs.option_of(i) in banned  # noqa: E731
    else:
        return []
    orders = [
        m
        for m in rec.record.medications
        if m.active and m.source.startswith("MedicationRequest/") and about(m.ingredient)
    ]
    return [
        delete_order_suggestion([m.source], f"Stop {m.ingredient} ({m.source})") for m in orders
    ]


def unrecognized_notes(rec: Recommendation) -> list[str]:
    """What the input held that could not be understood (the first few, then a count)."""
    items = [f"Not understood: {u.location} ({u.reason})" for u in rec.unrecognized]
    if len(items) > MAX_UNRECOGNIZED_NOTES:
        rest = len(items) - MAX_UNRECOGNIZED_NOTES
        items = [*items[:MAX_UNRECOGNIZED_NOTES], f"... and {rest} more item(s) not understood"]
    return items


def summary_card(
    rest: list[Option], rec: Recommendation, cs: CardSettings
) -> dict[str, Any] | None:
    lines = [
        f"**{o.title}** — {o.strength.value}"
        + (f": {(o.cautions or o.rationale)[0]}" if (o.cautions or o.rationale) else "")
        for o in rest
    ]
    notes = list(rec.notes) + unrecognized_notes(rec)
    if not lines and not notes:
        return None
    negative = sum(1 for o in rest if not o.strength.is_positive)
    summary = f"{len(rest)} more option(s) reviewed"
    summary += f", {negative} not recommended or contraindicated" if negative else ""
    if not rest:
        summary = "Notes on the data behind these recommendations"
    detail = bullets("Other options", lines) + bullets("Notes", notes)
    return card(SUMMARY_TOPIC, "Other options and notes", summary, "info", detail.rstrip(), cs)


def treatment_cards(rec: Recommendation, cs: CardSettings) -> list[dict[str, Any]]:
    """Alert cards (most urgent first), leading option cards, then one summary card."""
    alerts = sorted(rec.alerts, key=lambda a: (SEVERITY_ORDER.get(a.severity.value, 3), a.id))
    cards = [alert_card(a, rec, cs) for a in alerts]
    ranked = sorted(rec.options, key=lambda o: o.rank)
    leading = [o for o in ranked if o.strength.is_positive][:MAX_OPTION_CARDS]
    cards.extend(option_card(o, rec, cs) for o in leading)
    shown = {o.id for o in leading}
    rest = [o for o in ranked if o.id not in shown]
    last = summary_card(rest, rec, cs)
    if last is not None:
        cards.append(last)
    return cards


ORDER_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("benefit-outweighs-risk", "Benefit outweighs the risk; will monitor"),
)


def finding_card(finding: Finding, cs: CardSettings) -> dict[str, Any]:
    """A card for one order-safety finding, with a suggestion to remove the draft order."""
    order = finding.order
    detail = (
        f"**Order:** {order.label}"
        + (f" (`{order.reference}`)" if order.reference else "")
        + "\n\n"
        + bullets("Why", finding.lines)
        + bullets("The knowledge base also notes", finding.extra)
        + bullets("Sources", source_lines(finding.sources, cs))
    ).rstrip()
    out = card(finding.topic, finding.topic, finding.summary, finding.indicator, detail, cs)
    out["overrideReasons"] = override_reasons(ORDER_OVERRIDES)
    if order.reference:
        remove = delete_order_suggestion([order.reference], "Remove this draft order")
        remove["isRecommended"] = finding.indicator == "critical"
        with_suggestions(out, [remove])
    return out
