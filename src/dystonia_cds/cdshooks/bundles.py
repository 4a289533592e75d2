"""Reading prefetch values: a resource, a searchset Bundle (perhaps one page of several), an
OperationOutcome, or null. Plain dicts walked once, no model (PERFORMANCE.md); every problem is
an `InvalidInput` naming the place (`prefetch.conditions.entry[2].resource`).
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.cdshooks.services import PREFETCH_TYPES
from dystonia_cds.domain.errors import InvalidInput

OUTCOME = "OperationOutcome"
FAILED = frozenset({"error", "fatal"})  # OperationOutcome.issue.severity that voids a search


def collect_prefetch(
    prefetch: Any, patient_id: str
) -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
    """Resources from the prefetch object, the keys it did not supply, and the `next` links of
    the searchset pages it supplied only in part.

    A key that is absent, or holds an OperationOutcome (or a Bundle with an error outcome
    entry), is missing (the client could not or chose not to fetch it); `null` means the
    client found no data, which is a complete answer.
    """
    if prefetch is None:
        return [], list(PREFETCH_TYPES), {}
    if not isinstance(prefetch, dict):
        raise InvalidInput("prefetch must be a JSON object", location="prefetch")
    resources: list[dict[str, Any]] = []
    missing: list[str] = []
    pages: dict[str, str] = {}
    for key, resource_type in PREFETCH_TYPES.items():
        if key not in prefetch:
            missing.append(key)
            continue
        value = prefetch[key]
        if value is None:
            continue
        found = resources_of(value, f"prefetch.{key}")
        if found is None:
            missing.append(key)
            continue
        _check_types(found, resource_type, patient_id, f"prefetch.{key}")
        resources.extend(found)
        following = next_link(value)
        if following is not None:
            pages[key] = following
    return resources, missing, pages


def next_link(data: Any) -> str | None:
    """The `next` link of a Bundle page (any other value has none)."""
    if type(data) is not dict or "link" not in data or data.get("resourceType") != "Bundle":
        return None
    links = data["link"]
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if not isinstance(url, str) or not url:
                raise InvalidInput("a Bundle's next link has no url", location="Bundle.link")
            return url
    return None


def resources_of(value: Any, location: str) -> list[dict[str, Any]] | None:
    """The resources in a prefetch value (a resource or a Bundle); None for an OperationOutcome."""
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise InvalidInput(
            "must be a FHIR resource or Bundle (with resourceType) or null", location=location
        )
    kind = value["resourceType"]
    if kind == "OperationOutcome":
        return None
    if kind != "Bundle":
        return [value]
    found = bundle_resources(value, location)
    if len(found) < len(value.get("entry") or ()) and _failed(value):
        return None  # a search that reports an error in an outcome entry
    return found


def _failed(bundle: dict[str, Any]) -> bool:
    """Whether an OperationOutcome entry of the Bundle reports an error or a fatal issue."""
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] != OUTCOME:
            continue
        issues = resource.get("issue")
        for issue in issues if isinstance(issues, list) else ():
            if isinstance(issue, dict) and issue.get("severity") in FAILED:
                return True
    return False


def bundle_resources(bundle: dict[str, Any], location: str) -> list[dict[str, Any]]:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidInput("Bundle.entry must be a list", location=location)
    try:  # the usual shape in one pass; anything else is checked entry by entry below
        found = [e["resource"] for e in entries]
        if all(
            type(r) is dict and type(r["resourceType"]) is str and r["resourceType"] != OUTCOME
            for r in found
        ):
            return found
    except (KeyError, TypeError):
        pass
    found = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise InvalidInput(
                "must hold a FHIR resource with resourceType",
                location=f"{location}.entry[{index}].resource",
            )
        if resource["resourceType"] != "OperationOutcome":
            found.append(resource)
    return found


def _check_types(
    resources: list[dict[str, Any]], resource_type: str, patient_id: str, location: str
) -> None:
    if resource_type != "Patient":
        return
    for resource in resources:
        if resource["resourceType"] != "Patient":
            raise InvalidInput(
                f"expected a Patient, got {resource['resourceType']}", location=location
            )
        if resource.get("id") not in (None, patient_id):
            raise InvalidInput(
                f"Patient/{resource.get('id')} is not context.patientId", location=location
            )
