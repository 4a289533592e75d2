"""The weekly check-in at `/my/check-in` (DESIGN.md "Patient companion"): severity 0-10, the
last injection's benefit 0-100 % (optional), side effects from the domain's checklist, a note.
Saved through the diary store (store.diary), which validates it and keeps entries editable for
7 days; `?entry=<id>` opens one of the patient's own entries to change it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS
from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository, StoredDiaryEntry
from dystonia_cds.web.auth import read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, unit_of_work
from dystonia_cds.web.patient_portal import texts
from dystonia_cds.web.patient_portal.access import CurrentPatient, PatientSession, ctx_of
from dystonia_cds.web.patient_portal.views import common, is_editable
from dystonia_cds.web.templating import Renderer

MAX_NOTE = 2000
EMPTY: dict[str, Any] = {"severity": "", "benefit_percent": "", "side_effects": [], "note": ""}
MESSAGES = {
    "severity": "Choose a whole number from 0 to 10 for how bad it was.",
    "benefit_percent": "Choose a whole number from 0 to 100, or leave it empty.",
    "side_effects": "Choose only side effects from the list.",
    "note": f"Use at most {MAX_NOTE} characters, without hidden characters.",
}


def whole(raw: str, low: int, high: int) -> int | None:
    """A whole number within [low, high] typed by the patient, else None."""
    if not raw.isdigit() or len(raw) > 3:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def read_entry(reader: FormReader, on: date) -> DiaryEntryData | None:
    """The check-in from the form, or None with `reader.errors` naming each bad field."""
    severity = whole(reader.raw("severity"), 0, 10)
    if severity is None:
        reader.fail("severity", MESSAGES["severity"])
    benefit_raw = reader.raw("benefit_percent")
    benefit = whole(benefit_raw, 0, 100) if benefit_raw else None
    if benefit_raw and benefit is None:
        reader.fail("benefit_percent", MESSAGES["benefit_percent"])
    chosen = [s for s in reader.form.getlist("side_effects") if isinstance(s, str)]
    if any(s not in DIARY_SIDE_EFFECTS for s in chosen):
        reader.fail("side_effects", MESSAGES["side_effects"])
    note = reader.text("note", max_len=MAX_NOTE) or ""
    if reader.errors or severity is None:
        return None
    return DiaryEntryData(
        date=on,
        severity=severity,
        benefit_percent=benefit,
        side_effects=tuple(chosen),
        note=note,
        source="patient",
    )


def form_values(entry: StoredDiaryEntry) -> dict[str, Any]:
    benefit = "" if entry.benefit_percent is None else str(entry.benefit_percent)
    return {
        "severity": str(entry.severity),
        "benefit_percent": benefit,
        "side_effects": list(entry.side_effects),
        "note": entry.note,
    }


def refill(reader: FormReader) -> dict[str, Any]:
    """What the patient typed, to show the form again."""
    values: dict[str, Any] = {**EMPTY, **reader.values()}
    values["side_effects"] = [s for s in reader.form.getlist("side_effects") if isinstance(s, str)]
    return values


def entry_id_of(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def save(request: Request, who: PatientSession, entry_id: int | None, data: DiaryEntryData) -> int:
    """Add the check-in, or change the patient's own entry (the store refuses another
    patient's id and an entry over 7 days old); audited in the same transaction."""
    with unit_of_work(ctx_of(request), write=True) as session:
        diary = DiaryRepository(session)
        if entry_id is None:
            entry_id = diary.add(who.patient_id, data, today=data.date)
            audit(session, who.user, "web.my.check-in.create", who.patient_id, 201)
            return entry_id
        old = diary.get(who.patient_id, entry_id)
        diary.update(who.patient_id, entry_id, _keep_date(data, old.date), data.date)
        audit(session, who.user, "web.my.check-in.update", who.patient_id, 200)
        return entry_id


def _keep_date(data: DiaryEntryData, on: date) -> DiaryEntryData:
    return DiaryEntryData(
        date=on,
        severity=data.severity,
        benefit_percent=data.benefit_percent,
        side_effects=data.side_effects,
        note=data.note,
        source=data.source,
    )


def load_own(request: Request, who: PatientSession, entry_id: int) -> StoredDiaryEntry | None:
    """One of the patient's own entries still open to change, else None."""
    with unit_of_work(ctx_of(request)) as session:
        try:
            entry = DiaryRepository(session).get(who.patient_id, entry_id)
        except InvalidInput:
            return None
    return entry if is_editable(entry.date, date.today()) else None


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def form_page(request: Request, status: int, **values: Any) -> Response:
        context = common(ctx_of(request), "check-in")
        context.update(
            intro=texts.CHECK_IN_INTRO,
            urgent=texts.URGENT,
            choices=texts.side_effect_choices(),
            values=values.get("values", EMPTY),
            errors=values.get("errors", {}),
            entry_id=values.get("entry_id"),
            saved=values.get("saved", False),
            thanks=request.query_params.get("fb") == "1",
        )
        return renderer.page(request, "my_check_in.html", context, status)

    @router.get("/my/check-in")
    def check_in_form(request: Request, who: CurrentPatient, entry: str = "") -> Response:
        entry_id = entry_id_of(entry)
        if entry_id is None:
            return form_page(request, 200, saved=request.query_params.get("saved") == "1")
        own = load_own(request, who, entry_id)
        if own is None:
            return form_page(request, 404, errors={"entry": "This check-in cannot be changed."})
        return form_page(request, 200, values=form_values(own), entry_id=entry_id)

    @router.post("/my/check-in")
    async def check_in_submit(request: Request, who: CurrentPatient) -> Response:
        reader = FormReader(await read_form(request))
        entry_id = entry_id_of(reader.raw("entry"))
        data = read_entry(reader, date.today())
        if data is None:
            errors = reader.errors
            return form_page(request, 400, values=refill(reader), errors=errors, entry_id=entry_id)
        try:
            await run_in_threadpool(save, request, who, entry_id, data)
        except InvalidInput as exc:
            field = exc.location or "entry"
            errors = {field: MESSAGES.get(field, "This check-in cannot be changed any more.")}
            return form_page(request, 400, values=refill(reader), errors=errors, entry_id=entry_id)
        return RedirectResponse("/my?saved=1", status_code=303)

    return router
