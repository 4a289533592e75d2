"""Suggestions whose actions create FHIR resources for an option.

Drugs become a MedicationRequest (intent `proposal`, status `draft`) coded in RxNorm only when
the vocabulary has a *verified* code to emit (`vocab.emit_code`), otherwise named by text
alone. Procedures and referrals become a ServiceRequest, coded in SNOMED CT on the same
condition. No dose is suggested: the dose is the prescriber's decision (see the card detail).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dystonia_cds.cdshooks.cardids import random_uuid
from dystonia_cds.domain.recommendation import Option

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"

# option id -> what the ServiceRequest asks for (procedures and referrals)
SERVICE_TEXT: Mapping[str, str] = {
    "botulinum-toxin": "Botulinum toxin injection (product-specific units; not sooner than 12 weeks after the last)",
    "rehabilitation-therapy": "Physical and occupational therapy referral for dystonia",
    "deep-brain-stimulation": "Referral for deep brain stimulation evaluation (movement disorders team)",
    "intrathecal-baclofen": "Referral for intrathecal baclofen evaluation",
}
# Rehabilitation is proposed as two referrals, each with its SNOMED CT code (reference §7.2,
# verified: SNOMED GPS R75, VSAC R77; the same codes are in vocabulary/procedures.toml)
REFERRALS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "rehabilitation-therapy": (
        ("308447003", "Referral to physiotherapist"),
        ("308453003", "Referral to occupational therapist"),
    ),
}
# option id -> ingredient id, where the option is one drug
DRUG_OF_OPTION: Mapping[str, str] = {
    "diphenhydramine": "diphenhydramine",
    "benztropine": "benztropine",
    "levodopa-trial": "levodopa",
    "trihexyphenidyl": "trihexyphenidyl",
    "clonazepam": "clonazepam",
    "baclofen": "baclofen",
    "tetrabenazine": "tetrabenazine",
}
# alert id -> the options whose orders the alert card offers (only those the engine ranks
# positive for this patient are offered, so e.g. benztropine is not proposed under 3 years)
ALERT_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "acute-dystonic-reaction": ("diphenhydramine", "benztropine"),
    "levodopa-trial-missing": ("levodopa-trial",),
    "dbs-evaluation": ("deep-brain-stimulation",),
    "botulinum-toxin-due": ("botulinum-toxin",),
    "botulinum-toxin-overdue": ("botulinum-toxin",),
}
# alert id -> drug classes whose active orders the card offers to stop (the clinician chooses:
# none is recommended); `contraindicated-drug-in-use` offers the drugs of contraindicated options
ALERT_DRUG_CLASSES: Mapping[str, frozenset[str]] = {
    "anticholinergic-older-adult": frozenset({"anticholinergic", "first-generation-antihistamine"}),
    "tetrabenazine-depression": frozenset({"vmat2-inhibitor"}),
}
IN_USE_ALERT = "contraindicated-drug-in-use"
# alert id -> what a text-only ServiceRequest asks for (no verified code: text alone)
ALERT_SERVICES: Mapping[str, str] = {
    # [R55][R55c]: the tests that exclude Wilson disease
    "wilson-disease-screen": (
        "Wilson disease work-up: serum ceruloplasmin, basal 24-hour urine copper, slit-lamp "
        "examination for Kayser-Fleischer rings, ATP7B testing"
    ),
}
# the alerts whose cards carry their action as a suggestion (when the order can be made here)
CARD_ACTION_ALERTS = frozenset({*ALERT_OPTIONS, *ALERT_DRUG_CLASSES, *ALERT_SERVICES, IN_USE_ALERT})
NOTE = (
    "Proposed by dystonia-cds (decision support); dose and schedule are the clinician's decision."
)

EmitCode = Callable[[str], Any]


def coding_dict(coding: Any) -> dict[str, str]:
    """A FHIR Coding as a dict, from the vocabulary's Coding object (or a dict)."""
    if isinstance(coding, Mapping):
        return {k: str(v) for k, v in coding.items() if v and k in ("system", "code", "display")}
    fields = {k: getattr(coding, k, None) for k in ("system", "code", "display")}
    return {k: str(v) for k, v in fields.items() if v}


@dataclass(frozen=True, slots=True)
class SuggestionMaker:
    """Builds suggestions for options; `emit_code(concept_id)` gives verified codes only."""

    emit_code: EmitCode
    labels: Mapping[str, str]  # ingredient/procedure id -> display label

    def for_option(self, option: Option, patient_id: str) -> list[dict[str, Any]]:
        if option.id in REFERRALS:
            label = f"Order: {option.title}"
            actions = [
                {"type": "create", "description": f"{display} (dystonia)", "resource": r}
                for r, display in self.referrals(option.id, patient_id)
            ]
            return [suggestion(label, actions, recommended=option.strength.is_positive)]
        if option.id in SERVICE_TEXT:
            resource = self.service_request(option.id, patient_id)
            label = f"Order: {option.title}"
        elif option.id in DRUG_OF_OPTION:
            resource = self.medication_request(DRUG_OF_OPTION[option.id], patient_id)
            label = f"Propose {resource['medicationCodeableConcept']['text']}"
        else:
            return []
        action = {"type": "create", "description": label, "resource": resource}
        return [suggestion(label, [action], recommended=option.strength.is_positive)]

    def concept(self, concept_id: str, system: str, text: str) -> dict[str, Any]:
        concept: dict[str, Any] = {"text": text}
        coding = self.emit_code(concept_id)
        if coding is not None:
            as_dict = coding_dict(coding)
            if as_dict.get("system") == system and as_dict.get("code"):
                concept["coding"] = [as_dict]
        return concept

    def medication_request(self, ingredient: str, patient_id: str) -> dict[str, Any]:
        text = self.labels.get(ingredient, ingredient)
        return {
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "proposal",
            "subject": {"reference": f"Patient/{patient_id}"},
            "medicationCodeableConcept": self.concept(ingredient, RXNORM, text),
            "note": [{"text": NOTE}],
        }

    def service_request(self, option_id: str, patient_id: str) -> dict[str, Any]:
        return {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": self.concept(option_id, SNOMED, SERVICE_TEXT[option_id]),
            "note": [{"text": NOTE}],
        }

    def referrals(self, option_id: str, patient_id: str) -> list[tuple[dict[str, Any], str]]:
        """One ServiceRequest per referral, coded in SNOMED CT (verified codes only)."""
        out = []
        for code, display in REFERRALS[option_id]:
            resource = {
                "resourceType": "ServiceRequest",
                "status": "draft",
                "intent": "proposal",
                "subject": {"reference": f"Patient/{patient_id}"},
                "code": {
                    "coding": [{"system": SNOMED, "code": code, "display": display}],
                    "text": f"{display} for dystonia",
                },
                "note": [{"text": NOTE}],
            }
            out.append((resource, display))
        return out

    def for_alert_service(self, alert_id: str, patient_id: str) -> list[dict[str, Any]]:
        """The text-only ServiceRequest an alert asks for (`ALERT_SERVICES`), if any."""
        text = ALERT_SERVICES.get(alert_id)
        if text is None:
            return []
        resource = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {"text": text},
            "note": [{"text": NOTE}],
        }
        label = f"Order: {text.split(':')[0]}"
        action = {"type": "create", "description": label, "resource": resource}
        return [suggestion(label, [action], recommended=True)]


def suggestion(label: str, actions: list[dict[str, Any]], *, recommended: bool) -> dict[str, Any]:
    return {
        "label": label[:200],
        "uuid": random_uuid(),
        "isRecommended": recommended,
        "actions": actions,
    }


def delete_order_suggestion(references: list[str], label: str) -> dict[str, Any]:
    """A suggestion removing the given orders (e.g. the drug that caused the reaction)."""
    actions = [
        {"type": "delete", "description": f"Remove {ref}", "resourceId": ref} for ref in references
    ]
    return suggestion(label, actions, recommended=True)
