"""Write-back to the EHR, only where the token allows it and never silently: a recorded
injection visit (MedicationAdministration) or a rating-scale total (Observation) is shown to the
clinician first, sent on their click, and the EHR's answer is shown.

Codes only where the clinical reference marks them verified: the product's RxNorm code when the
vocabulary has a safe one (else text), and no LOINC for the scales (none was found: reference
§7.4), so a scale total carries the project's own code system and text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from dystonia_cds.api.fhir_export import UCUM, concept
from dystonia_cds.knowledge.vocabulary import load_vocabulary

SCALE_SYSTEM = "urn:dystonia-cds:rating-scale"
SCALE_NAMES = {"twstrs": "TWSTRS", "bfmdrs": "BFMDRS", "jrs": "Jankovic Rating Scale"}
TARGET = {"injection": "MedicationAdministration", "assessment": "Observation"}
_SCOPE = re.compile(r"^(patient|user)/(\*|[A-Za-z]+)\.([a-z*]+)$")
NOTE = "Recorded in dystonia-cds (clinical decision support) by the treating clinician."


def can_write(granted: str, resource_type: str) -> bool:
    """Whether granted scopes allow creating `resource_type` (v1 `.write`/`.*`, v2 `.c...`)."""
    for scope in granted.split():
        found = _SCOPE.match(scope)
        if found is None or found.group(2) not in ("*", resource_type):
            continue
        permission = found.group(3)
        if permission in ("write", "*") or (
            re.fullmatch(r"c?r?u?d?s?", permission) and "c" in permission
        ):
            return True
    return False


def injection_resource(visit: Any, ehr_patient_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": concept(load_vocabulary(), visit.product or "botulinum-toxin"),
        "subject": {"reference": f"Patient/{ehr_patient_id}"},
        "effectiveDateTime": visit.date.isoformat(),
        "note": [{"text": NOTE}],
    }
    dosage: dict[str, Any] = {"route": {"text": "intramuscular"}}
    if visit.total_units is not None:
        dosage["dose"] = {"value": visit.total_units, "unit": "U", "system": UCUM, "code": "U"}
    resource["dosage"] = dosage
    if visit.indication:
        resource["reasonCode"] = [{"text": visit.indication.replace("-", " ")}]
    return resource


def assessment_resource(assessment: Any, ehr_patient_id: str) -> dict[str, Any]:
    name = SCALE_NAMES.get(assessment.scale, assessment.scale.upper())
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": SCALE_SYSTEM, "code": assessment.scale, "display": name}],
            "text": f"{name} total score",
        },
        "subject": {"reference": f"Patient/{ehr_patient_id}"},
        "effectiveDateTime": assessment.date.isoformat(),
        "valueQuantity": {"value": assessment.total, "unit": "score"},
        "note": [{"text": NOTE}],
    }


def resource_for(kind: str, row: Any, ehr_patient_id: str) -> dict[str, Any]:
    if kind == "injection":
        return injection_resource(row, ehr_patient_id)
    return assessment_resource(row, ehr_patient_id)


@dataclass(frozen=True, slots=True)
class EhrAnswer:
    """What the EHR said to a create: its status, where it stored it, its message."""

    status: int
    location: str
    message: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


async def send(
    http: httpx.AsyncClient, iss: str, token: str, resource: dict[str, Any]
) -> EhrAnswer:
    try:
        response = await http.post(
            f"{iss}/{resource['resourceType']}",
            json=resource,
            headers={
                "authorization": f"Bearer {token}",
                "content-type": "application/fhir+json",
                "accept": "application/fhir+json",
            },
        )
    except httpx.HTTPError:
        return EhrAnswer(502, "", "The EHR's FHIR server could not be reached; nothing was stored.")
    return EhrAnswer(
        response.status_code, response.headers.get("location", "")[:500], _message(response)
    )


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    issues = body.get("issue") if isinstance(body, dict) else None
    texts = (
        [
            str(i.get("diagnostics") or (i.get("details") or {}).get("text") or "")
            for i in issues
            if isinstance(i, dict)
        ]
        if isinstance(issues, list)
        else []
    )
    return "; ".join(t for t in texts if t)[:500] or response.reason_phrase
