"""The fallback when prefetch is missing or partial: fetch the missing queries from the
client's `fhirServer` with its `fhirAuthorization` bearer token (httpx, with timeouts).

Searches follow `next` links on the same server, up to `MAX_PAGES` pages per query. When a
missing key cannot be fetched (no `fhirServer`, unreachable server, an error status, a body
that is not FHIR JSON), the whole call answers 412 Precondition Failed, as the spec says.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from dystonia_cds.cdshooks.payload import HookRequest, resources_of
from dystonia_cds.cdshooks.services import prefetch_query
from dystonia_cds.domain.errors import InvalidInput, UpstreamUnavailable

MAX_PAGES = 20
TOTAL_TIMEOUT_FACTOR = 3  # all fetches of one call together: 3 x DYSTONIA_CDS_FHIR_TIMEOUT_S


async def complete_prefetch(request: HookRequest, timeout_s: float) -> None:
    """Fetch every missing prefetch key and add its resources to `request.resources`."""
    if not request.missing:
        return
    if not request.fhir_server:
        raise UpstreamUnavailable(
            "prefetch lacks " + ", ".join(request.missing) + " and no fhirServer was given"
        )
    headers = {"Accept": "application/fhir+json, application/json"}
    if request.fhir_token:
        headers["Authorization"] = f"Bearer {request.fhir_token}"
    base = request.fhir_server.rstrip("/")
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
    try:
        async with (
            asyncio.timeout(timeout_s * TOTAL_TIMEOUT_FACTOR),
            httpx.AsyncClient(headers=headers, timeout=timeout) as client,
        ):
            pages = await asyncio.gather(
                *(
                    _fetch_all(client, base, prefetch_query(key, request.patient_id))
                    for key in request.missing
                )
            )
    except TimeoutError as exc:
        raise UpstreamUnavailable("the FHIR server did not answer in time") from exc
    for resources in pages:
        request.resources.extend(resources)
    request.missing = []


async def _fetch_all(client: httpx.AsyncClient, base: str, query: str) -> list[dict[str, Any]]:
    url: str | None = f"{base}/{query}"
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        data = await _get_json(client, url, query)
        resources = _resources(data, query)
        found.extend(resources)
        url = _next_link(data, base)
    return found


async def _get_json(client: httpx.AsyncClient, url: str, query: str) -> Any:
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"the FHIR server could not be reached for {query}") from exc
    if response.status_code != 200:
        raise UpstreamUnavailable(f"the FHIR server answered {response.status_code} for {query}")
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise UpstreamUnavailable(f"the FHIR server's answer to {query} is not JSON") from exc


def _resources(data: Any, query: str) -> list[dict[str, Any]]:
    try:
        found = resources_of(data, f"FHIR server answer to {query}")
    except InvalidInput as exc:
        raise UpstreamUnavailable(str(exc)) from exc
    if found is None:
        raise UpstreamUnavailable(f"the FHIR server returned an OperationOutcome for {query}")
    return found


def _next_link(data: Any, base: str) -> str | None:
    """The Bundle's `next` link when it points at the same server (the token stays there)."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        return None
    for link in data.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and url.startswith(base + "/"):
                return url
    return None
