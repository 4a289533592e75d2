"""Turn an independent golden case (TOML) into a FHIR R4 Bundle (synthetic patients only).

A case describes the patient at the FHIR level (codes, texts, statuses, dates), so running it
exercises the code mapping as well as the engine. Keys (all optional unless noted):

- `[patient]`: `birth_date`, `gender`, `weight_kg` (an Observation on the evaluation date).
- `[[conditions]]`: `icd10` (+ `icd10_display`), `snomed` (+ `snomed_display`), `text`,
  `clinical_status` ("active"), `verification_status` ("confirmed"), `onset`, `onset_age`
  (years), `recorded`, `abatement`, `body_site_texts`, and the phenotype axes `distribution`,
  `association`, `etiology`, `course`, `variability` (extensions of the FHIR input profile).
- `[[medications]]`: `resource` ("MedicationStatement" | "MedicationRequest" |
  "MedicationAdministration"), `rxnorm` (+ `display`), `text`, `status`, `start`, `end`,
  `outcome` (urn:dystonia-cds:trial-outcome), `dose_mg` + `per_day`, `route`, `units` (toxin).
- `[[procedures]]`: `text`, `date`, `status` ("completed"), `outcome`.
- `[[observations]]`: `gene` + `value` ("Present" | "Absent" | text), or `loinc` + `display`
  + `value` + `unit`.
- `[[allergies]]`: `text` (e.g. "Botulinum toxin").
"""

from __future__ import annotations

from datetime import date
from typing import Any

import fhir_builders as fb

Resource = dict[str, Any]
AXES = ("distribution", "association", "etiology", "course")
# The keys each part of a case may use (a misplaced or misspelt key is a test failure).
CASE_KEYS = frozenset(
    {"description", "reference", "on", "history", "patient", "conditions", "medications"}
    | {"procedures", "observations", "allergies", "expect", "disagreement"}
)
PART_KEYS = {
    "patient": frozenset({"birth_date", "gender", "weight_kg"}),
    "conditions": frozenset(
        {"icd10", "icd10_display", "snomed", "snomed_display", "text", "clinical_status"}
        | {"verification_status", "onset", "onset_age", "recorded", "abatement"}
        | {"body_site_texts", "variability", *AXES}
    ),
    "medications": frozenset(
        {"resource", "rxnorm", "display", "text", "status", "start", "end", "date", "outcome"}
        | {"dose_mg", "per_day", "route", "units"}
    ),
    "procedures": frozenset({"text", "date", "status", "outcome"}),
    "observations": frozenset({"gene", "value", "loinc", "display", "unit", "date"}),
    "allergies": frozenset({"text"}),
}


def case_bundle(case: dict[str, Any]) -> Resource:
    """The case's patient and resources as one collection Bundle."""
    on: date = case["on"]
    resources = [_patient(case["patient"])]
    if "weight_kg" in case["patient"]:
        resources.append(fb.weight_observation(case["patient"]["weight_kg"], when=str(on)))
    resources += [_condition(c) for c in case.get("conditions", [])]
    resources += [_medication(m) for m in case.get("medications", [])]
    resources += [_procedure(p) for p in case.get("procedures", [])]
    resources += [_observation(o) for o in case.get("observations", [])]
    resources += [
        fb.allergy_intolerance(fb.text_only(a["text"])) for a in case.get("allergies", [])
    ]
    return fb.bundle(*resources)


def _patient(p: dict[str, Any]) -> Resource:
    birth = p.get("birth_date")
    return fb.patient(birth_date=str(birth) if birth else None, gender=p.get("gender", "unknown"))


def _code(item: dict[str, Any], display_key: str = "display") -> Resource:
    codings = []
    if "icd10" in item:
        codings.append(fb.coding(fb.ICD10CM, item["icd10"], item.get("icd10_display")))
    if "snomed" in item:
        codings.append(fb.coding(fb.SNOMED, item["snomed"], item.get("snomed_display")))
    if "rxnorm" in item:
        codings.append(fb.coding(fb.RXNORM, item["rxnorm"], item.get(display_key)))
    return fb.concept(*codings, text=item.get("text"))


def _condition(c: dict[str, Any]) -> Resource:
    extra: dict[str, Any] = {}
    if "onset" in c:
        extra["onsetDateTime"] = str(c["onset"])
    if "onset_age" in c:
        extra["onsetAge"] = _age(c["onset_age"])
    if "recorded" in c:
        extra["recordedDate"] = str(c["recorded"])
    if "abatement" in c:
        extra["abatementDateTime"] = str(c["abatement"])
    extensions = [fb.phenotype_extension(axis, c[axis]) for axis in AXES if axis in c]
    extensions += [fb.phenotype_extension("variability", v) for v in c.get("variability", [])]
    if extensions:
        extra["extension"] = extensions
    sites = [fb.text_only(s) for s in c.get("body_site_texts", [])]
    return fb.condition(
        _code(c),
        clinical=c.get("clinical_status", "active"),
        verification=c.get("verification_status", "confirmed"),
        body_sites=sites or None,
        **extra,
    )


def _age(years: float) -> Resource:
    return {"value": years, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}


def _medication(m: dict[str, Any]) -> Resource:
    kind = m.get("resource", "MedicationStatement")
    builder = {
        "MedicationStatement": _statement,
        "MedicationRequest": _request,
        "MedicationAdministration": _administration,
    }[kind]
    return builder(m)


def _dosage(m: dict[str, Any]) -> list[Resource] | None:
    if "dose_mg" not in m:
        return None
    return [fb.dose_instruction(m["dose_mg"], m["per_day"], route=m.get("route"))]


def _statement(m: dict[str, Any]) -> Resource:
    extra: dict[str, Any] = {}
    if "outcome" in m:
        extra["statusReason"] = [fb.outcome(m["outcome"])]
    if (dosage := _dosage(m)) is not None:
        extra["dosage"] = dosage
    return fb.medication_statement(
        _code(m),
        status=m.get("status", "active"),
        start=_text_date(m.get("start")),
        end=_text_date(m.get("end")),
        **extra,
    )


def _request(m: dict[str, Any]) -> Resource:
    extra: dict[str, Any] = {}
    if "outcome" in m:
        extra["statusReason"] = fb.outcome(m["outcome"])
    if (dosage := _dosage(m)) is not None:
        extra["dosageInstruction"] = dosage
    return fb.medication_request(
        _code(m), status=m.get("status", "active"), authored=_text_date(m.get("start")), **extra
    )


def _administration(m: dict[str, Any]) -> Resource:
    extra: dict[str, Any] = {}
    if "outcome" in m:
        extra["statusReason"] = [fb.outcome(m["outcome"])]
    return fb.medication_administration(
        _code(m),
        when=str(m.get("start", m.get("date"))),
        status=m.get("status", "completed"),
        units=m.get("units"),
        route=m.get("route"),
        **extra,
    )


def _procedure(p: dict[str, Any]) -> Resource:
    extra: dict[str, Any] = {}
    if "outcome" in p:
        extra["outcome"] = fb.outcome(p["outcome"])
    return fb.procedure(
        fb.text_only(p["text"]), when=str(p["date"]), status=p.get("status", "completed"), **extra
    )


def _observation(o: dict[str, Any]) -> Resource:
    if "gene" in o:
        return fb.gene_observation(o["gene"], o.get("value", "Present"))
    return {
        "resourceType": "Observation",
        "id": f"lab-{o['loinc']}",
        "status": "final",
        "code": fb.concept(fb.coding(fb.LOINC, o["loinc"], o.get("display"))),
        "subject": fb.subject(),
        "effectiveDateTime": str(o["date"]),
        "valueQuantity": {"value": o["value"], "unit": o["unit"]},
    }


def _text_date(value: date | None) -> str | None:
    return None if value is None else str(value)
