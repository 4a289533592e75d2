"""What is known about one patient: the dystonia phenotype (2013 consensus axes), the
treatment history, comorbidities and current drugs that matter for cautions.

Pure, frozen data. Adapters (FHIR, store) build a `PatientRecord`; the engine reads it.
Identifiers for conditions, drugs and findings are the knowledge base's ids (plain strings),
so that the vocabulary lives in data, not in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dystonia_cds.domain.construction import quick_init


class Sex(StrEnum):
    """FHIR administrative gender."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class BodyRegion(StrEnum):
    """Body regions used by the 2013 consensus body-distribution axis."""

    EYES = "eyes"  # blepharospasm (upper face)
    LOWER_FACE = "lower-face"  # oromandibular: jaw, mouth, tongue
    LARYNX = "larynx"
    NECK = "neck"
    TRUNK = "trunk"
    UPPER_LIMB = "upper-limb"
    LOWER_LIMB = "lower-limb"


class Distribution(StrEnum):
    """Axis I body distribution (Albanese 2013)."""

    FOCAL = "focal"
    SEGMENTAL = "segmental"
    MULTIFOCAL = "multifocal"
    HEMIDYSTONIA = "hemidystonia"
    GENERALIZED = "generalized"


class Course(StrEnum):
    STATIC = "static"
    PROGRESSIVE = "progressive"


class Variability(StrEnum):
    PERSISTENT = "persistent"
    ACTION_SPECIFIC = "action-specific"
    DIURNAL = "diurnal"
    PAROXYSMAL = "paroxysmal"


class Association(StrEnum):
    ISOLATED = "isolated"
    COMBINED = "combined"


class Etiology(StrEnum):
    """Axis II etiology (Albanese 2013)."""

    INHERITED = "inherited"
    ACQUIRED = "acquired"
    IDIOPATHIC = "idiopathic"


class DystoniaForm(StrEnum):
    """Named clinical forms the knowledge base recognises (from codes or text)."""

    ACUTE_DRUG_INDUCED = "acute-drug-induced-dystonia"  # ICD-10-CM G24.02
    TARDIVE = "tardive-dystonia"
    OTHER_DRUG_INDUCED = "other-drug-induced-dystonia"  # G24.09
    GENETIC_TORSION = "genetic-torsion-dystonia"  # G24.1
    IDIOPATHIC_NONFAMILIAL = "idiopathic-nonfamilial-dystonia"  # G24.2
    CERVICAL = "cervical-dystonia"  # G24.3 spasmodic torticollis
    OROMANDIBULAR = "oromandibular-dystonia"  # G24.4
    BLEPHAROSPASM = "blepharospasm"  # G24.5
    LARYNGEAL = "laryngeal-dystonia"
    TASK_SPECIFIC_LIMB = "task-specific-limb-dystonia"  # writer's cramp
    DOPA_RESPONSIVE = "dopa-responsive-dystonia"
    MYOCLONUS_DYSTONIA = "myoclonus-dystonia"
    OTHER = "other-dystonia"  # G24.8
    UNSPECIFIED = "dystonia-unspecified"  # G24.9


class TrialOutcome(StrEnum):
    """Codes of the project's CodeSystem `urn:dystonia-cds:trial-outcome`."""

    INEFFECTIVE = "ineffective"
    PARTIAL_RESPONSE = "partial-response"
    GOOD_RESPONSE = "good-response"
    NOT_TOLERATED = "not-tolerated"


# The agreed ids of `PatientRecord.conditions` (comorbidities that matter for cautions),
# `PatientRecord.findings` (work-up results) and `Phenotype.genes` (HGNC symbols), in display
# order. The vocabulary maps codes onto them; the API and the web forms accept only these.
COMORBIDITY_IDS: tuple[str, ...] = (
    "narrow-angle-glaucoma",
    "depression",
    "suicidality",
    "hepatic-impairment",
    "renal-impairment",
    "myasthenia-gravis",
    "lambert-eaton-syndrome",
    "motor-neuron-disease",
    "dysphagia",
    "injection-site-infection",
    "prostatic-hypertrophy",
    "urinary-retention",
    "epilepsy",
    "long-qt-syndrome",
    "pregnancy",
    "botulinum-toxin-hypersensitivity",
    "cerebral-palsy",
    "parkinsonism",
    "wilson-disease",
    "melanoma",
    "tardive-dyskinesia",
    "lactation",
    "cognitive-impairment",
    "depression-in-remission",
    "opioid-use",
    "neuromuscular-junction-disorder",
    "skin-infection-eyelid",
    "skin-infection-face",
    "skin-infection-neck",
    "skin-infection-upper-limb",
    "skin-infection-lower-limb",
    "skin-infection-trunk",
)
FINDING_IDS: tuple[str, ...] = (
    "wilson-disease-excluded",
    "cyp2d6-poor-metabolizer",
    "cyp2d6-genotyped",
)
GENE_SYMBOLS: tuple[str, ...] = ("GCH1", "TOR1A", "KMT2B", "SGCE", "THAP1", "ATP1A3", "ATP7B")


@quick_init
@dataclass(frozen=True, slots=True)
class Phenotype:
    """The dystonia as understood; empty `forms` means no active dystonia recorded."""

    forms: frozenset[DystoniaForm] = frozenset()
    regions: frozenset[BodyRegion] = frozenset()
    distribution: Distribution | None = None
    onset_age_years: float | None = None
    course: Course | None = None
    variability: frozenset[Variability] = frozenset()
    association: Association | None = None
    etiology: Etiology | None = None
    genes: frozenset[str] = frozenset()  # gene symbols with a reported pathogenic finding
    onset_date: date | None = None  # when the dystonia (or the acute reaction) began
    # when the acute drug-induced reaction began (its onset, else the date it was recorded):
    # the engine treats it as acute only while this is recent
    acute_date: date | None = None

    @property
    def has_dystonia(self) -> bool:
        return bool(self.forms)


@quick_init
@dataclass(frozen=True, slots=True)
class TreatmentTrial:
    """One course of a treatment: a drug (by ingredient id) or a procedure (by option id)."""

    treatment: (
        str  # knowledge id: an ingredient ("trihexyphenidyl") or option ("deep-brain-stimulation")
    )
    start: date | None = None
    end: date | None = None
    active: bool = False
    outcome: TrialOutcome | None = None
    daily_dose_mg: float | None = None
    source: str = ""  # where it came from, e.g. "MedicationStatement/123"
    product: str | None = None  # a botulinum-toxin course's product, when the input names it


@quick_init
@dataclass(frozen=True, slots=True)
class Injection:
    """One botulinum-toxin injection session."""

    date: date
    product: str | None = None  # e.g. "onabotulinumtoxinA"; units are never converted
    total_units: float | None = None
    indication: str | None = None  # e.g. "cervical-dystonia"
    source: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class Medication:
    """A drug the patient takes or recently took (ingredient id from the knowledge base)."""

    ingredient: str
    start: date | None = None
    end: date | None = None
    active: bool = True
    route: str | None = None
    source: str = ""
    daily_dose_mg: float | None = None  # the current daily dose, when the input states it


@quick_init
@dataclass(frozen=True, slots=True)
class ScaleResult:
    """A rating-scale total on a date (TWSTRS, BFMDRS, JRS)."""

    scale: str
    date: date
    total: float


@quick_init
@dataclass(frozen=True, slots=True)
class Unrecognized:
    """Input that could not be understood: reported, never dropped silently."""

    location: str  # e.g. "Condition/abc.code"
    reason: str


# Side effects a patient can report in the diary between toxin visits (reference §3.5, §2.10:
# dysphagia, breathing difficulty, neck weakness, ptosis, diplopia, dry mouth, dysphonia).
DIARY_SIDE_EFFECTS: tuple[str, ...] = (
    "trouble-swallowing",
    "trouble-breathing",
    "neck-weakness",
    "drooping-eyelid",
    "double-vision",
    "dry-mouth",
    "voice-change",
)
URGENT_SIDE_EFFECTS = frozenset({"trouble-swallowing", "trouble-breathing"})


@quick_init
@dataclass(frozen=True, slots=True)
class DiaryEntry:
    """A patient's weekly check-in between visits (patient-reported; synthetic in tests)."""

    date: date
    severity: int  # 0-10, how bad the dystonia was this week
    benefit_percent: int | None = None  # benefit of the last toxin injection, 0-100
    side_effects: frozenset[str] = frozenset()  # ids of DIARY_SIDE_EFFECTS
    note: str = ""
    source: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class ConceptSource:
    """Which code or text of which input made a concept (a form or a comorbidity)."""

    kind: str  # "form" | "condition"
    concept: str
    source: str  # e.g. "Condition/c1: ICD-10-CM L03.221"


@quick_init
@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything the engine reads about one patient."""

    patient_id: str
    birth_date: date | None = None
    sex: Sex = Sex.UNKNOWN
    weight_kg: float | None = None
    phenotype: Phenotype = field(default_factory=Phenotype)
    trials: tuple[TreatmentTrial, ...] = ()
    injections: tuple[Injection, ...] = ()
    medications: tuple[Medication, ...] = ()
    conditions: frozenset[str] = frozenset()  # comorbidity ids, e.g. "narrow-angle-glaucoma"
    findings: frozenset[str] = frozenset()  # work-up results, e.g. "wilson-disease-excluded"
    assessments: tuple[ScaleResult, ...] = ()
    unrecognized: tuple[Unrecognized, ...] = ()
    diary: tuple[DiaryEntry, ...] = ()  # weekly check-ins, oldest first
    deceased: bool = False  # Patient.deceasedBoolean true, or a deceasedDateTime
    deceased_date: date | None = None  # Patient.deceasedDateTime
    # how each form and comorbidity was understood (explanation only: not compared)
    understood_from: tuple[ConceptSource, ...] = field(default=(), compare=False)


def age_in_years(birth_date: date, on: date) -> int:
    """Completed years of age on a date."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)
