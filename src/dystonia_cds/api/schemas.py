"""Request and response bodies of the care REST API, named by role (`PatientCreate`,
`PatientPublic`, `InjectionVisitCreate` ...). Inputs forbid unknown fields; ids are checked
against the domain enums and the vocabulary, so that a 422 names the field that is wrong.
Dates are `YYYY-MM-DD`; dates that lie in the future are refused where they cannot be.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dystonia_cds.api import known_ids
from dystonia_cds.domain.nul import find_nul, nul_message
from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    Course,
    Distribution,
    DystoniaForm,
    Etiology,
    Sex,
    TrialOutcome,
    Variability,
)


def _not_in_future(value: date | None) -> date | None:
    if value is not None and value > date.today():  # the API is the edge: today is read here
        raise ValueError(f"{value} is in the future")
    return value


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_future)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=1000)]
Weight = Annotated[float, Field(gt=0, le=500), AfterValidator(_finite)]
DoseMg = Annotated[float, Field(ge=0, le=10_000), AfterValidator(_finite)]
Condition = Annotated[str, AfterValidator(known_ids.condition)]
Finding = Annotated[str, AfterValidator(known_ids.finding)]
Gene = Annotated[str, AfterValidator(known_ids.gene)]
Ingredient = Annotated[str, AfterValidator(known_ids.ingredient)]
Treatment = Annotated[str, AfterValidator(known_ids.treatment)]


def _refuse_nul(data: Any) -> Any:
    """A request body whose text holds a NUL character is refused, naming where."""
    where = find_nul(data)
    if where is not None:
        raise ValueError(nul_message(where))
    return data


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    _no_nul = model_validator(mode="before")(_refuse_nul)


class _Period(_In):
    """A start and an end date: the end may not come before the start."""

    start: PastDate | None = None
    end: date | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if start and end and end < start:
            raise ValueError(f"{end} is before start {start}")
        return end


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# patients ---------------------------------------------------------------------------------
class PatientCreate(_In):
    birth_date: PastDate
    sex: Sex
    display_name: Text | None = None
    weight_kg: Weight | None = None


class PatientUpdate(_In):
    """Only the fields present are changed."""

    birth_date: PastDate | None = None
    sex: Sex | None = None
    display_name: Text | None = None
    weight_kg: Weight | None = None


class PatientPublic(_Out):
    id: str
    birth_date: date | None
    sex: Sex
    display_name: str | None
    weight_kg: float | None


class PatientList(_Out):
    items: list[PatientPublic]
    total: int


class Created(_Out):
    id: str


class ImportCreated(_Out):
    id: str
    unrecognized: list[dict[str, str]] = []


# phenotype --------------------------------------------------------------------------------
class DiagnosisCreate(_In):
    form: DystoniaForm
    regions: list[BodyRegion] = []
    onset_date: PastDate | None = None
    onset_age_years: Annotated[float, Field(ge=0, le=130)] | None = None


class DiagnosisPublic(DiagnosisCreate):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str


class PhenotypeUpdate(_In):
    """The whole dystonia picture; `PUT` replaces what was stored."""

    diagnoses: list[DiagnosisCreate] = []
    distribution: Distribution | None = None
    course: Course | None = None
    variability: list[Variability] = []
    association: Association | None = None
    etiology: Etiology | None = None
    genes: list[Gene] = []
    conditions: list[Condition] = []
    findings: list[Finding] = []


class PhenotypePublic(_Out):
    diagnoses: list[DiagnosisPublic]
    distribution: str | None
    course: str | None
    variability: list[str]
    association: str | None
    etiology: str | None
    genes: list[str]
    conditions: list[str]
    findings: list[str]


# drugs and trials -------------------------------------------------------------------------
class MedicationCreate(_Period):
    ingredient: Ingredient
    active: bool = True
    route: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class TrialCreate(_Period):
    treatment: Treatment
    active: bool = False
    outcome: TrialOutcome | None = None
    daily_dose_mg: DoseMg | None = None
    note: Note | None = None


class TrialUpdate(_In):
    """Record how a trial went (e.g. stopped as not tolerated); only fields present change."""

    end: date | None = None
    active: bool | None = None
    outcome: TrialOutcome | None = None
    daily_dose_mg: DoseMg | None = None
    note: Note | None = None


# injections and assessments ---------------------------------------------------------------
class MuscleDoseCreate(_In):
    muscle: Text
    side: Text
    units: Annotated[float, Field(gt=0, le=10_000), AfterValidator(_finite)]


class InjectionVisitCreate(_In):
    """Product, indication, muscles and sides are the ids of `GET /api/injection-vocabulary`."""

    date: date
    product: Text
    indication: Text
    muscles: Annotated[list[MuscleDoseCreate], Field(min_length=1, max_length=100)]
    lot: Annotated[str, Field(max_length=64)] | None = None
    dilution: Annotated[str, Field(max_length=64)] | None = None
    guidance: Annotated[str, Field(max_length=32)] | None = None


class CheckPublic(_Out):
    id: str
    severity: str
    message: str


class InjectionCreated(_Out):
    id: str
    checks: list[CheckPublic]


class AssessmentCreate(_In):
    """Item keys and ranges are those of `GET /api/scales`."""

    date: PastDate
    scale: Text
    items: Annotated[dict[str, Any], Field(max_length=200)]


class AssessmentCreated(_Out):
    id: str
    scores: dict[str, float]


class TitrationPlanCreate(BaseModel):
    """`{"drug", "start", <the drug's options>...}` as `GET /api/titrations` lists them;
    `age_years` and `weight_kg` default to the patient's when the drug uses them."""

    model_config = ConfigDict(extra="allow", frozen=True)
    _no_nul = model_validator(mode="before")(_refuse_nul)
    drug: Text
    start: date
    note: Note | None = None


class TitrationPlanCreated(_Out):
    id: str
    schedule: dict[str, Any]


class AuditPublic(_Out):
    at: str
    actor: str
    action: str
    client: str | None
    status: int | None
