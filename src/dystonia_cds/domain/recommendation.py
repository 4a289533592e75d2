"""What the engine returns: ranked options, alerts and an explanation trace.

The JSON shape of the public contract (DESIGN.md, "Recommendation JSON") is produced by
`dystonia_cds.engine.output.recommendation_to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dystonia_cds.domain.construction import quick_init
from dystonia_cds.domain.patient import PatientRecord, Unrecognized


class Strength(StrEnum):
    """Recommendation strength, strongest first (the contract's order)."""

    FIRST_LINE = "first-line"
    RECOMMENDED = "recommended"
    CONSIDER = "consider"
    NOT_RECOMMENDED = "not-recommended"
    CONTRAINDICATED = "contraindicated"

    @property
    def is_positive(self) -> bool:
        return self in (Strength.FIRST_LINE, Strength.RECOMMENDED, Strength.CONSIDER)


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@quick_init
@dataclass(frozen=True, slots=True)
class Evidence:
    source: str  # citation, e.g. "EFNS 2011 (Albanese et al., Eur J Neurol 2011;18:5-18)"
    level: str  # e.g. "AAN level A", "guideline", "label", "secondary [S]"
    key: str = ""  # reference key, e.g. "R5"


@quick_init
@dataclass(frozen=True, slots=True)
class Provenance:
    """Why a statement was made: the rule, the facts it used, the knowledge version."""

    rule: str
    facts: tuple[str, ...]
    knowledge_version: str
    sources: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Option:
    id: str
    rank: int
    strength: Strength
    title: str
    rationale: tuple[str, ...]
    cautions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    provenance: Provenance
    adjunct: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    severity: Severity
    message: str
    provenance: Provenance


@quick_init
@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule: str
    fired: bool
    detail: str
    sources: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class UnderstoodPhenotype:
    """The phenotype as the engine understood it (stated and derived values)."""

    forms: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # stated regions plus those implied by named focal forms
    distribution: str | None = None
    distribution_derived: bool = False  # True when derived from the regions
    onset_age_years: float | None = None
    onset_band: str | None = None
    acute_reaction: bool = False
    course: str | None = None
    variability: tuple[str, ...] = ()
    association: str | None = None
    etiology: str | None = None
    genes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    current_drugs: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Recommendation:
    record: PatientRecord
    evaluated_at: date
    age_years: int | None
    options: tuple[Option, ...]
    alerts: tuple[Alert, ...]
    trace: tuple[TraceEntry, ...]
    knowledge_version: str
    unrecognized: tuple[Unrecognized, ...] = ()
    notes: tuple[str, ...] = ()  # "not enough data to decide" and similar, stated plainly
    phenotype: UnderstoodPhenotype | None = None
