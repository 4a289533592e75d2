"""Codes the synthetic export writes, one CodeableConcept per knowledge id.

Only codes present in the shared clinical reference are written as codings (source key
beside each); everything else is written as display text, which the FHIR mapping matches
as its documented fallback. Synthetic data only.
"""

from __future__ import annotations

from typing import Any

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
OUTCOME = "urn:dystonia-cds:trial-outcome"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

Concept = dict[str, Any]


def coded(system: str, code: str, display: str, text: str | None = None) -> Concept:
    """A CodeableConcept with one coding and a text."""
    return {
        "coding": [{"system": system, "code": code, "display": display}],
        "text": text or display,
    }


def text_only(text: str) -> Concept:
    return {"text": text}


# Dystonia forms: ICD-10-CM G24.x [V][R70][R70b]
DYSTONIA: dict[str, Concept] = {
    "acute": coded(ICD10, "G24.02", "Drug induced acute dystonia"),
    "tardive": text_only("Tardive dystonia"),
    "genetic": coded(ICD10, "G24.1", "Genetic torsion dystonia"),
    "idiopathic": coded(ICD10, "G24.2", "Idiopathic nonfamilial dystonia"),
    "cervical": coded(ICD10, "G24.3", "Spasmodic torticollis", "Cervical dystonia"),
    "oromandibular": coded(ICD10, "G24.4", "Idiopathic orofacial dystonia"),
    "blepharospasm": coded(ICD10, "G24.5", "Blepharospasm"),
    "other": coded(ICD10, "G24.8", "Other dystonia"),
    "unspecified": coded(ICD10, "G24.9", "Dystonia, unspecified"),
    # no verified code for these forms: written by name (vocabulary name fallback)
    "writers-cramp": text_only("Writer's cramp"),
    "laryngeal": text_only("Laryngeal dystonia"),
    "dopa-responsive": text_only("Dopa-responsive dystonia"),
    "myoclonus": text_only("Myoclonus-dystonia"),
}

# Comorbidities (dystonia_cds.domain.patient COMORBIDITY_IDS)
CONDITIONS: dict[str, Concept] = {
    "wilson-disease": coded(ICD10, "E83.01", "Wilson's disease"),  # [S][R72]
    "cerebral-palsy": coded(ICD10, "G80.3", "Athetoid cerebral palsy"),  # [V][R70b]
    "narrow-angle-glaucoma": text_only("Narrow-angle glaucoma"),
    "depression": text_only("Depression"),
    "suicidality": text_only("Suicidal ideation"),
    "myasthenia-gravis": text_only("Myasthenia gravis"),
    "dysphagia": text_only("Dysphagia"),
    "prostatic-hypertrophy": text_only("Benign prostatic hypertrophy"),
    "renal-impairment": text_only("Chronic kidney disease"),
    "hepatic-impairment": text_only("Hepatic impairment"),
    "epilepsy": text_only("Epilepsy"),
}

# Drugs by ingredient id (dystonia_cds.domain.patient); RxNorm only where the reference marks it verified
DRUGS: dict[str, Concept] = {
    "diazepam": coded(RXNORM, "3322", "diazepam"),  # [V][R73]
    "tetrabenazine": coded(RXNORM, "10390", "tetrabenazine"),  # [V][R73]
    "baclofen": coded(RXNORM, "1292", "baclofen"),  # [S][R74]
    "metoclopramide": coded(RXNORM, "6915", "metoclopramide"),  # [V][R73]
    "haloperidol": coded(RXNORM, "5093", "haloperidol"),  # [V][R73]
    "trihexyphenidyl": text_only("trihexyphenidyl 2 MG Oral Tablet"),
    "levodopa": text_only("carbidopa 25 MG / levodopa 100 MG Oral Tablet"),
    "clonazepam": text_only("clonazepam 0.5 MG Oral Tablet"),
    "benztropine": text_only("benztropine 1 MG Injection"),
    "diphenhydramine": text_only("diphenhydramine 50 MG Injection"),
    "prochlorperazine": text_only("prochlorperazine 10 MG Oral Tablet"),
    "risperidone": text_only("risperidone 2 MG Oral Tablet"),
    "zonisamide": text_only("zonisamide 100 MG Oral Capsule"),
    "onabotulinumtoxinA": text_only("onabotulinumtoxinA 100 UNT Injection"),
    "abobotulinumtoxinA": text_only("abobotulinumtoxinA 500 UNT Injection"),
    "incobotulinumtoxinA": text_only("incobotulinumtoxinA 100 UNT Injection"),
    "rimabotulinumtoxinB": text_only("rimabotulinumtoxinB 5000 UNT Injection"),
}

PROCEDURES: dict[str, Concept] = {
    "deep-brain-stimulation": text_only("Deep brain stimulation of globus pallidus"),
    "botulinum-toxin": text_only("Injection of botulinum toxin"),
}

# Genetic finding: LOINC 69548-6 (the FHIR input profile in DESIGN.md)
GENETIC_PANEL = coded(LOINC, "69548-6", "Genetic variant assessment")
GENE_STUDIED = coded(LOINC, "48018-6", "Gene studied [ID]")

# Work-up: Wilson disease excluded, written as a refuted Wilson disease Condition
WILSON_EXCLUDED = CONDITIONS["wilson-disease"]


def outcome(code: str) -> Concept:
    """A trial outcome in the project's CodeSystem."""
    return {"coding": [{"system": OUTCOME, "code": code}], "text": code}


def status(system: str, code: str) -> Concept:
    return {"coding": [{"system": system, "code": code}]}
