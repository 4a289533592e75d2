"""The CDS Hooks services this package offers and their discovery document.

Prefetch templates use the standard forms `Patient/{{context.patientId}}` and
`Type?patient={{context.patientId}}`; Observations are asked for by the LOINC codes the mapping
reads (body weight, genetic variant assessment), not all of them. The fallback fetch
(prefetch.py) runs the same queries. One service id per hook (DESIGN.md): the reference CDS
client keys services by id and keeps one hook per id, so `order-select` and `order-sign` have
their own ids and run the same order checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dystonia_cds import DISCLAIMER
from dystonia_cds.fhir.observations import BODY_WEIGHT, GENETIC

TREATMENT_OPTIONS = "dystonia-treatment-options"
ORDER_SAFETY = "dystonia-order-safety"
ORDER_SELECT = "dystonia-order-select"
LOINC = "http://loinc.org"
OBSERVATION_CODES = (
    BODY_WEIGHT,
    GENETIC,
)  # the Observations the mapping reads (fhir/observations.py)
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
    if resource_type == "Observation":
        codes = ",".join(f"{LOINC}|{code}" for code in OBSERVATION_CODES)
        return f"Observation?patient={token}&code={codes}"
    return f"{resource_type}?patient={token}"


PREFETCH_TEMPLATES: dict[str, str] = {key: prefetch_query(key) for key in PREFETCH_TYPES}


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hook: str
    title: str
    description: str

    @property
    def hooks(self) -> tuple[str, ...]:
        return (self.hook,)

    @property
    def orders(self) -> bool:
        """Whether the service checks draft orders (order-select, order-sign)."""
        return self.hook != "patient-view"


_ORDER_CHECKS = (
    "Checks draft orders against the patient: botulinum toxin sooner than 12 weeks, "
    "tetrabenazine with depression or suicidality, anticholinergics in older adults, "
    "benzodiazepine with an opioid, baclofen with renal impairment, dopamine blockers "
    "in dystonia, and the knowledge base's cautions."
)

SERVICES: dict[str, Service] = {
    TREATMENT_OPTIONS: Service(
        id=TREATMENT_OPTIONS,
        hook="patient-view",
        title="Dystonia treatment options",
        description=(
            "Ranked, explained dystonia treatment options and safety alerts for the patient "
            "in view, with their cautions and sources. " + DISCLAIMER
        ),
    ),
    ORDER_SAFETY: Service(
        id=ORDER_SAFETY,
        hook="order-sign",
        title="Dystonia order safety (at signing)",
        description=_ORDER_CHECKS + " Called when orders are signed. " + DISCLAIMER,
    ),
    ORDER_SELECT: Service(
        id=ORDER_SELECT,
        hook="order-select",
        title="Dystonia order safety (when an order is chosen)",
        description=_ORDER_CHECKS + " Called when an order is selected. " + DISCLAIMER,
    ),
}


def discovery_document() -> dict[str, Any]:
    """The `GET /cds-services` response: one entry per service (each serves one hook)."""
    return {
        "services": [
            {
                "hook": service.hook,
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
        ]
    }
