"""What happened to one synthetic patient, before it is written as FHIR resources.

A `Plan` is a small, plain description (dates, ingredient ids, form keys); `scenarios`
draws plans with the clinical mix of a dystonia clinic and a seeded share of every care gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(slots=True)
class DrugCourse:
    """One drug: `kind` is request (current order), statement (a trial) or administration."""

    ingredient: str
    kind: str
    start: date
    end: date | None = None
    active: bool = True
    outcome: str | None = None


@dataclass(slots=True)
class Shot:
    """One botulinum-toxin session; `as_procedure` writes it as a Procedure instead."""

    day: date
    product: str
    units: int
    indication: str
    as_procedure: bool = False


@dataclass(slots=True)
class Plan:
    patient_id: str
    sex: str
    birth: date
    given: str
    family: str
    dystonia: list[tuple[str, str]] = field(default_factory=list)  # (form key, clinical status)
    onset: date | None = None
    regions: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    drugs: list[DrugCourse] = field(default_factory=list)
    shots: list[Shot] = field(default_factory=list)
    procedures: list[tuple[str, date]] = field(default_factory=list)
    genes: list[str] = field(default_factory=list)
    wilson_excluded: bool = False


def days_before(anchor: date, days: int) -> date:
    return anchor - timedelta(days=days)


def years_before(anchor: date, years: float) -> date:
    return anchor - timedelta(days=int(years * 365.25))
