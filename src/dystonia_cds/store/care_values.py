"""What the care repository is given to store: plain frozen values, already validated by the
caller (the REST API checks ids and ranges against the care catalog before it gets here).

Trials and drugs reuse the domain's `TreatmentTrial` and `Medication`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class DiagnosisData:
    form: str  # a DystoniaForm value
    regions: tuple[str, ...] = ()  # BodyRegion values
    onset_date: date | None = None
    onset_age_years: float | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class PhenotypeData:
    """The whole dystonia picture of one patient; storing it replaces what was there."""

    diagnoses: tuple[DiagnosisData, ...] = ()
    distribution: str | None = None
    course: str | None = None
    variability: tuple[str, ...] = ()
    association: str | None = None
    etiology: str | None = None
    genes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MuscleDose:
    muscle: str
    side: str
    units: float


@dataclass(frozen=True, slots=True)
class InjectionVisitData:
    date: date
    product: str | None
    indication: str | None
    muscles: tuple[MuscleDose, ...] = ()
    lot: str | None = None
    dilution: str | None = None
    guidance: str | None = None
    total_units: float | None = None  # only when no per-muscle rows (e.g. imported from FHIR)
    source: str = ""

    @property
    def units(self) -> float | None:
        if self.muscles:
            return sum(m.units for m in self.muscles)
        return self.total_units


@dataclass(frozen=True, slots=True)
class AssessmentData:
    date: date
    scale: str
    items: Mapping[str, float]
    total: float
    scores: Mapping[str, Any] = field(default_factory=dict)  # subscales as computed
