"""Entry form: a botulinum-toxin injection visit with units per muscle, the running total
against the labelled maximum, and the checks (interval, maxima) shown before saving, both
live (JSON preview for the own script) and on submit (warnings need a confirmation).

"Copy last visit" (`?copy=last`) fills the form from the latest visit (product, indication,
guidance, dilution, muscles and units; not the date or the lot). A total over the labelled
maximum is saved only with a written reason, which is stored with the visit and shown in the
timeline."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.care import check_injection, from_scale_results
from dystonia_cds.care.checks import Check
from dystonia_cds.care.injections import InjectionVisit, MuscleDose, validate_visit
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import age_in_years
from dystonia_cds.knowledge.care_catalog import load_care_catalog
from dystonia_cds.store import care_values
from dystonia_cds.store.care_models import InjectionVisit as StoredVisit
from dystonia_cds.store.records import record_from_patient
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.auth import CsrfRejected, CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import (
    audit,
    load_page_history,
    patient_name,
    require_patient,
    unit_of_work,
)
from dystonia_cds.web.security import tokens_match
from dystonia_cds.web.templating import Renderer

MUSCLE_ROWS = 8
MAX_ROWS = 40
OVER_MAX = "botulinum-toxin-dose-above-label-max"
MAX_REASON = 1000  # the column's length (migration 0009)
_MUSCLE_LOC = re.compile(r"^muscles\[(\d+)\]\.(muscle|side|units)$")


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def today() -> date:
    return date.today()


def bont_data() -> dict[str, Any]:
    """Products, indications, muscles and labelled maxima for the form and its script."""
    catalog = load_care_catalog().botulinum
    limits: dict[str, list[dict[str, Any]]] = {p.id: [] for p in catalog.products}
    for m in catalog.maxima:
        limits[m.product].append(
            {"max": m.max_units, "indication": m.indication, "text": m.text, "source": m.source}
        )
    for r in catalog.dose_ranges:
        if r.max_units is not None and r.verified:
            limits[r.product].append(
                {
                    "max": r.max_units,
                    "indication": r.indication,
                    "text": f"labelled range: {r.text}",
                    "source": r.source,
                }
            )
    return {
        "products": [{"id": p.id, "brand": p.brand} for p in catalog.products],
        "indications": [
            {"id": i.id, "label": i.label, "regions": list(i.regions)} for i in catalog.indications
        ],
        "muscles": [{"id": m.id, "label": m.label, "region": m.region} for m in catalog.muscles],
        "sides": list(catalog.sides),
        "guidance": list(catalog.guidance),
        "limits": limits,
        "interval": {
            "min_days": catalog.interval.minimum_days,
            "max_days": catalog.interval.usual_max_days,
        },
    }


def _row_count(reader: FormReader) -> int:
    indices = [
        int(k.split("-")[1]) for k in reader.form if re.match(r"^(muscle|side|units)-\d+$", k)
    ]
    return min(max(indices, default=-1) + 1, MAX_ROWS)


def _parse_row(reader: FormReader, i: int) -> MuscleDose | None:
    muscle, side = reader.raw(f"muscle-{i}"), reader.raw(f"side-{i}")
    if not (muscle or reader.raw(f"units-{i}")):
        return None
    if not muscle:
        reader.fail(f"muscle-{i}", "Choose the muscle for these units.")
    if not side:
        reader.fail(f"side-{i}", "Choose the side.")
    units = reader.number(f"units-{i}", low=0.01, high=100000, required=True)
    if muscle and side and units is not None:
        return MuscleDose(muscle=muscle, side=side, units=units)
    return None


def _parse_rows(reader: FormReader) -> list[MuscleDose]:
    rows = (_parse_row(reader, i) for i in range(_row_count(reader)))
    return [row for row in rows if row is not None]


def parse_visit_form(reader: FormReader, on: date) -> InjectionVisit | None:
    """The visit as typed; per-field errors in `reader.errors` (field names of the form)."""
    visit_date = reader.day("date", required=True, not_after=on)
    product = reader.raw("product")
    indication = reader.raw("indication")
    if not product:
        reader.fail("product", "Please choose the product.")
    if not indication:
        reader.fail("indication", "Please choose the indication.")
    doses = _parse_rows(reader)
    if not doses and not any(k.startswith(("muscle-", "units-")) for k in reader.errors):
        reader.fail("muscle-0", "Enter at least one muscle with units.")
    if reader.errors or visit_date is None:
        return None
    visit = InjectionVisit(
        date=visit_date,
        product=product,
        indication=indication,
        muscles=tuple(doses),
        lot=reader.text("lot", max_len=64),
        dilution=reader.text("dilution", max_len=64),
        guidance=reader.raw("guidance") or None,
    )
    try:
        return validate_visit(visit, on=on)
    except InvalidInput as exc:
        reader.fail(_field_for(exc.location), str(exc).split(": ", 1)[-1])
        return None


def _field_for(location: str | None) -> str:
    match = _MUSCLE_LOC.match(location or "")
    if match:
        return f"{match.group(2)}-{match.group(1)}"
    return location or "form"


def visit_checks(
    session: Any, patient_id: str, visit: InjectionVisit, on: date
) -> tuple[Check, ...]:
    record = record_from_patient(load_page_history(session, patient_id))
    age = age_in_years(record.birth_date, visit.date) if record.birth_date else None
    return check_injection(
        visit,
        record.injections,
        on=on,
        assessments=from_scale_results(record.assessments),
        conditions=record.conditions,
        age_years=age,
    )


def _store_visit(visit: InjectionVisit) -> care_values.InjectionVisitData:
    return care_values.InjectionVisitData(
        date=visit.date,
        product=visit.product,
        indication=visit.indication,
        muscles=tuple(care_values.MuscleDose(m.muscle, m.side, m.units) for m in visit.muscles),
        lot=visit.lot,
        dilution=visit.dilution,
        guidance=visit.guidance,
        source="web",
    )


def needs_confirmation(checks: tuple[Check, ...]) -> bool:
    return any(c.severity.value in ("warning", "critical") for c in checks)


def is_over_max(checks: tuple[Check, ...]) -> bool:
    return any(c.id == OVER_MAX for c in checks)


def over_max_reason(reader: FormReader, checks: tuple[Check, ...]) -> str | None:
    """The written reason a total over the labelled maximum needs (None when not over)."""
    if not is_over_max(checks):
        return None
    reason = reader.text("over_max_reason", max_len=MAX_REASON)
    if not reason:
        reader.fail(
            "over_max_reason",
            "The total is over the labelled maximum: write why this dose is given.",
        )
    return reason


def confirmed(reader: FormReader, checks: tuple[Check, ...]) -> str | None:
    """The over-maximum reason (when needed); errors in `reader` for what is still missing:
    the reason, or the tick that says the warnings were reviewed."""
    reason = over_max_reason(reader, checks)
    if needs_confirmation(checks) and not reader.flag("confirm_warnings"):
        reader.fail(
            "confirm_warnings", "Review the warnings above, then tick the box to save anyway."
        )
    return reason


def save_visit(session: Any, patient_id: str, visit: InjectionVisit, reason: str | None) -> None:
    visit_id = CareRepository(session).add_injection_visit(patient_id, _store_visit(visit))
    stored = session.get(StoredVisit, visit_id) if reason else None
    if stored is not None:
        stored.over_max_reason = reason


def copied_values(visit: StoredVisit) -> dict[str, Any]:
    """Form values from a stored visit: everything but the date and the lot."""
    values: dict[str, Any] = {
        "product": visit.product or "",
        "indication": visit.indication or "",
        "guidance": visit.guidance or "",
        "dilution": visit.dilution or "",
    }
    for i, muscle in enumerate(visit.muscles[:MAX_ROWS]):
        values[f"muscle-{i}"] = muscle.muscle
        values[f"side-{i}"] = muscle.side
        values[f"units-{i}"] = f"{muscle.units:g}"
    return values


def last_visit(ctx: AppContext, user: SignedIn, patient_id: str) -> tuple[str, StoredVisit | None]:
    """The patient's name and latest injection visit (muscles loaded); an audited read."""
    with unit_of_work(ctx) as session:
        patient = require_patient(session, patient_id)
        audit(session, user, "web.patient.read", patient_id)
        visits = CareRepository(session).injection_visits(patient_id)
        latest = visits[-1] if visits else None
        if latest is not None:
            session.expunge(latest)  # read after the session closes; its muscles are loaded
        return patient.display_name or "(no name)", latest


def _row_count_values(values: dict[str, Any]) -> int:
    indices = [int(k.split("-")[1]) for k in values if re.match(r"^(muscle|side|units)-\d+$", k)]
    return min(max(indices, default=-1) + 1, MAX_ROWS)


def check_and_save(
    ctx: AppContext, user: SignedIn, patient_id: str, visit: InjectionVisit, reader: FormReader
) -> tuple[Check, ...]:
    """Check the visit against the stored ones and save it unless a check still needs the
    user's confirmation (then `reader.errors` says so), in one write transaction with the
    patient locked: two visits saved at once are each checked against the other."""
    with unit_of_work(ctx, write=True) as session:
        CareRepository(session).lock_patient(patient_id)
        checks = visit_checks(session, patient_id, visit, today())
        reason = confirmed(reader, checks)
        if not reader.errors:
            save_visit(session, patient_id, visit, reason)
            audit(session, user, "web.injection.create", patient_id, 201)
    return checks


def preview_checks(
    ctx: AppContext, user: SignedIn, patient_id: str, visit: InjectionVisit
) -> tuple[Check, ...]:
    """The checks of a visit being typed, against the stored ones (blocking), audited."""
    with unit_of_work(ctx) as session:
        checks = visit_checks(session, patient_id, visit, today())
        audit(session, user, "web.injection.preview", patient_id)
    return checks


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def injection_page(
        request: Request,
        pid: str,
        name: str,
        values: dict[str, Any],
        errors: dict[str, str],
        checks: tuple[Check, ...],
        status: int,
        last: StoredVisit | None = None,
    ) -> Response:
        data = bont_data()
        rows = max(MUSCLE_ROWS, _row_count_values(values))
        context = {
            "patient_id": pid,
            "name": name,
            "values": values,
            "errors": errors,
            "bont": data,
            "bont_json": orjson.dumps(data).decode(),
            "rows": rows,
            "checks": checks,
            "over_max": is_over_max(checks),
            "last": last,
            "today": today().isoformat(),
        }
        return renderer.page(request, "injection_form.html", context, status)

    @router.get("/patients/{patient_id}/injections/new")
    def injection_form(
        request: Request, patient_id: str, user: CurrentUser, copy: str = ""
    ) -> Response:
        name, last = last_visit(_ctx(request), user, patient_id)
        values = copied_values(last) if copy == "last" and last is not None else {}
        values["date"] = today().isoformat()
        return injection_page(request, patient_id, name, values, {}, (), 200, last)

    @router.post("/patients/{patient_id}/injections/new")
    async def injection_submit(request: Request, patient_id: str, user: CurrentUser) -> Response:
        form = await read_form(request)

        def rest() -> Response:  # blocking: database work in the thread pool
            reader = FormReader(form)
            visit = parse_visit_form(reader, today())
            name = patient_name(_ctx(request), user, patient_id)
            if visit is None:
                return injection_page(
                    request, patient_id, name, reader.values(), reader.errors, (), 422
                )
            checks = check_and_save(_ctx(request), user, patient_id, visit, reader)
            if reader.errors:
                return injection_page(
                    request, patient_id, name, reader.values(), reader.errors, checks, 409
                )
            return RedirectResponse(f"/patients/{patient_id}", status_code=303)

        return await run_in_threadpool(rest)

    @router.post("/patients/{patient_id}/injections/preview")
    async def injection_preview(request: Request, patient_id: str, user: CurrentUser) -> Response:
        if not tokens_match(user.csrf_token, request.headers.get("x-csrf-token")):
            raise CsrfRejected
        reader = FormReader(await request.form())
        visit = parse_visit_form(reader, today())
        checks: tuple[Check, ...] = ()
        if visit is not None:
            checks = await run_in_threadpool(preview_checks, _ctx(request), user, patient_id, visit)
        return JSONResponse(
            {
                "total": visit.total_units if visit else None,
                "checks": [c.as_dict() for c in checks],
                "errors": reader.errors,
            }
        )

    return router
