"""Patients, their dystonia (phenotype and diagnoses), drugs and treatment trials.

Endpoints are plain `def`: the database work is blocking and runs in the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from dystonia_cds.api.calls import CurrentCall
from dystonia_cds.api.errors import CareRoute
from dystonia_cds.api.schemas import (
    Created,
    DiagnosisCreate,
    MedicationCreate,
    PatientCreate,
    PatientList,
    PatientPublic,
    PatientUpdate,
    PhenotypePublic,
    PhenotypeUpdate,
    TrialCreate,
    TrialUpdate,
)
from dystonia_cds.api.versions import PRECONDITION_RESPONSES, IfMatch, check_version, with_etag
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import Medication, TreatmentTrial
from dystonia_cds.store.base import MAX_ROW_ID
from dystonia_cds.store.care_models import Patient
from dystonia_cds.store.care_values import DiagnosisData, PhenotypeData
from dystonia_cds.store.history import phenotype
from dystonia_cds.store.repository import CareRepository

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id from the history")]
router = APIRouter(prefix="/api/patients", tags=["patients"], route_class=CareRoute)


def patient_public(patient: Patient) -> PatientPublic:
    return PatientPublic.model_validate(patient, from_attributes=True)


def phenotype_public(repo: CareRepository, patient_id: str) -> PhenotypePublic:
    return PhenotypePublic.model_validate(phenotype(repo.session, patient_id))


def _diagnosis_data(body: DiagnosisCreate) -> DiagnosisData:
    return DiagnosisData(
        form=body.form.value,
        regions=tuple(r.value for r in body.regions),
        onset_date=body.onset_date,
        onset_age_years=body.onset_age_years,
    )


@router.post("", status_code=201, response_model=Created)
def create_patient(body: PatientCreate, call: CurrentCall) -> Created:
    with call.unit_of_work(201) as repo:
        call.patient_id = repo.add_patient(
            birth_date=body.birth_date,
            sex=body.sex.value,
            display_name=body.display_name,
            weight_kg=body.weight_kg,
        )
    return Created(id=call.patient_id)


@router.get("", response_model=PatientList)
def list_patients(
    call: CurrentCall,
    search: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> PatientList:
    """Patients whose display name contains `search` (any case) or whose id starts with it."""
    with call.unit_of_work() as repo:
        rows, total = repo.list_patients(search, limit=limit, offset=offset)
        call.record_listed(repo, [p.id for p in rows])
        return PatientList(items=[patient_public(p) for p in rows], total=total)


@router.get("/{patient_id}", response_model=PatientPublic)
def get_patient(patient_id: str, call: CurrentCall, response: Response) -> PatientPublic:
    """The patient; its `ETag` is the version to send as `If-Match` with a PATCH."""
    with call.unit_of_work() as repo:
        patient = patient_public(repo.get_patient(patient_id))
    with_etag(response, patient)
    return patient


@router.patch("/{patient_id}", response_model=PatientPublic, responses=PRECONDITION_RESPONSES)
def update_patient(
    patient_id: str,
    body: PatientUpdate,
    call: CurrentCall,
    response: Response,
    if_match: IfMatch = None,
) -> PatientPublic:
    """Change the fields present; with `If-Match`, only if the patient is still that version."""
    changes = body.model_dump(exclude_unset=True)
    if "sex" in changes:
        if changes["sex"] is None:
            raise InvalidInput("must be one of female, male, other, unknown", location="sex")
        changes["sex"] = changes["sex"].value
    with call.unit_of_work() as repo:
        check_version(if_match, patient_public(repo.lock_patient(patient_id)), "patient")
        patient = patient_public(repo.update_patient(patient_id, changes))
    with_etag(response, patient)
    return patient


@router.get("/{patient_id}/phenotype", response_model=PhenotypePublic)
def get_phenotype(patient_id: str, call: CurrentCall, response: Response) -> PhenotypePublic:
    """The dystonia picture; its `ETag` is the version to send as `If-Match` with a PUT."""
    with call.unit_of_work() as repo:
        stored = phenotype_public(repo, patient_id)
    with_etag(response, stored)
    return stored


@router.put(
    "/{patient_id}/phenotype", response_model=PhenotypePublic, responses=PRECONDITION_RESPONSES
)
def replace_phenotype(
    patient_id: str,
    body: PhenotypeUpdate,
    call: CurrentCall,
    response: Response,
    if_match: IfMatch = None,
) -> PhenotypePublic:
    """Replace the whole dystonia picture (diagnoses, axes, genes, comorbidities, findings)
    atomically; with `If-Match`, only if it is still that version (else 412)."""
    data = PhenotypeData(
        diagnoses=tuple(_diagnosis_data(d) for d in body.diagnoses),
        distribution=body.distribution.value if body.distribution else None,
        course=body.course.value if body.course else None,
        variability=tuple(v.value for v in body.variability),
        association=body.association.value if body.association else None,
        etiology=body.etiology.value if body.etiology else None,
        genes=tuple(body.genes),
        conditions=tuple(body.conditions),
        findings=tuple(body.findings),
    )
    with call.unit_of_work() as repo:
        repo.lock_patient(patient_id)
        check_version(if_match, phenotype_public(repo, patient_id), "phenotype")
        repo.replace_phenotype(patient_id, data)
        stored = phenotype_public(repo, patient_id)
    with_etag(response, stored)
    return stored


@router.post("/{patient_id}/diagnoses", status_code=201, response_model=Created)
def add_diagnosis(patient_id: str, body: DiagnosisCreate, call: CurrentCall) -> Created:
    with call.unit_of_work(201) as repo:
        return Created(id=str(repo.add_diagnosis(patient_id, _diagnosis_data(body))))


@router.delete("/{patient_id}/diagnoses/{diagnosis_id}", status_code=204)
def delete_diagnosis(patient_id: str, diagnosis_id: RowId, call: CurrentCall) -> Response:
    with call.unit_of_work(204) as repo:
        repo.delete_diagnosis(patient_id, diagnosis_id)
    return Response(status_code=204)


@router.post("/{patient_id}/medications", status_code=201, response_model=Created)
def add_medication(patient_id: str, body: MedicationCreate, call: CurrentCall) -> Created:
    medication = Medication(
        ingredient=body.ingredient,
        start=body.start,
        end=body.end,
        active=body.active,
        route=body.route,
    )
    with call.unit_of_work(201) as repo:
        return Created(id=str(repo.add_medication(patient_id, medication)))


@router.post("/{patient_id}/trials", status_code=201, response_model=Created)
def add_trial(patient_id: str, body: TrialCreate, call: CurrentCall) -> Created:
    trial = TreatmentTrial(
        treatment=body.treatment,
        start=body.start,
        end=body.end,
        active=body.active,
        outcome=body.outcome,
        daily_dose_mg=body.daily_dose_mg,
    )
    with call.unit_of_work(201) as repo:
        return Created(id=str(repo.add_trial(patient_id, trial, note=body.note)))


@router.patch("/{patient_id}/trials/{trial_id}", response_model=Created)
def update_trial(patient_id: str, trial_id: RowId, body: TrialUpdate, call: CurrentCall) -> Created:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("outcome") is not None:
        changes["outcome"] = changes["outcome"].value
    with call.unit_of_work() as repo:
        return Created(id=str(repo.update_trial(patient_id, trial_id, changes).id))
