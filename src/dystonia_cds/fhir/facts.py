"""Compact, picklable facts extracted from single FHIR resources.

`extract_facts(resource, vocab)` turns one resource into a few of these; `assemble_record`
turns all facts of one patient into a `PatientRecord`. Each fact carries the id of the patient
it belongs to (`''` when the resource names none, e.g. a Medication), and `source`, the
`Type/id` (plus field) it came from. msgspec Structs: frozen, array-like (small when pickled or
encoded), cheap to create; a tagged union so they round-trip through `msgspec` too.
"""

from __future__ import annotations

from datetime import date

import msgspec


class _Fact(msgspec.Struct, frozen=True, array_like=True, tag=True, gc=False):
    patient_id: str
    source: str


class PatientFact(_Fact, tag="patient", frozen=True):
    birth_date: date | None
    sex: str
    deceased: bool = False  # Patient.deceasedBoolean true, or a deceasedDateTime
    deceased_date: date | None = None


class FormFact(_Fact, tag="form", frozen=True):
    """An active dystonia condition: the form, body regions and onset."""

    form: str
    regions: tuple[str, ...] = ()
    onset_age: float | None = None
    onset_date: date | None = None
    text: str = ""  # the condition's own words (used for distribution words)
    recorded: date | None = None  # Condition.recordedDate (dates an acute reaction without onset)
    via: str = ""  # which code or text made the form (how_matched)


class ComorbidityFact(_Fact, tag="comorbidity", frozen=True):
    condition: str
    via: str = ""  # which code or text made the concept (how_matched)


class FindingFact(_Fact, tag="finding", frozen=True):
    finding: str


class PhenotypeFact(_Fact, tag="phenotype", frozen=True):
    """An explicit phenotype axis value (project extension on a dystonia Condition)."""

    axis: str  # distribution | course | variability | association | etiology
    value: str


class DrugFact(_Fact, tag="drug", frozen=True):
    """Use of a drug (MedicationRequest / MedicationStatement / MedicationAdministration).

    `ingredient` is None when the drug is a reference to a Medication resource (`medication_ref`)
    that `assemble_record` resolves through `MedicationDefFact`s.
    """

    ingredient: str | None
    medication_ref: str | None = None
    kind: str = "ingredient"  # ingredient | botulinum-toxin
    start: date | None = None
    end: date | None = None
    active: bool = False
    administration: bool = False
    route: str | None = None
    outcome: str | None = None
    units: float | None = None
    trial: bool = False  # a dystonia treatment: its use is also a TreatmentTrial
    daily_dose_mg: float | None = None


class MedicationDefFact(_Fact, tag="medication", frozen=True):
    """A Medication resource: what a `medicationReference` to `key` means."""

    key: str
    ingredients: tuple[str, ...]
    kind: str = "ingredient"
    text: str = ""
    trials: tuple[str, ...] = ()  # the ingredients that are dystonia treatments


class ProcedureFact(_Fact, tag="procedure", frozen=True):
    treatment: str  # procedure id: botulinum-toxin, deep-brain-stimulation, ...
    start: date | None = None
    end: date | None = None
    active: bool = False
    outcome: str | None = None
    product: str | None = None


class GeneFact(_Fact, tag="gene", frozen=True):
    gene: str


class WeightFact(_Fact, tag="weight", frozen=True):
    kg: float
    when: date | None = None


class DiaryFact(_Fact, tag="diary", frozen=True):
    """A weekly check-in: a QuestionnaireResponse to the project's Questionnaire."""

    date: date
    severity: int
    benefit_percent: int | None = None
    side_effects: tuple[str, ...] = ()
    note: str = ""


class UnrecognizedFact(_Fact, tag="unrecognized", frozen=True):
    """Input that could not be understood; `source` is the location (resource and field)."""

    reason: str


class IgnoredFact(_Fact, tag="ignored", frozen=True):
    """A resource the profile does not read (counted in one summary entry)."""

    resource_type: str


Fact = (
    PatientFact
    | FormFact
    | ComorbidityFact
    | FindingFact
    | PhenotypeFact
    | DrugFact
    | MedicationDefFact
    | ProcedureFact
    | GeneFact
    | WeightFact
    | DiaryFact
    | UnrecognizedFact
    | IgnoredFact
)
