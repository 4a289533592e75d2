"""Pydantic models of the knowledge files (parsed from outside, so validated strictly).

Each file is validated on its own (`extra="forbid"`, frozen); the cross-file checks live in
`dystonia_cds.knowledge.checks` as the after-validator of `KnowledgeFiles`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Tag = Literal["V", "S", "U"]
PositiveStrength = Literal["first-line", "recommended", "consider"]
_ID = r"^[a-z0-9][a-z0-9.\-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TriggerModel(Strict):
    """Holds when every `all` feature, at least one `any` feature and no `none` feature holds."""

    all: list[str] = []
    any: list[str] = []
    none: list[str] = []

    @model_validator(mode="after")
    def _not_empty(self) -> TriggerModel:
        if not (self.all or self.any or self.none):
            raise ValueError("a trigger needs at least one of all / any / none")
        return self


class StatementModel(Strict):
    """One sourced statement; `when` empty = always; a list of triggers = any of them."""

    id: str = Field(pattern=_ID)
    text: str = Field(min_length=3)
    tag: Tag
    sources: list[str] = Field(min_length=1)
    when: list[TriggerModel] = []
    # a caution or "avoid" statement that also raises the warning `caution-drug-in-use` when it
    # applies and the option's drug is being taken (not merely considered)
    alert_in_use: bool = False


class IndicationModel(StatementModel):
    strength: PositiveStrength


class FactModel(StatementModel):
    kind: Literal[
        "role",
        "dosing",
        "titration",
        "monitoring",
        "side-effect",
        "interaction",
        "time-course",
        "efficacy",
    ]


class EvidenceModel(Strict):
    source: str
    level: str = Field(min_length=1)
    tag: Tag
    when: list[TriggerModel] = []


class OptionModel(Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=3)
    priority: int = Field(ge=0, le=1000)
    adjunct: bool = False
    treatments: list[str] = []
    after_failure: Literal["not-recommended", "consider"] = "not-recommended"
    counts_for_refractory: bool = False  # a failure of it counts toward "medically refractory"
    indications: list[IndicationModel] = Field(min_length=1)
    contraindications: list[StatementModel] = []
    avoid: list[StatementModel] = []
    cautions: list[StatementModel] = []
    rationale: list[StatementModel] = []
    evidence: list[EvidenceModel] = Field(min_length=1)
    facts: list[FactModel] = []


class AlertModel(Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=3)  # plain words people read (never the id)
    severity: Literal["info", "warning", "critical"]
    message: str = Field(min_length=3)
    tag: Tag
    sources: list[str] = Field(min_length=1)
    when: list[TriggerModel] = Field(min_length=1)
    addenda: list[StatementModel] = []
    # contraindication statement ids this alert already says for a drug in use (so that
    # `contraindicated-drug-in-use` does not repeat them)
    covers: list[str] = []
    # the alert is `critical` instead when all of these hold (e.g. the drug is being taken)
    critical_when: list[str] = []


class AlertsFile(Strict):
    alerts: list[AlertModel] = Field(min_length=1)


class HistoryEntry(Strict):
    version: str
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    change: str = Field(min_length=3)


class ManifestFile(Strict):
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    title: str
    history: list[HistoryEntry] = Field(min_length=1)


class SourceModel(Strict):
    short: str = Field(min_length=2)
    citation: str = Field(min_length=5)


class SourcesFile(Strict):
    sources: dict[str, SourceModel] = Field(min_length=1)


class DrugClassModel(Strict):
    id: str = Field(pattern=_ID)
    label: str
    tag: Tag
    sources: list[str] = Field(min_length=1)
    ingredients: list[str] = Field(min_length=1)


class DrugClassesFile(Strict):
    classes: list[DrugClassModel] = Field(min_length=1)


class TermModel(Strict):
    id: str
    label: str


class TermsFile(Strict):
    conditions: list[TermModel] = Field(min_length=1)
    findings: list[TermModel] = Field(min_length=1)
    genes: list[TermModel] = Field(min_length=1)
    ingredients: list[TermModel] = Field(min_length=1)
    procedures: list[TermModel] = Field(min_length=1)


class ThresholdModel(Strict):
    value: float
    unit: Literal["years", "days", "weeks", "count", "percent"]
    tag: Tag
    sources: list[str] = Field(min_length=1)
    note: str = ""


class OnsetBandModel(Strict):
    id: str = Field(pattern=_ID)
    label: str
    min_years: int = Field(ge=0)
    max_years: int | None = None  # inclusive, completed years; None = open-ended
    tag: Tag
    sources: list[str] = Field(min_length=1)


class RefractoryModel(Strict):
    """Drugs without an option of their own whose failure still counts toward refractoriness."""

    other_treatments: list[str] = []
    tag: Tag
    sources: list[str] = Field(min_length=1)
    note: str = ""


class DoseLimitModel(Strict):
    """A reference dose limit the engine checks a drug being taken against."""

    id: str = Field(pattern=_ID)
    ingredient: str
    max_daily_mg: float = Field(gt=0)
    # every feature in `when` must hold, none in `unless` (e.g. a CYP2D6 genotype on record)
    when: list[str] = []
    unless: list[str] = []
    limit: str  # how the limit reads, e.g. "50 mg/day without a CYP2D6 genotype on record"
    tag: Tag
    sources: list[str] = Field(min_length=1)


class ThresholdsFile(Strict):
    thresholds: dict[str, ThresholdModel]
    onset_bands: list[OnsetBandModel] = Field(min_length=1)
    refractory: RefractoryModel
    dose_limits: list[DoseLimitModel] = []
