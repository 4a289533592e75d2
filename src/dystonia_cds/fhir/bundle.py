"""Read one patient's FHIR R4 Bundle (collection, searchset or transaction) into a record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.fhir.access import reference_key
from dystonia_cds.fhir.mapping import build_record
from dystonia_cds.knowledge.vocabulary import load_vocabulary

BUNDLE_TYPES = frozenset({"collection", "searchset", "transaction", "batch", "document"})


def decode(data: bytes | dict[str, Any], source: str) -> dict[str, Any]:
    """JSON bytes (or an already decoded dict) -> the Bundle object."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise FhirInputError(f"not JSON ({exc})", location=source) from exc
    if not isinstance(data, dict):
        raise FhirInputError(f"not a FHIR Bundle (a JSON {type(data).__name__})", location=source)
    return data


def read_bundle(data: bytes | dict[str, Any], *, source: str) -> PatientRecord:
    """The record of the one patient in a Bundle; `source` names the input in error messages.

    Raises `FhirInputError` (one line naming source, resource and field) for malformed input.
    Unknown but well-formed content is listed in `PatientRecord.unrecognized` instead.
    """
    bundle = decode(data, source)
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        raise FhirInputError(
            f"not a FHIR Bundle (resourceType {str(rtype)[:40]!r})", location=source
        )
    btype = bundle.get("type")
    if not isinstance(btype, str) or btype not in BUNDLE_TYPES:
        raise FhirInputError(
            f"Bundle.type must be collection, searchset or transaction, got {str(btype)[:40]!r}",
            location=source,
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise FhirInputError("Bundle.entry must be an array", location=source)
    aliases: set[str] = set()
    resources = list(_resources(entries, source, aliases))
    return build_record(resources, load_vocabulary(), source=source, aliases=frozenset(aliases))


def _resources(entries: list[Any], source: str, aliases: set[str]) -> Iterator[dict[str, Any]]:
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise FhirInputError(f"Bundle.entry[{i}] must be an object", location=source)
        resource = entry.get("resource")
        if resource is None:
            continue  # e.g. a transaction DELETE entry: nothing to read
        if not isinstance(resource, dict):
            raise FhirInputError(f"Bundle.entry[{i}].resource must be an object", location=source)
        yield _with_id(resource, entry.get("fullUrl"), aliases)


def _with_id(resource: dict[str, Any], full_url: Any, aliases: set[str]) -> dict[str, Any]:
    """Give a resource without id the key of its fullUrl; remember fullUrl keys of the Patient."""
    rid = resource.get("id")
    if rid is not None and resource.get("resourceType") != "Patient":
        return resource
    key = reference_key(full_url) if isinstance(full_url, str) else None
    if key is None:
        return resource
    if rid is None:
        return {**resource, "id": key}
    if resource.get("resourceType") == "Patient" and key != rid:
        aliases.add(key)
    return resource
