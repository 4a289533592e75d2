"""msgspec Structs for the lines of the hot resource types: only the fields the FHIR mapping
reads (`decode.typed_facts` applies the mapping's rules to them). Fields whose presence the
mapping tests (`"subject" in resource` ...) default to UNSET, so absent stays apart from null;
fields the typed path hands to the mapping's own functions are decoded as plain JSON (Any).
Sub-objects that repeat across many lines (codes, status concepts, body sites, an
administration's dosage) are kept as `msgspec.Raw` (their bytes, unparsed): the reader decodes
each distinct one once and memoises its reading on those bytes (`decode.Reader`)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Raw, UnsetType

ABSENT = Raw()  # the default of a Raw field: no such key in the line

HOT_TYPES = (
    "MedicationAdministration", "MedicationRequest", "MedicationStatement", "Procedure",
    "Condition", "Patient", "Observation",
)  # fmt: skip
PREFIXES = tuple(f'{{"resourceType":"{t}"'.encode() for t in HOT_TYPES)


class Coding(msgspec.Struct, gc=False):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class Concept(msgspec.Struct, gc=False):
    coding: list[Coding] | None = None
    text: str | None = None


class Ref(msgspec.Struct, gc=False):
    reference: str | None = None


class Period(msgspec.Struct, gc=False):
    start: str | None = None
    end: str | None = None


class Quantity(msgspec.Struct, gc=False):
    value: int | float | None = None
    unit: str | None = None
    code: str | None = None


class AdministrationDosage(msgspec.Struct, gc=False):
    route: Concept | None = None
    dose: Quantity | None = None


class _Line(msgspec.Struct, gc=False, tag_field="resourceType"):
    id: str | None = None
    status: str | None = None
    subject: Ref | UnsetType | None = UNSET  # presence matters (`"subject" in resource`)
    patient: Ref | None = None
    statusReason: Any = None
    note: Any = None


class _DrugLine(_Line):
    medicationCodeableConcept: Raw = ABSENT  # Concept | None
    authoredOn: str | None = None
    effectiveDateTime: str | UnsetType | None = UNSET
    effectivePeriod: Period | None = None
    dateAsserted: str | None = None
    extension: Any = None
    dosage: Any = None
    dosageInstruction: Any = None


class MedicationRequestLine(_DrugLine, tag="MedicationRequest"):
    pass


class MedicationStatementLine(_DrugLine, tag="MedicationStatement"):
    pass


class MedicationAdministrationLine(_DrugLine, tag="MedicationAdministration"):
    dosage: Raw = (
        ABSENT  # AdministrationDosage | None: the only fields an administration's dosage gives
    )


class ProcedureLine(_Line, tag="Procedure"):
    code: Raw = ABSENT  # Concept | None
    performedDateTime: str | None = None
    performedPeriod: Period | None = None
    outcome: Any = None
    usedCode: Any = None


class ConditionLine(_Line, tag="Condition"):
    verificationStatus: Raw = ABSENT  # Concept | None
    clinicalStatus: Raw = ABSENT  # Concept | None
    code: Raw = ABSENT  # Concept | None
    onsetDateTime: str | None = None
    onsetPeriod: Period | None = None
    onsetAge: Any = None
    recordedDate: Any = None  # dates an acute reaction without onset (read with the forms)
    bodySite: Raw = ABSENT  # Any
    extension: Any = None
    abatementDateTime: Any = UNSET  # presence matters (a Condition without clinicalStatus)
    abatementAge: Any = UNSET
    abatementPeriod: Any = UNSET
    abatementRange: Any = UNSET
    abatementString: Any = UNSET


class ObservationLine(_Line, tag="Observation"):
    """Only what decides that an Observation is not read (vital signs, labs ...): weights and
    genetic results are declined here and read by the generic way."""

    code: Raw = ABSENT  # Concept | None


class PatientLine(msgspec.Struct, gc=False, tag_field="resourceType", tag="Patient"):
    id: str | None = None
    birthDate: str | None = None
    gender: str | None = None
    deceasedBoolean: bool | None = None
    deceasedDateTime: str | None = None


Line = (
    MedicationRequestLine
    | MedicationStatementLine
    | MedicationAdministrationLine
    | ProcedureLine
    | ConditionLine
    | ObservationLine
    | PatientLine
)
