"""Line templates for the background of a health system's export, shaped on Synthea R4 records
(the Bundles in shared/interop/synthea-r4): Encounter, Claim, ExplanationOfBenefit,
Immunization, DiagnosticReport, vital-sign and laboratory Observations, Procedures, Conditions
and MedicationRequests with the fields and sizes real exports carry. Each template is one
JSON line with `%(name)s` slots filled per resource (bytes formatting: about a microsecond a
line, so a 100,000-patient export is written in seconds). Synthetic data only; the codes are
the common ones of Synthea's own output, used to make the files look real, never read as
clinical knowledge.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_SLOT = re.compile(rb"\{\{(\w+)\}\}")
_NUMBER = re.compile(rb'"\{\{#(\w+)\}\}"')
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
_META = {"lastUpdated": "{{when}}T10:00:00.000+00:00", "tag": [{"system": "urn:example:synthetic-data", "code": "synthetic"}]}  # fmt: skip


def template(resource: dict[str, Any]) -> bytes:
    """A JSON line with `"{{#x}}"` as a number slot and `{{x}}` as a text slot."""
    raw = orjson.dumps(resource).replace(b"%", b"%%")
    raw = _NUMBER.sub(rb"%(\1)s", raw)
    return _SLOT.sub(rb"%(\1)s", raw) + b"\n"


def _ref(kind: str, slot: str) -> dict[str, str]:
    return {"reference": f"{kind}/{{{{{slot}}}}}"}


def _coded(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _base(kind: str) -> dict[str, Any]:
    return {"resourceType": kind, "id": "{{rid}}", "meta": _META}


def encounter() -> bytes:
    return template(
        {
            **_base("Encounter"),
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [_coded(SNOMED, "{{etype}}", "{{edisplay}}")],
            "subject": _ref("Patient", "pid"),
            "participant": [
                {
                    "type": [_coded("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer")],
                    "period": {"start": "{{when}}T09:00:00+00:00", "end": "{{when}}T09:30:00+00:00"},
                    "individual": {"reference": "Practitioner/synthetic-gp-{{site}}", "display": "Dr. Synthetic"},
                }
            ],
            "period": {"start": "{{when}}T09:00:00+00:00", "end": "{{when}}T09:30:00+00:00"},
            "serviceProvider": {"reference": "Organization/synthetic-clinic-{{site}}", "display": "SYNTHETIC HEALTH CENTER"},
        }
    )  # fmt: skip


def _claim_item(n: int, slot: str) -> dict[str, Any]:
    return {
        "sequence": n,
        "productOrService": _coded(SNOMED, "{{" + slot + "}}", "Encounter for check up"),
        "encounter": [_ref("Encounter", "enc")],
    }


def claim() -> bytes:
    return template(
        {
            **_base("Claim"),
            "status": "active",
            "type": _coded("http://terminology.hl7.org/CodeSystem/claim-type", "professional", "professional"),
            "use": "claim",
            "patient": _ref("Patient", "pid"),
            "billablePeriod": {"start": "{{when}}T09:00:00+00:00", "end": "{{when}}T09:30:00+00:00"},
            "created": "{{when}}T09:30:00+00:00",
            "provider": {"reference": "Organization/synthetic-clinic-{{site}}"},
            "priority": _coded("http://terminology.hl7.org/CodeSystem/processpriority", "normal", "normal"),
            "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Synthetic Health Plan"}}],
            "item": [_claim_item(n, "etype") for n in (1, 2, 3)],
            "total": {"value": "{{#cost}}", "currency": "USD"},
        }
    )  # fmt: skip


def explanation_of_benefit() -> bytes:
    adjudication = [
        {"category": _coded("https://bluebutton.cms.gov/resources/codesystem/adjudication", code, code), "amount": {"value": "{{#cost}}", "currency": "USD"}}
        for code in ("https://bluebutton.cms.gov/resources/variables/line_coinsrnc_amt", "https://bluebutton.cms.gov/resources/variables/line_prvdr_pmt_amt", "https://bluebutton.cms.gov/resources/variables/line_sbmtd_chrg_amt", "https://bluebutton.cms.gov/resources/variables/line_alowd_chrg_amt")
    ]  # fmt: skip
    items = [{**_claim_item(n, "etype"), "servicedPeriod": {"start": "{{when}}T09:00:00+00:00", "end": "{{when}}T09:30:00+00:00"}, "locationCodeableConcept": _coded("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "19", "Off Campus-Outpatient Hospital"), "adjudication": adjudication} for n in (1, 2)]  # fmt: skip
    return template(
        {
            **_base("ExplanationOfBenefit"),
            "identifier": [{"system": "https://bluebutton.cms.gov/resources/variables/clm_id", "value": "{{rid}}"}],
            "status": "active",
            "type": _coded("http://terminology.hl7.org/CodeSystem/claim-type", "professional", "professional"),
            "use": "claim",
            "patient": _ref("Patient", "pid"),
            "billablePeriod": {"start": "{{when}}T09:00:00+00:00", "end": "{{when}}T09:30:00+00:00"},
            "created": "{{when}}T09:30:00+00:00",
            "insurer": {"display": "Synthetic Health Plan"},
            "provider": {"reference": "Practitioner/synthetic-gp-{{site}}"},
            "claim": _ref("Claim", "rid"),
            "outcome": "complete",
            "careTeam": [{"sequence": 1, "provider": {"reference": "Practitioner/synthetic-gp-{{site}}"}, "role": _coded("http://terminology.hl7.org/CodeSystem/claimcareteamrole", "primary", "Primary provider")}],
            "insurance": [{"focal": True, "coverage": {"reference": "Coverage/synthetic", "display": "Synthetic Health Plan"}}],
            "item": items,
            "total": [{"category": _coded("http://terminology.hl7.org/CodeSystem/adjudication", "submitted", "Submitted Amount"), "amount": {"value": "{{#cost}}", "currency": "USD"}}],
            "payment": {"amount": {"value": "{{#cost}}", "currency": "USD"}},
        }
    )  # fmt: skip


def observation(category: str) -> bytes:
    """A vital sign or laboratory result with a quantity value."""
    return template(
        {
            **_base("Observation"),
            "status": "final",
            "category": [_coded("http://terminology.hl7.org/CodeSystem/observation-category", category, category.replace("-", " ").title())],
            "code": _coded(LOINC, "{{code}}", "{{display}}"),
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "effectiveDateTime": "{{when}}T09:10:00+00:00",
            "issued": "{{when}}T09:10:00.000+00:00",
            "valueQuantity": {"value": "{{#value}}", "unit": "{{unit}}", "system": "http://unitsofmeasure.org", "code": "{{unit}}"},
        }
    )  # fmt: skip


def blood_pressure() -> bytes:
    def part(code: str, display: str, slot: str) -> dict[str, Any]:
        return {"code": _coded(LOINC, code, display), "valueQuantity": {"value": "{{#" + slot + "}}", "unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}  # fmt: skip

    return template(
        {
            **_base("Observation"),
            "status": "final",
            "category": [_coded("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital signs")],
            "code": _coded(LOINC, "85354-9", "Blood pressure panel with all children optional"),
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "effectiveDateTime": "{{when}}T09:10:00+00:00",
            "issued": "{{when}}T09:10:00.000+00:00",
            "component": [part("8462-4", "Diastolic Blood Pressure", "dia"), part("8480-6", "Systolic Blood Pressure", "sys")],
        }
    )  # fmt: skip


def immunization() -> bytes:
    return template(
        {
            **_base("Immunization"),
            "status": "completed",
            "vaccineCode": _coded(CVX, "{{code}}", "{{display}}"),
            "patient": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "occurrenceDateTime": "{{when}}T09:15:00+00:00",
            "primarySource": True,
        }
    )  # fmt: skip


def diagnostic_report() -> bytes:
    return template(
        {
            **_base("DiagnosticReport"),
            "status": "final",
            "category": [_coded("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
            "code": _coded(LOINC, "{{code}}", "{{display}}"),
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "effectiveDateTime": "{{when}}T09:10:00+00:00",
            "issued": "{{when}}T09:10:00.000+00:00",
            "result": [{"reference": "Observation/{{rid}}-" + str(n), "display": "{{display}}"} for n in range(1, 5)],
        }
    )  # fmt: skip


def procedure() -> bytes:
    return template(
        {
            **_base("Procedure"),
            "status": "completed",
            "code": _coded(SNOMED, "{{code}}", "{{display}}"),
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "performedPeriod": {"start": "{{when}}T09:12:00+00:00", "end": "{{when}}T09:27:00+00:00"},
        }
    )  # fmt: skip


def condition() -> bytes:
    return template(
        {
            **_base("Condition"),
            "clinicalStatus": _coded("http://terminology.hl7.org/CodeSystem/condition-clinical", "{{status}}", "{{status}}"),
            "verificationStatus": _coded("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "confirmed"),
            "category": [_coded("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")],
            "code": {"coding": [{"system": "{{system}}", "code": "{{code}}", "display": "{{display}}"}], "text": "{{display}}"},
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "onsetDateTime": "{{when}}T09:00:00+00:00",
            "recordedDate": "{{when}}T09:00:00+00:00",
        }
    )  # fmt: skip


def medication_request() -> bytes:
    return template(
        {
            **_base("MedicationRequest"),
            "status": "{{status}}",
            "intent": "order",
            "medicationCodeableConcept": _coded(RXNORM, "{{code}}", "{{display}}"),
            "subject": _ref("Patient", "pid"),
            "encounter": _ref("Encounter", "enc"),
            "authoredOn": "{{when}}T09:20:00+00:00",
            "requester": {"reference": "Practitioner/synthetic-gp-{{site}}", "display": "Dr. Synthetic"},
            "dosageInstruction": [{"sequence": 1, "timing": {"repeat": {"frequency": 1, "period": 1.0, "periodUnit": "d"}}, "asNeededBoolean": False}],
        }
    )  # fmt: skip


def patient(deceased: bool = False) -> bytes:
    """A Synthea-shaped Patient; `deceased` adds deceasedDateTime (slot `died`)."""
    line = template(
        {
            "resourceType": "Patient",
            "id": "{{pid}}",
            "meta": _META,
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Generated by a synthetic data generator</div>"},
            "extension": [
                {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "{{birthsex}}"},
                {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress": {"city": "Exampleton", "state": "ZZ", "country": "ZZ"}},
            ],
            "identifier": [
                {"system": "https://github.com/synthetichealth/synthea", "value": "{{pid}}"},
                {"type": _coded("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical Record Number"), "system": "http://hospital.example.org", "value": "{{pid}}"},
            ],
            "name": [{"use": "official", "family": "{{family}}", "given": ["{{given}}"], "prefix": ["{{prefix}}"]}],
            "telecom": [{"system": "phone", "value": "555-0100", "use": "home"}],
            "gender": "{{gender}}",
            "birthDate": "{{birth}}",
            "address": [{"line": ["{{street}} Synthetic Way"], "city": "Exampleton", "state": "ZZ", "postalCode": "00000", "country": "ZZ"}],
            "maritalStatus": _coded("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "M", "Married"),
            "communication": [{"language": _coded("urn:ietf:bcp:47", "en-US", "English")}],
        }
    )  # fmt: skip
    if deceased:
        line = line.replace(
            b',"address"', b',"deceasedDateTime":"%(died)sT08:00:00+00:00","address"'
        )
    return line


def text_only(kind: str, field: str, status: str) -> bytes:
    """A Condition, MedicationRequest or Procedure known by its text alone (slot `text`)."""
    extras: dict[str, dict[str, Any]] = {"Condition": {"clinicalStatus": _coded("http://terminology.hl7.org/CodeSystem/condition-clinical", status, status), "onsetDateTime": "{{when}}T09:00:00+00:00"}, "MedicationRequest": {"status": status, "intent": "order", "authoredOn": "{{when}}T09:20:00+00:00"}, "Procedure": {"status": status, "performedDateTime": "{{when}}T09:12:00+00:00"}}  # fmt: skip
    extra = extras[kind]
    return template(
        {**_base(kind), **extra, field: {"text": "{{text}}"}, "subject": _ref("Patient", "pid"), "encounter": _ref("Encounter", "enc")}
    )  # fmt: skip
