"""The fallback when prefetch is missing, partial or paged: fetch what is missing from the
client's `fhirServer` with its `fhirAuthorization` bearer token (httpx, with timeouts).

- Only a `fhirServer` bound to the caller's issuer (`issuers.py`) is contacted; any other gets
  412 before a request is made. In insecure development mode any http(s) server is allowed.
- Ids are FHIR ids (checked when the request is read) and URL-encoded in the queries.
- A search follows its `next` links, up to `MAX_PAGES` pages of at most `MAX_PAGE_BYTES` each,
  on the origin of `fhirServer` only (where the token may go); a prefetched searchset page with
  a `next` link is completed the same way. A `next` link elsewhere, more or larger pages, an
  error status, a redirect, a body that is not FHIR JSON, or an OperationOutcome (top level, or
  an error entry in a Bundle) answer 412: cards are never made from part of the patient's data.
- Every 412 says the same thing (`UNAVAILABLE`): the caller learns nothing about hosts, ports
  or the FHIR server's answers; the reason is logged for the operator (no patient data).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from dystonia_cds.cdshooks.bundles import next_link, resources_of
from dystonia_cds.cdshooks.issuers import normal_base, origin
from dystonia_cds.cdshooks.payload import HookRequest
from dystonia_cds.cdshooks.services import PREFETCH_TYPES, prefetch_query
from dystonia_cds.domain.errors import InvalidInput, UpstreamUnavailable

log = logging.getLogger(__name__)
MAX_PAGES = 20
MAX_PAGE_BYTES = 20_000_000  # one page of a search; a Bundle of hundreds of resources is < 2 MB
TOTAL_TIMEOUT_FACTOR = 3  # all fetches of one call together: 3 x DYSTONIA_CDS_FHIR_TIMEOUT_S
UNAVAILABLE = (
    "the patient's data was neither prefetched in full nor fetched from an allowed fhirServer"
)
Servers = frozenset[str] | None  # allowed FHIR base URLs; None: any (insecure dev mode)


class Refused(Exception):
    """Why a fetch was refused or failed (logged; the caller gets `UNAVAILABLE`)."""


async def complete_prefetch(request: HookRequest, timeout_s: float, servers: Servers) -> None:
    """Fetch every missing prefetch key and every remaining page of a paged prefetch, adding
    their resources to `request.resources`; `UpstreamUnavailable` (412) when it cannot."""
    if not request.missing and not request.pages:
        return
    try:
        base = allowed_base(request.fhir_server, servers)
        found = await _fetch(request, base, timeout_s)
    except Refused as exc:
        log.warning("CDS Hooks fallback fetch refused or failed: %s", exc)
        raise UpstreamUnavailable(UNAVAILABLE) from None
    for resources in found:
        request.resources.extend(resources)
    request.missing, request.pages = [], {}


def allowed_base(fhir_server: str | None, servers: Servers) -> str:
    if not fhir_server:
        raise Refused("no fhirServer was given")
    base = normal_base(fhir_server)
    if base is None:
        raise Refused("fhirServer is not an http(s) base URL")
    if servers is not None and base not in servers:
        raise Refused("fhirServer is not one of the issuer's fhir_servers")
    return base


async def _fetch(request: HookRequest, base: str, timeout_s: float) -> list[list[dict[str, Any]]]:
    headers = {"Accept": "application/fhir+json, application/json"}
    if request.fhir_token:
        headers["Authorization"] = f"Bearer {request.fhir_token}"
    home = origin(base)
    pid = quote(request.patient_id, safe="")
    starts = [f"{base}/{prefetch_query(key, pid)}" for key in request.missing]
    starts += list(request.pages.values())
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
    try:
        async with (
            asyncio.timeout(timeout_s * TOTAL_TIMEOUT_FACTOR),
            httpx.AsyncClient(headers=headers, timeout=timeout, follow_redirects=False) as client,
        ):
            return await asyncio.gather(*(_fetch_all(client, url, home) for url in starts))
    except TimeoutError:
        raise Refused("the FHIR server did not answer in time") from None


async def _fetch_all(client: httpx.AsyncClient, url: str, home: str | None) -> list[dict[str, Any]]:
    """The resources of a search (or read) from `url` and its `next` pages."""
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if origin(url) != home:
            raise Refused("a next link points away from fhirServer's origin")
        data = await _get_json(client, url)
        found.extend(_resources(data))
        following = _next(data)
        if following is None:
            return found
        url = following
    raise Refused(f"a search has more than {MAX_PAGES} pages")


def _next(data: Any) -> str | None:
    try:
        return next_link(data)
    except InvalidInput as exc:
        raise Refused(str(exc)) from exc


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    kind = _kind(url)
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise Refused(f"the FHIR server answered {response.status_code} for {kind}")
            content = await _read(response, kind)
    except httpx.HTTPError as exc:
        raise Refused(f"the FHIR server could not be reached for {kind}") from exc
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise Refused(f"the FHIR server's answer for {kind} is not JSON") from None


async def _read(response: httpx.Response, kind: str) -> bytes:
    """The body, refused as soon as it passes `MAX_PAGE_BYTES` (memory stays bounded)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            raise Refused(f"the FHIR server's page for {kind} is over {MAX_PAGE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _resources(data: Any) -> list[dict[str, Any]]:
    try:
        found = resources_of(data, "FHIR server answer")
    except InvalidInput as exc:
        raise Refused(str(exc)) from exc
    if found is None:
        raise Refused("the FHIR server returned an OperationOutcome")
    return found


def _kind(url: str) -> str:
    """The resource type a URL asks for (for log lines without patient ids)."""
    for kind in PREFETCH_TYPES.values():
        if f"/{kind}" in url:
            return kind
    return "a page"
