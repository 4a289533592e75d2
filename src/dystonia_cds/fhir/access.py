"""Small, pure, typed accessors over FHIR resources kept as plain dicts (cumulus-etl style).

Every accessor checks the JSON type it reads and raises `FhirInputError` naming the resource and
the field (e.g. `Condition/abc.onsetDateTime`) when the input is malformed. Missing elements are
not errors: they read as None or empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from dystonia_cds.domain.errors import FhirInputError

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATETIME_TAIL = re.compile(r"^(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def where(resource: dict[str, Any]) -> str:
    """`Type/id` of a resource, for messages."""
    rtype = resource.get("resourceType")
    rid = resource.get("id")
    return (
        f"{rtype if isinstance(rtype, str) else 'resource'}/{rid if isinstance(rid, str) else '?'}"
    )


def fail(resource: dict[str, Any], field: str, message: str) -> FhirInputError:
    return FhirInputError(message, location=f"{where(resource)}.{field}")


def get_dict(resource: dict[str, Any], obj: dict[str, Any], key: str, field: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(resource, field, f"must be an object, got {type(value).__name__}")
    return value


def get_list(resource: dict[str, Any], obj: dict[str, Any], key: str, field: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(resource, field, f"must be an array, got {type(value).__name__}")
    return value


def get_str(resource: dict[str, Any], obj: dict[str, Any], key: str, field: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise fail(resource, field, f"must be a string, got {type(value).__name__}")


def get_number(resource: dict[str, Any], obj: dict[str, Any], key: str, field: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(resource, field, f"must be a number, got {type(value).__name__}")
    return float(value)


def dicts(
    resource: dict[str, Any], obj: dict[str, Any], key: str, field: str
) -> Iterator[dict[str, Any]]:
    """The objects of an array element; a non-object item is an error."""
    for i, item in enumerate(get_list(resource, obj, key, field)):
        if not isinstance(item, dict):
            raise fail(resource, f"{field}[{i}]", f"must be an object, got {type(item).__name__}")
        yield item


def codings(
    resource: dict[str, Any], concept: dict[str, Any], field: str
) -> list[tuple[str, str, str]]:
    """(system, code, display) of each coding of a CodeableConcept; missing parts read as ''."""
    raw = concept.get("coding")
    if raw is None:
        return []
    if type(raw) is list:
        out: list[tuple[str, str, str]] = []
        for c in raw:
            if type(c) is not dict:
                return _codings_checked(resource, concept, field)
            system, code, display = (
                c.get("system") or "",
                c.get("code") or "",
                c.get("display") or "",
            )
            if type(system) is not str or type(code) is not str or type(display) is not str:
                return _codings_checked(resource, concept, field)
            out.append((system, code, display))
        return out
    return _codings_checked(resource, concept, field)


def _codings_checked(
    resource: dict[str, Any], concept: dict[str, Any], field: str
) -> list[tuple[str, str, str]]:
    """The slow path of `codings`: type-check every part and name the bad one."""
    out: list[tuple[str, str, str]] = []
    for i, coding in enumerate(dicts(resource, concept, "coding", f"{field}.coding")):
        loc = f"{field}.coding[{i}]"
        system = get_str(resource, coding, "system", f"{loc}.system") or ""
        code = get_str(resource, coding, "code", f"{loc}.code") or ""
        display = get_str(resource, coding, "display", f"{loc}.display") or ""
        out.append((system, code, display))
    return out


def concept_text(
    resource: dict[str, Any], concept: dict[str, Any], field: str, found: list[tuple[str, str, str]]
) -> str:
    """All human-readable text of a CodeableConcept: its text and its codings' displays."""
    text = get_str(resource, concept, "text", f"{field}.text") or ""
    displays = " | ".join(d for _, _, d in found if d)
    return f"{text} | {displays}" if displays else text


def status_code(resource: dict[str, Any], key: str) -> str | None:
    """The code of a status CodeableConcept (Condition.clinicalStatus, verificationStatus)."""
    concept = get_dict(resource, resource, key, key)
    for _, code, _ in codings(resource, concept, key):
        if code:
            return code
    return None


def parse_date(resource: dict[str, Any], value: Any, field: str) -> date | None:
    """A FHIR date or dateTime (partial dates read as the first day); impossible dates fail."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(resource, field, f"must be a date string, got {type(value).__name__}")
    m = _DATE.match(value)
    if m is None or not _DATETIME_TAIL.match(value[m.end() :]):
        raise fail(resource, field, f"is not a FHIR date: {value[:40]!r}")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        raise fail(resource, field, f"is an impossible date: {value[:40]!r}") from None


@lru_cache(maxsize=8192)
def cached_reference_key(value: str) -> str | None:
    if value.startswith("urn:uuid:"):
        return value[9:]
    if value.startswith("urn:oid:"):
        return value[8:]
    if value.startswith("#"):
        return value
    parts = value.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return parts[-1] or None


def reference_key(value: Any) -> str | None:
    """The id a reference points to: `Patient/123` -> `123`, `urn:uuid:abc` -> `abc`,
    `https://x/fhir/Patient/123/_history/2` -> `123`, `#med1` -> `#med1`."""
    if not isinstance(value, str) or not value:
        return None
    return cached_reference_key(value)


def reference(resource: dict[str, Any], key: str) -> str | None:
    """The key of a Reference element (`subject`, `patient`, `medicationReference`)."""
    ref = get_dict(resource, resource, key, key)
    return reference_key(get_str(resource, ref, "reference", f"{key}.reference"))


def patient_of(resource: dict[str, Any]) -> str:
    """The patient id a resource belongs to ('' when it names none)."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return rid if isinstance(rid, str) else ""
    key = "subject" if "subject" in resource else "patient"
    ref = resource.get(key)
    if ref is None:
        return ""
    if type(ref) is dict:
        value = ref.get("reference")
        if type(value) is str:
            return (cached_reference_key(value) if value else None) or ""
    return reference(resource, key) or ""  # the checked path names what is wrong


def period(resource: dict[str, Any], key: str) -> tuple[date | None, date | None]:
    value = get_dict(resource, resource, key, key)
    start = parse_date(resource, value.get("start"), f"{key}.start")
    end = parse_date(resource, value.get("end"), f"{key}.end")
    if start and end and end < start:
        raise fail(resource, f"{key}.end", "is before the period's start")
    return start, end


def effective(resource: dict[str, Any], prefix: str) -> tuple[date | None, date | None]:
    """`{prefix}DateTime` or `{prefix}Period` as (start, end)."""
    when = parse_date(resource, resource.get(f"{prefix}DateTime"), f"{prefix}DateTime")
    if when is not None:
        return when, when
    return period(resource, f"{prefix}Period")


def note_texts(resource: dict[str, Any]) -> list[str]:
    return [
        get_str(resource, n, "text", f"note[{i}].text") or ""
        for i, n in enumerate(dicts(resource, resource, "note", "note"))
    ]
