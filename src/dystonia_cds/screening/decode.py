"""Typed decoding of NDJSON lines: msgspec Structs naming only the fields the FHIR mapping reads.

A Bulk export line carries far more than the mapping reads (meta, identifier, encounter,
recorder, names, addresses ...). A tagged union of one Struct per resource type, keyed on
`resourceType`, lets msgspec skip everything else without building it, then
`compact_resource` hands the mapping a small dict holding exactly the fields it reads, with
their values decoded as plain JSON (null kept apart from absent). The mapping's handlers
read nothing else, so they return the same facts as on the whole resource (tested field by
field: tests/unit/screening/test_typed_decode.py).

The typed decoder declines (None) whatever it cannot take -- another resource type, a
non-object line, malformed JSON, a non-ASCII line that is not valid UTF-8 -- and the caller
then decodes the line with orjson as before, so errors are reported exactly as before.
One difference is by design: a number beyond the double range (e.g. `1e400`) inside a field
the mapping never reads is skipped here, where orjson refuses the whole line.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from msgspec import UNSET

_WHO = ("id", "subject", "patient")
_DRUG_USE = (
    *_WHO, "status", "medicationCodeableConcept", "medicationReference", "contained",
    "authoredOn", "effectiveDateTime", "effectivePeriod", "dateAsserted", "statusReason",
    "extension", "note", "dosage", "dosageInstruction",
)  # fmt: skip
# The top-level fields each handler of `dystonia_cds.fhir.extract` (and the screening check) reads.
READ_FIELDS: dict[str, tuple[str, ...]] = {
    "Patient": (*_WHO, "birthDate", "gender"),
    "Condition": (
        *_WHO,
        "verificationStatus",
        "clinicalStatus",
        "code",
        "abatementDateTime",
        "abatementAge",
        "abatementPeriod",
        "abatementRange",
        "abatementString",
        "onsetDateTime",
        "onsetPeriod",
        "onsetAge",
        "bodySite",
        "extension",
    ),
    "MedicationRequest": _DRUG_USE,
    "MedicationStatement": _DRUG_USE,
    "MedicationAdministration": _DRUG_USE,
    "Medication": (*_WHO, "code", "ingredient"),
    "Procedure": (
        *_WHO,
        "status",
        "code",
        "performedDateTime",
        "performedPeriod",
        "outcome",
        "statusReason",
        "note",
        "usedCode",
    ),
    "Observation": (
        *_WHO,
        "status",
        "code",
        "valueQuantity",
        "effectiveDateTime",
        "effectivePeriod",
        "valueCodeableConcept",
        "valueString",
        "component",
    ),
    "AllergyIntolerance": (*_WHO, "code", "verificationStatus", "clinicalStatus"),
}
_DECLINED = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, ValueError)


@cache
def _decoder() -> tuple[msgspec.json.Decoder[Any], dict[type, tuple[str, tuple[str, ...]]]]:
    structs = {
        msgspec.defstruct(
            f"{rtype}Line",
            [(name, Any, UNSET) for name in fields],
            tag_field="resourceType",
            tag=rtype,
            gc=False,
        ): (rtype, fields)
        for rtype, fields in READ_FIELDS.items()
    }
    union: Any = None
    for struct in structs:
        union = struct if union is None else union | struct
    return msgspec.json.Decoder(union), structs


def compact_resource(line: bytes) -> dict[str, Any] | None:
    """The fields of one NDJSON line the mapping reads, or None (then decode it with orjson)."""
    if not line.isascii():
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return None
    decoder, structs = _decoder()
    try:
        obj = decoder.decode(line)
    except _DECLINED:
        return None
    rtype, fields = structs[type(obj)]
    out: dict[str, Any] = {"resourceType": rtype}
    for name, value in zip(fields, msgspec.structs.astuple(obj), strict=True):
        if value is not UNSET:
            out[name] = value
    return out
