"""Reading a CDS Hooks request body: plain dicts decoded with orjson, checked by small functions.

No pydantic model over `prefetch` (PERFORMANCE.md): the prefetch Bundles are walked once to
collect their resources (`bundles.py`). Every problem is an `InvalidInput` naming the field:
a missing `hookInstance`, a `context.patientId` that is not a FHIR id, a `fhirServer` that is
not an http(s) base URL, a `context` nested over `MAX_CONTEXT_DEPTH` levels.

Reading happens in two steps, so that a repeated prefetch is not decoded again:
`read_envelope` splits the top-level object with msgspec, keeping `prefetch` as its raw bytes
(their digest keys the evaluation cache), and decodes every other member with orjson;
`load_prefetch` decodes and checks the prefetch, and is skipped when the cache already holds
the evaluation of those same bytes for that patient (they were decoded and checked when it was
stored). Whatever the split does not take (a member the envelope does not name, a body msgspec
refuses) and every error take the reference path -- orjson over the whole body -- so answers and
messages are those of reading the whole body at once (tested, hypothesis included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import msgspec
import orjson

from dystonia_cds.cdshooks.bundles import bundle_resources, collect_prefetch
from dystonia_cds.cdshooks.evaluations import prefetch_digest, raw_digest
from dystonia_cds.cdshooks.issuers import normal_base
from dystonia_cds.cdshooks.services import Service
from dystonia_cds.domain.errors import InvalidInput

ORDER_HOOKS = frozenset({"order-select", "order-sign"})
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # FHIR R4 id
TOO_DEEP = "the request body is nested too deeply"
MAX_CONTEXT_DEPTH = 64  # context (draft orders: FHIR resources) nests far less
_NULL = msgspec.Raw(b"null")


class _Envelope(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """The CDS Hooks 2.0 request members, each as its raw JSON (absent reads as null)."""

    hook: msgspec.Raw = _NULL
    hook_instance: msgspec.Raw = _NULL
    fhir_server: msgspec.Raw = _NULL
    fhir_authorization: msgspec.Raw = _NULL
    context: msgspec.Raw = _NULL
    prefetch: msgspec.Raw = _NULL


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_MEMBERS = {  # member -> attribute of _Envelope
    "hook": "hook",
    "hookInstance": "hook_instance",
    "fhirServer": "fhir_server",
    "fhirAuthorization": "fhir_authorization",
    "context": "context",
}


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
    pages: dict[str, str] = field(default_factory=dict)  # key -> next link of a paged prefetch
    digest: bytes | None = None  # of the prefetch, when it supplied every key (cache key)
    prefetch: Any = None  # the decoded prefetch, until `load_prefetch` reads it
    raw_prefetch: bytes | None = None  # its raw JSON, when `read_envelope` split the body
    body: bytes = b""  # the whole body (an error in the raw prefetch is reported against it)


def decode_json(body: bytes) -> Any:
    if not body:
        raise InvalidInput("the request body is empty; a JSON object is expected")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON: {exc}") from exc
    except RecursionError:
        raise InvalidInput(TOO_DEEP) from None


def too_deep(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests arrays and objects more than `limit` levels deep
    (iterative: no recursion however deep the value is)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_hook_request(body: bytes, service: Service) -> HookRequest:
    """Check the request's envelope and collect the prefetched resources."""
    request = read_envelope(body, service)
    load_prefetch(request)
    return request


def read_envelope(body: bytes, service: Service, *, split: bool = True) -> HookRequest:
    """The checked envelope; the prefetch is read by `load_prefetch`. `digest` is a candidate
    cache key until then (`load_prefetch` drops it when a prefetch key is missing).
    `split=False` takes the reference path (the whole body decoded by orjson)."""
    members = _split(body) if split else None
    if members is not None:
        data, raw = members
        try:
            request = _request(data, service)
        except InvalidInput:
            pass  # the whole body decides which error comes first
        else:
            request.raw_prefetch, request.body = raw, body
            request.digest = raw_digest(raw)
            return request
    data = decode_json(body)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    request = _request(data, service)
    request.prefetch = data.get("prefetch")
    request.digest = prefetch_digest(request.prefetch)
    return request


def _split(body: bytes) -> tuple[dict[str, Any], bytes] | None:
    """The members but `prefetch` decoded (orjson) and `prefetch` raw; None when the body is not
    a plain envelope: a member the envelope does not name, a body msgspec refuses, or a member
    given twice (msgspec keeps the last without checking the others' strings as orjson does)."""
    try:
        envelope = _ENVELOPE.decode(body)
        raws = {key: getattr(envelope, attr) for key, attr in _MEMBERS.items()}
        raws["prefetch"] = envelope.prefetch
        given = {key: bytes(raw) for key, raw in raws.items() if raw is not _NULL}
        if not _each_once(body, given):
            return None
        data = {key: _member(raws[key]) for key in _MEMBERS}
    except (msgspec.MsgspecError, ValueError, RecursionError):  # orjson's decode errors too
        return None
    return data, given.get("prefetch", b"null")


def _each_once(body: bytes, given: dict[str, bytes]) -> bool:
    """Whether the body holds nothing but these members (each once) and whitespace: its bytes
    other than whitespace are exactly those of the members written compactly."""
    compact = 1 + sum(len(key) + 4 + len(raw) for key, raw in given.items())  # "k":v, and {}
    if len(body) == compact:
        return True
    blank = _blank(body) - sum(_blank(raw) for raw in given.values())
    return len(body) - blank == compact


def _blank(data: bytes) -> int:
    """How many bytes are JSON whitespace."""
    return len(data) - len(data.translate(None, b" \t\n\r"))


def _member(raw: msgspec.Raw | bytes) -> Any:
    """A member's value, decoded as deep in brackets as it sits in the body."""
    return orjson.loads(b"[" + bytes(raw) + b"]")[0]


def _request(data: dict[str, Any], service: Service) -> HookRequest:
    hook = data.get("hook")
    if hook not in service.hooks:
        expected = " or ".join(service.hooks)
        raise InvalidInput(f"hook {hook!r} is not served by {service.id} (expects {expected})")
    instance = data.get("hookInstance")
    if not isinstance(instance, str) or not instance.strip():
        raise InvalidInput("hookInstance is missing or empty", location="hookInstance")
    context = data.get("context")
    if not isinstance(context, dict):
        raise InvalidInput("context must be a JSON object", location="context")
    if too_deep(context, MAX_CONTEXT_DEPTH):
        raise InvalidInput(f"{TOO_DEEP} (over {MAX_CONTEXT_DEPTH} levels)", location="context")
    patient_id = context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise InvalidInput("context.patientId is missing or empty", location="context.patientId")
    if not FHIR_ID.fullmatch(patient_id):
        raise InvalidInput(
            "context.patientId is not a FHIR id (1-64 letters, digits, '-' or '.')",
            location="context.patientId",
        )
    request = HookRequest(service.id, str(hook), patient_id, context)
    request.fhir_server, request.fhir_token = _fhir_access(data)
    return request


def load_prefetch(request: HookRequest) -> None:
    """Decode and check the prefetch; collect its resources and the keys it lacks."""
    prefetch = request.prefetch
    if request.raw_prefetch is not None:
        try:
            prefetch = _member(request.raw_prefetch)
        except orjson.JSONDecodeError:
            decode_json(request.body)  # raises, naming the place in the whole body
            raise  # pragma: no cover - the whole body holds the same bad member
        except RecursionError:
            raise InvalidInput(TOO_DEEP) from None
        request.raw_prefetch = None
    request.prefetch = None
    request.resources, request.missing, request.pages = collect_prefetch(
        prefetch, request.patient_id
    )
    if request.missing or request.pages:
        request.digest = None


def _fhir_access(data: dict[str, Any]) -> tuple[str | None, str | None]:
    server = data.get("fhirServer")
    if server is not None and (not isinstance(server, str) or normal_base(server) is None):
        raise InvalidInput("fhirServer must be an http(s) base URL", location="fhirServer")
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
