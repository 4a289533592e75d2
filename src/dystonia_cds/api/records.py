"""Whole-record endpoints: history, the recommendation over the stored record, the audit
trail, and FHIR R4 import/export of a patient."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from dystonia_cds.api.calls import Call, CurrentCall
from dystonia_cds.api.errors import CareRoute, JsonResponse
from dystonia_cds.api.fhir_export import patient_bundle
from dystonia_cds.api.schemas import AuditPublic, ImportCreated
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.nul import find_nul, nul_message
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.store.audit import entries_for_patient
from dystonia_cds.store.diary import DiaryRepository
from dystonia_cds.store.history import patient_history
from dystonia_cds.store.records import load_patient_record

router = APIRouter(prefix="/api/patients", tags=["records"], route_class=CareRoute)


@router.get("/{patient_id}/history", response_class=JsonResponse)
def get_history(patient_id: str, call: CurrentCall) -> JsonResponse:
    """The full care record: patient, phenotype, drugs, trials, visits, assessments, plans."""
    with call.unit_of_work() as repo:
        body = patient_history(repo.session, patient_id)
    return JsonResponse(body)


@router.get("/{patient_id}/recommendation", response_class=JsonResponse)
def get_recommendation(
    patient_id: str,
    call: CurrentCall,
    at: Annotated[
        date | None, Query(description="Evaluation date YYYY-MM-DD (default today)")
    ] = None,
) -> JsonResponse:
    """The recommendation JSON of the contract, computed over the stored record."""
    with call.unit_of_work() as repo:
        record = load_patient_record(repo.session, patient_id)
    result = recommend(record, call.ctx.knowledge, on=at or date.today())
    return JsonResponse(recommendation_to_dict(result))


@router.get("/{patient_id}/audit", response_model=list[AuditPublic])
def get_audit(patient_id: str, call: CurrentCall) -> list[AuditPublic]:
    """Who read or wrote this patient's record, when, from where, and how it ended."""
    with call.unit_of_work() as repo:
        repo.get_patient(patient_id)
        return [
            AuditPublic(
                at=e.at.isoformat(),
                actor=e.actor,
                action=e.action,
                client=e.client,
                status=e.status,
            )
            for e in entries_for_patient(repo.session, patient_id)
        ]


@router.get("/{patient_id}/fhir", response_class=JsonResponse)
def export_fhir(patient_id: str, call: CurrentCall) -> JsonResponse:
    """The patient as a FHIR R4 Bundle (type collection) in the project's input profile."""
    with call.unit_of_work() as repo:
        bundle = patient_bundle(repo.history(patient_id))
    return JsonResponse(bundle, media_type="application/fhir+json")


def display_name(bundle: dict[str, Any]) -> str | None:
    """The Patient's name as one line (`name[0].text`, else given and family names)."""
    entries = bundle.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            continue
        names = resource.get("name")
        name = names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}
        text = name.get("text")
        if not isinstance(text, str):
            given = name.get("given")
            parts = [*(given if isinstance(given, list) else []), name.get("family")]
            text = " ".join(p for p in parts if isinstance(p, str) and p)
        return text.strip()[:200] or None
    return None


async def _bundle_body(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"is not JSON: {exc}", location="body") from exc
    if not isinstance(data, dict):
        raise InvalidInput("must be a FHIR Bundle object", location="body")
    where = find_nul(data)
    if where is not None:
        raise InvalidInput(nul_message(""), location=f"body.{where}")
    check_resource_ids(data)
    return data


FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def check_resource_ids(bundle: dict[str, Any]) -> None:
    """Every resource id is a FHIR id (letters, digits, '-', '.'; at most 64): control
    characters, spaces or path separators in one are refused, naming the entry."""
    entries = bundle.get("entry")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        rid = resource.get("id") if isinstance(resource, dict) else None
        if isinstance(rid, str) and not FHIR_ID.fullmatch(rid):
            raise InvalidInput(
                f"{rid[:70]!r} is not a FHIR id (A-Z, a-z, 0-9, '-', '.'; at most 64)",
                location=f"body.entry[{i}].resource.id",
            )


@router.post(
    "/import",
    status_code=201,
    response_model=ImportCreated,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A FHIR R4 Bundle: one Patient and that patient's resources.",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        }
    },
)
async def import_fhir(request: Request, call: CurrentCall) -> ImportCreated:
    """Store a FHIR R4 Bundle (one Patient and that patient's resources) as a new patient.
    What could not be understood is listed in `unrecognized`. The body is decoded with orjson;
    mapping and storing run in the thread pool."""
    bundle = await _bundle_body(request)
    return await run_in_threadpool(_import, call, bundle)


def _import(call: Call, bundle: dict[str, Any]) -> ImportCreated:
    record = read_bundle(bundle, source="request body")
    with call.unit_of_work(201) as repo:
        call.patient_id = repo.import_record(record, display_name=display_name(bundle))
        DiaryRepository(repo.session).add_imported(call.patient_id, record.diary)
    return ImportCreated(
        id=call.patient_id,
        unrecognized=[{"location": u.location, "reason": u.reason} for u in record.unrecognized],
    )
