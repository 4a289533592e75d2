"""Patient list (search, "due for injection" and "alerts" filters), create and edit a patient
with the dystonia phenotype (2013 consensus axes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import PatientRecord, Phenotype, age_in_years
from dystonia_cds.store.care_values import DiagnosisData, PhenotypeData
from dystonia_cds.store.records import record_from_patient
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import vocab
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.acknowledgements import acknowledged_keys
from dystonia_cds.web.alert_actions import alert_title, interruptive_unacknowledged
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import (
    WebPatientNotFound,
    alerts_for,
    audit,
    due_patient_ids,
    injection_window,
    last_injections,
    load_history,
    require_patient,
    unit_of_work,
)
from dystonia_cds.web.templating import Renderer

PAGE_SIZE = 50
ALERT_SCAN_LIMIT = 300
FILTERS = {"": "All patients", "due": "Due for injection", "alerts": "With alerts"}

__all__ = ["WebPatientNotFound", "build_router"]


@dataclass(frozen=True, slots=True)
class PatientForm:
    display_name: str | None
    birth_date: date | None
    sex: str | None
    weight_kg: float | None
    phenotype: PhenotypeData


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def today() -> date:
    return date.today()


def form_options() -> dict[str, Any]:
    return {
        "forms": vocab.FORM_LABELS,
        "regions": vocab.REGION_LABELS,
        "sexes": vocab.SEXES,
        "distributions": vocab.DISTRIBUTIONS,
        "courses": vocab.COURSES,
        "variabilities": vocab.VARIABILITIES,
        "associations": vocab.ASSOCIATIONS,
        "etiologies": vocab.ETIOLOGIES,
        "genes": vocab.GENES,
        "conditions": vocab.CONDITIONS,
        "findings": vocab.FINDINGS,
        "label": vocab.label,
    }


def parse_patient_form(reader: FormReader, on: date) -> PatientForm:
    """Read and check every field; errors land in `reader.errors`."""
    birth = reader.day("birth_date", required=True, not_after=on)
    onset_age = reader.number("onset_age_years", low=0, high=120)
    if birth and onset_age is not None and onset_age > age_in_years(birth, on) + 1:
        reader.fail("onset_age_years", "Onset age cannot be above the patient's age.")
    onset_date = reader.day("onset_date", not_after=on)
    if birth and onset_date and onset_date < birth:
        reader.fail("onset_date", "Onset cannot be before the birth date.")
    forms = reader.choices("forms", vocab.FORM_LABELS)
    regions = reader.choices("regions", vocab.REGION_LABELS)
    diagnoses = tuple(
        DiagnosisData(
            form=form,
            regions=regions if i == 0 else (),
            onset_age_years=onset_age if i == 0 else None,
            onset_date=onset_date if i == 0 else None,
        )
        for i, form in enumerate(forms)
    )
    if (regions or onset_age is not None) and not forms:
        reader.fail("forms", "Pick at least one form of dystonia for these regions and onset.")
    phenotype = PhenotypeData(
        diagnoses=diagnoses,
        distribution=reader.choice("distribution", vocab.DISTRIBUTIONS),
        course=reader.choice("course", vocab.COURSES),
        variability=reader.choices("variability", vocab.VARIABILITIES),
        association=reader.choice("association", vocab.ASSOCIATIONS),
        etiology=reader.choice("etiology", vocab.ETIOLOGIES),
        genes=reader.choices("genes", vocab.GENES),
        conditions=reader.choices("conditions", vocab.CONDITIONS),
        findings=reader.choices("findings", vocab.FINDINGS),
    )
    return PatientForm(
        display_name=reader.text("display_name", max_len=200),
        birth_date=birth,
        sex=reader.choice("sex", vocab.SEXES, required=True),
        weight_kg=reader.number("weight_kg", low=0.5, high=500),
        phenotype=phenotype,
    )


def values_from_record(display_name: str | None, record: PatientRecord) -> dict[str, object]:
    ph: Phenotype = record.phenotype
    return {
        "display_name": display_name or "",
        "birth_date": record.birth_date.isoformat() if record.birth_date else "",
        "sex": record.sex.value,
        "weight_kg": _num(record.weight_kg),
        "forms": sorted(f.value for f in ph.forms),
        "regions": sorted(r.value for r in ph.regions),
        "onset_age_years": _num(ph.onset_age_years),
        "onset_date": ph.onset_date.isoformat() if ph.onset_date else "",
        "distribution": ph.distribution.value if ph.distribution else "",
        "course": ph.course.value if ph.course else "",
        "variability": sorted(v.value for v in ph.variability),
        "association": ph.association.value if ph.association else "",
        "etiology": ph.etiology.value if ph.etiology else "",
        "genes": sorted(ph.genes),
        "conditions": sorted(record.conditions),
        "findings": sorted(record.findings),
    }


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def _list_rows(
    ctx: AppContext, user: SignedIn, search: str, flt: str, on: date, page: int = 1
) -> tuple[list[dict[str, Any]], int]:
    with unit_of_work(ctx) as session:
        repo = CareRepository(session)
        limit = ALERT_SCAN_LIMIT if flt else PAGE_SIZE
        offset = 0 if flt else (page - 1) * PAGE_SIZE
        patients, total = repo.list_patients(search or None, limit=limit, offset=offset)
        if flt == "due":
            due = due_patient_ids(session, on)
            patients = [p for p in patients if p.id in due]
        alerts: dict[str, list[Any]] = {}
        if flt == "alerts":  # warning and critical alerts not acknowledged as they stand
            answered = acknowledged_keys(session, [p.id for p in patients])
            alerts = {
                p.id: interruptive_unacknowledged(
                    alerts_for(ctx, session, p.id, on), answered.get(p.id, set())
                )
                for p in patients
            }
            patients = [p for p in patients if alerts[p.id]]
        patients = patients[:PAGE_SIZE]
        last = last_injections(session, [p.id for p in patients])
        audit(session, user, "web.patients.list", None)
        for shown in patients:  # each patient's audit trail shows the lists it appeared in
            audit(session, user, "web.patients.list", shown.id)
    rows = [
        {
            "id": p.id,
            "name": p.display_name or "(no name)",
            "birth_date": p.birth_date,
            "age": age_in_years(p.birth_date, on) if p.birth_date else None,
            "sex": p.sex,
            "last_injection": last.get(p.id),
            "window": injection_window(last.get(p.id)),
            "alerts": alerts.get(p.id, []),
        }
        for p in patients
    ]
    return rows, (len(rows) if flt else total)


def _create(ctx: AppContext, user: SignedIn, data: PatientForm) -> str:
    with unit_of_work(ctx, write=True) as session:
        repo = CareRepository(session)
        patient_id = repo.add_patient(
            birth_date=data.birth_date,
            sex=data.sex or "unknown",
            display_name=data.display_name,
            weight_kg=data.weight_kg,
        )
        repo.replace_phenotype(patient_id, data.phenotype)
        audit(session, user, "web.patient.create", patient_id, 201)
    return patient_id


def _require(ctx: AppContext, patient_id: str) -> None:
    with unit_of_work(ctx) as session:
        require_patient(session, patient_id)


def _update(ctx: AppContext, user: SignedIn, patient_id: str, data: PatientForm) -> None:
    """The patient and the whole phenotype, atomically (the patient row locked first)."""
    with unit_of_work(ctx, write=True) as session:
        require_patient(session, patient_id)
        repo = CareRepository(session)
        repo.update_patient(
            patient_id,
            {
                "display_name": data.display_name,
                "birth_date": data.birth_date,
                "sex": data.sex or "unknown",
                "weight_kg": data.weight_kg,
            },
        )
        repo.replace_phenotype(patient_id, data.phenotype)
        audit(session, user, "web.patient.update", patient_id)


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/patients")
    def patient_list(  # plain def (as every page that reads): runs in the thread pool
        request: Request, user: CurrentUser, q: str = "", filter: str = "", page: str = "1"
    ) -> Response:
        flt = filter if filter in FILTERS else ""
        number = max(1, min(int(page), 100_000)) if page.isdigit() else 1
        rows, total = _list_rows(_ctx(request), user, q.strip()[:100], flt, today(), number)
        return renderer.page(
            request,
            "patients.html",
            {
                "rows": rows,
                "total": total,
                "q": q,
                "filter": flt,
                "filters": FILTERS,
                "today": today(),
                "page_size": PAGE_SIZE,
                "page": number,
                "alert_title": alert_title,
            },
        )

    @router.get("/patients/new")
    def new_form(request: Request, user: CurrentUser) -> Response:
        values = {"sex": "", "forms": [], "regions": []}
        return _form_page(renderer, request, None, values, {}, 200)

    @router.post("/patients/new")
    async def create(request: Request, user: CurrentUser) -> Response:
        reader = FormReader(await read_form(request))
        data = parse_patient_form(reader, today())
        if reader.errors:
            return _form_page(renderer, request, None, reader.values(), reader.errors, 422)
        patient_id = await run_in_threadpool(_create, _ctx(request), user, data)
        return RedirectResponse(f"/patients/{patient_id}", status_code=303)

    @router.get("/patients/{patient_id}/edit")
    def edit_form(request: Request, patient_id: str, user: CurrentUser) -> Response:
        with unit_of_work(_ctx(request)) as session:
            patient = load_history(session, patient_id)
            values = values_from_record(patient.display_name, record_from_patient(patient))
            audit(session, user, "web.patient.read", patient_id)
        return _form_page(renderer, request, patient_id, values, {}, 200)

    @router.post("/patients/{patient_id}/edit")
    async def update(request: Request, patient_id: str, user: CurrentUser) -> Response:
        reader = FormReader(await read_form(request))
        data = parse_patient_form(reader, today())
        if reader.errors:
            await run_in_threadpool(_require, _ctx(request), patient_id)
            return _form_page(renderer, request, patient_id, reader.values(), reader.errors, 422)
        await run_in_threadpool(_update, _ctx(request), user, patient_id, data)
        return RedirectResponse(f"/patients/{patient_id}", status_code=303)

    return router


def _form_page(
    renderer: Renderer,
    request: Request,
    patient_id: str | None,
    values: Mapping[str, object],
    errors: dict[str, str],
    status: int,
) -> Response:
    context = {"patient_id": patient_id, "values": values, "errors": errors, **form_options()}
    return renderer.page(request, "patient_form.html", context, status)
