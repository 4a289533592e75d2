"""What the `/my` pages show, read in one audited transaction: the patient's name, the options
the handout explains (the same engine and texts), the next injection window, recent check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dystonia_cds.context import AppContext
from dystonia_cds.store.diary import EDITABLE_DAYS, DiaryRepository, StoredDiaryEntry
from dystonia_cds.web import handout
from dystonia_cds.web.patient_data import read_patient_view, unit_of_work
from dystonia_cds.web.patient_page import window_context
from dystonia_cds.web.patient_portal import texts
from dystonia_cds.web.patient_portal.access import PatientSession

RECENT = 8  # check-ins the home page lists


@dataclass(frozen=True, slots=True)
class EntryLine:
    id: int
    date: date
    severity: int
    benefit_percent: int | None
    labels: tuple[str, ...]
    editable: bool


def is_editable(entry_date: date, today: date) -> bool:
    return today - entry_date <= timedelta(days=EDITABLE_DAYS)


def entry_line(entry: StoredDiaryEntry, today: date) -> EntryLine:
    labels = tuple(texts.SIDE_EFFECT_LABELS.get(s, s) for s in entry.side_effects)
    return EntryLine(
        entry.id,
        entry.date,
        entry.severity,
        entry.benefit_percent,
        labels,
        is_editable(entry.date, today),
    )


def clinic(ctx: AppContext) -> handout.Clinic:
    return handout.Clinic(ctx.settings.clinic_name, ctx.settings.clinic_contact)


def common(ctx: AppContext, page: str) -> dict[str, Any]:
    """What every /my page shows: the notice, the clinic, the feedback box's page id."""
    return {"notice": texts.NOTICE, "clinic": clinic(ctx), "feedback_page": page, "thanks": False}


def treatment_context(ctx: AppContext, who: PatientSession, action: str) -> dict[str, Any]:
    """The patient's options as the handout explains them, the injection window, the advice."""
    view = read_patient_view(ctx, who.user, who.patient_id, date.today(), action=action)
    items = handout.handout_items(view.recommendation)
    document = handout.for_view(view, items, ctx)
    return {
        "name": view.patient.display_name or "",
        "items": document.items,
        "sources": {
            o.id: sorted({e.source for e in o.evidence}) for o in view.recommendation.options
        },
        "general": document.general,
        "expect": texts.EXPECT,
        "urgent": texts.URGENT,
        "soon": texts.SOON,
        "at_visit": texts.AT_VISIT,
        **window_context(view),
    }


def recent_entries(ctx: AppContext, patient_id: str, today: date) -> list[EntryLine]:
    with unit_of_work(ctx) as session:
        stored = DiaryRepository(session).list(patient_id)[:RECENT]
    return [entry_line(e, today) for e in stored]
