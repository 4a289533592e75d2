"""Reading a CDS Hooks request body: plain dicts decoded with orjson, checked by small functions.

No pydantic model over `prefetch` (PERFORMANCE.md): the prefetch Bundles are walked once to
collect their resources. Every problem is an `InvalidInput` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from dystonia_cds.cdshooks.evaluations import prefetch_digest
from dystonia_cds.cdshooks.services import PREFETCH_TYPES, Service
from dystonia_cds.domain.errors import InvalidInput

ORDER_HOOKS = frozenset({"order-select", "order-sign"})


@dataclass(slots=True)
class HookRequest:
    service_id: str
    hook: str
    patient_id: str
    context: dict[str, Any]
    fhir_server: str | None = None
    fhir_token: str | None = None
    resources: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # prefetch keys not supplied
    digest: bytes | None = None  # of the prefetch, when it supplied every key (cache key)


def decode_json(body: bytes) -> Any:
    if not body:
        raise InvalidInput("the request body is empty; a JSON object is expected")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON: {exc}") from exc


def parse_hook_request(body: bytes, service: Service) -> HookRequest:
    """Check the request's envelope and collect the prefetched resources."""
    data = decode_json(body)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    hook = data.get("hook")
    if hook not in service.hooks:
        expected = " or ".join(service.hooks)
        raise InvalidInput(f"hook {hook!r} is not served by {service.id} (expects {expected})")
    context = data.get("context")
    if not isinstance(context, dict):
        raise InvalidInput("context must be a JSON object", location="context")
    patient_id = context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise InvalidInput("context.patientId is missing or empty", location="context.patientId")
    request = HookRequest(service.id, str(hook), patient_id, context)
    request.fhir_server, request.fhir_token = _fhir_access(data)
    request.resources, request.missing = collect_prefetch(data.get("prefetch"), patient_id)
    if not request.missing:
        request.digest = prefetch_digest(data.get("prefetch"))
    return request


def _fhir_access(data: dict[str, Any]) -> tuple[str | None, str | None]:
    server = data.get("fhirServer")
    if server is not None and (
        not isinstance(server, str) or not server.startswith(("http://", "https://"))
    ):
        raise InvalidInput("fhirServer must be an http(s) URL", location="fhirServer")
    auth = data.get("fhirAuthorization")
    if auth is None:
        return server, None
    token = auth.get("access_token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidInput(
            "fhirAuthorization must be an object with an access_token",
            location="fhirAuthorization",
        )
    return server, token


def collect_prefetch(prefetch: Any, patient_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Resources from the prefetch object and the keys it did not supply.

    A key that is absent, or holds an OperationOutcome, is missing (the client could not or
    chose not to fetch it); `null` means the client found no data, which is a complete answer.
    """
    if prefetch is None:
        return [], list(PREFETCH_TYPES)
    if not isinstance(prefetch, dict):
        raise InvalidInput("prefetch must be a JSON object", location="prefetch")
    resources: list[dict[str, Any]] = []
    missing: list[str] = []
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
    return resources, missing


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
    return bundle_resources(value, location)


def bundle_resources(bundle: dict[str, Any], location: str) -> list[dict[str, Any]]:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidInput("Bundle.entry must be a list", location=location)
    found: list[dict[str, Any]] = []
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


def draft_orders(request: HookRequest) -> list[dict[str, Any]]:
    """The draft orders to check: all of `context.draftOrders`, or for order-select only the
    ones named in `context.selections` (when given)."""
    bundle = request.context.get("draftOrders")
    if bundle is None:
        raise InvalidInput(
            "context.draftOrders is required for order hooks", location="context.draftOrders"
        )
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidInput(
            "context.draftOrders must be a FHIR Bundle", location="context.draftOrders"
        )
    orders = bundle_resources(bundle, "context.draftOrders")
    selections = request.context.get("selections")
    if request.hook != "order-select" or not selections:
        return orders
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise InvalidInput(
            "context.selections must be a list of references", location="context.selections"
        )
    chosen = set(selections)
    selected = [o for o in orders if f"{o['resourceType']}/{o.get('id')}" in chosen]
    return selected or orders
