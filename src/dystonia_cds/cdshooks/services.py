"""The CDS Hooks services this package offers and their discovery document.

Prefetch templates use the standard forms `Patient/{{context.patientId}}` and
`Type?patient={{context.patientId}}`; the fallback fetch (prefetch.py) runs the same queries.
`dystonia-order-safety` answers two hooks; discovery lists it once per hook, with the same id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dystonia_cds import DISCLAIMER

TREATMENT_OPTIONS = "dystonia-treatment-options"
ORDER_SAFETY = "dystonia-order-safety"
PATIENT_TOKEN = "{{context.patientId}}"  # noqa: S105 - a prefetch token, not a secret

# prefetch key -> FHIR resource type; "patient" is a read, the others searches by patient.
PREFETCH_TYPES: dict[str, str] = {
    "patient": "Patient",
    "conditions": "Condition",
    "medicationRequests": "MedicationRequest",
    "medicationStatements": "MedicationStatement",
    "medicationAdministrations": "MedicationAdministration",
    "procedures": "Procedure",
    "observations": "Observation",
}


def prefetch_query(key: str, patient_id: str | None = None) -> str:
    """The prefetch template for a key, or the query itself when `patient_id` is given."""
    token = PATIENT_TOKEN if patient_id is None else patient_id
    resource_type = PREFETCH_TYPES[key]
    if resource_type == "Patient":
        return f"Patient/{token}"
    return f"{resource_type}?patient={token}"


PREFETCH_TEMPLATES: dict[str, str] = {key: prefetch_query(key) for key in PREFETCH_TYPES}


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hooks: tuple[str, ...]
    title: str
    description: str


SERVICES: dict[str, Service] = {
    TREATMENT_OPTIONS: Service(
        id=TREATMENT_OPTIONS,
        hooks=("patient-view",),
        title="Dystonia treatment options",
        description=(
            "Ranked, explained dystonia treatment options and safety alerts for the patient "
            "in view, with their cautions and sources. " + DISCLAIMER
        ),
    ),
    ORDER_SAFETY: Service(
        id=ORDER_SAFETY,
        hooks=("order-select", "order-sign"),
        title="Dystonia order safety",
        description=(
            "Checks draft orders against the patient: botulinum toxin sooner than 12 weeks, "
            "tetrabenazine with depression or suicidality, anticholinergics in older adults, "
            "benzodiazepine with an opioid, baclofen with renal impairment, dopamine blockers "
            "in dystonia, and the knowledge base's cautions. " + DISCLAIMER
        ),
    ),
}


def discovery_document() -> dict[str, Any]:
    """The `GET /cds-services` response: one entry per (service, hook)."""
    return {
        "services": [
            {
                "hook": hook,
                "id": service.id,
                "title": service.title,
                "description": service.description,
                "prefetch": dict(PREFETCH_TEMPLATES),
                "usageRequirements": (
                    "Send a JWT signed by a trusted issuer; prefetch every key, or send "
                    "fhirServer and fhirAuthorization."
                ),
            }
            for service in SERVICES.values()
            for hook in service.hooks
        ]
    }
