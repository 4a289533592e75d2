"""Choices the web forms offer, with plain labels. Ids are the domain's (its id tuples and
enums); labels are display text only."""

from __future__ import annotations

from dystonia_cds.domain.patient import (
    COMORBIDITY_IDS,
    FINDING_IDS,
    GENE_SYMBOLS,
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


def _title(value: str) -> str:
    return value.replace("-", " ").capitalize()


FORM_LABELS: dict[str, str] = {
    DystoniaForm.ACUTE_DRUG_INDUCED: "Acute drug-induced dystonia (acute dystonic reaction)",
    DystoniaForm.TARDIVE: "Tardive dystonia",
    DystoniaForm.OTHER_DRUG_INDUCED: "Other drug-induced dystonia",
    DystoniaForm.GENETIC_TORSION: "Genetic torsion dystonia",
    DystoniaForm.IDIOPATHIC_NONFAMILIAL: "Idiopathic non-familial dystonia",
    DystoniaForm.CERVICAL: "Cervical dystonia (spasmodic torticollis)",
    DystoniaForm.OROMANDIBULAR: "Oromandibular dystonia",
    DystoniaForm.BLEPHAROSPASM: "Blepharospasm",
    DystoniaForm.LARYNGEAL: "Laryngeal dystonia",
    DystoniaForm.TASK_SPECIFIC_LIMB: "Task-specific limb dystonia (e.g. writer's cramp)",
    DystoniaForm.DOPA_RESPONSIVE: "Dopa-responsive dystonia",
    DystoniaForm.MYOCLONUS_DYSTONIA: "Myoclonus-dystonia",
    DystoniaForm.OTHER: "Other dystonia",
    DystoniaForm.UNSPECIFIED: "Dystonia, unspecified",
}
REGION_LABELS: dict[str, str] = {
    BodyRegion.EYES: "Eyes (upper face)",
    BodyRegion.LOWER_FACE: "Lower face, jaw, tongue",
    BodyRegion.LARYNX: "Larynx (voice)",
    BodyRegion.NECK: "Neck",
    BodyRegion.TRUNK: "Trunk",
    BodyRegion.UPPER_LIMB: "Arm(s)",
    BodyRegion.LOWER_LIMB: "Leg(s)",
}
SEXES = {s.value: s.value.capitalize() for s in Sex}
DISTRIBUTIONS = {d.value: _title(d.value) for d in Distribution}
COURSES = {c.value: _title(c.value) for c in Course}
VARIABILITIES = {v.value: _title(v.value) for v in Variability}
ASSOCIATIONS = {
    Association.ISOLATED.value: "Isolated (dystonia is the only motor feature)",
    Association.COMBINED.value: "Combined (with another movement disorder)",
}
ETIOLOGIES = {e.value: _title(e.value) for e in Etiology}
OUTCOMES = {
    TrialOutcome.GOOD_RESPONSE.value: "Good response",
    TrialOutcome.PARTIAL_RESPONSE.value: "Partial response",
    TrialOutcome.INEFFECTIVE.value: "Ineffective",
    TrialOutcome.NOT_TOLERATED.value: "Not tolerated",
}
GENES = GENE_SYMBOLS
CONDITIONS = COMORBIDITY_IDS
FINDINGS = FINDING_IDS
TREATMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "Dystonia drugs": (
        "levodopa",
        "trihexyphenidyl",
        "benztropine",
        "diphenhydramine",
        "clonazepam",
        "diazepam",
        "baclofen",
        "tetrabenazine",
        "deutetrabenazine",
        "valbenazine",
        "zonisamide",
    ),
    "Procedures and therapies": (
        "botulinum-toxin",
        "deep-brain-stimulation",
        "intrathecal-baclofen",
        "rehabilitation-therapy",
    ),
}
PROCEDURE_LABELS = {
    "botulinum-toxin": "Botulinum toxin (course)",
    "deep-brain-stimulation": "Deep brain stimulation",
    "intrathecal-baclofen": "Intrathecal baclofen",
    "rehabilitation-therapy": "Physical / occupational therapy",
}
MEDICATION_GROUPS: dict[str, tuple[str, ...]] = {
    "Dopamine blockers": (
        "haloperidol",
        "fluphenazine",
        "chlorpromazine",
        "perphenazine",
        "pimozide",
        "risperidone",
        "paliperidone",
        "olanzapine",
        "quetiapine",
        "aripiprazole",
        "ziprasidone",
        "metoclopramide",
        "prochlorperazine",
        "promethazine",
        "droperidol",
    ),
    "Opioids": (
        "morphine",
        "oxycodone",
        "hydrocodone",
        "hydromorphone",
        "fentanyl",
        "codeine",
        "tramadol",
        "methadone",
        "buprenorphine",
        "tapentadol",
    ),
    "MAO inhibitors": (
        "phenelzine",
        "tranylcypromine",
        "isocarboxazid",
        "selegiline",
        "rasagiline",
    ),
    "Other": ("reserpine",),
}
SCALE_LABELS = {"twstrs": "TWSTRS", "bfmdrs": "BFMDRS", "jrs": "Jankovic Rating Scale"}


def label(value: str) -> str:
    """A readable label for any id the pages show."""
    for table in (FORM_LABELS, REGION_LABELS, OUTCOMES, PROCEDURE_LABELS, SCALE_LABELS):
        if value in table:
            return table[value]
    return _title(value) if value.islower() else value


def all_treatments() -> frozenset[str]:
    return frozenset(t for group in TREATMENT_GROUPS.values() for t in group)


def all_medications() -> frozenset[str]:
    return frozenset(m for group in MEDICATION_GROUPS.values() for m in group)
