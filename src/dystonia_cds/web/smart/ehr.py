"""Reads of one patient from the EHR's FHIR server with the session's token: the Patient, then
a search per resource type the input profile reads, following `next` links (only while they
stay on the EHR's FHIR server, at most `MAX_PAGES` per type). The result goes through the same
FHIR input mapping as every Bundle (`read_bundle`): resources about another patient are left out
and reported, never shown.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from dystonia_cds.api.records import display_name
from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.store.smart import EhrRead
from dystonia_cds.web.smart.clients import READ_TYPES, SmartError

log = logging.getLogger(__name__)
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
MAX_PAGES = 50
PAGE_SIZE = 100
FHIR_JSON = "application/fhir+json"


class TokenRejected(Exception):
    """The EHR answered 401: the access token expired or was revoked."""


@dataclass(slots=True)
class Reads:
    """What was fetched, and every request made (type, status) for the audit log."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, other: Reads) -> None:
        self.resources += other.resources
        self.requests += other.requests
        self.skipped += other.skipped


def patient_id_of(value: Any) -> str:
    if not isinstance(value, str) or not FHIR_ID.match(value):
        raise SmartError(
            502, "The EHR did not answer as expected", "The EHR named no valid patient."
        )
    return value


async def _get(http: httpx.AsyncClient, url: str, token: str, reads: Reads, what: str) -> Any:
    try:
        response = await http.get(
            url, headers={"authorization": f"Bearer {token}", "accept": FHIR_JSON}
        )
    except httpx.HTTPError as exc:
        reads.requests.append((what, 502))
        raise SmartError(
            502, "The EHR did not answer", "The EHR's FHIR server could not be reached."
        ) from exc
    reads.requests.append((what, response.status_code))
    if response.status_code == 401:
        raise TokenRejected
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


class OffServer(Exception):
    """A `next` link that leaves the EHR's server: not followed (the token goes nowhere else)."""


def same_origin(url: str, iss: str) -> bool:
    """Scheme, host and port of the EHR's FHIR server (a proxy may page through another path
    of the same server, as SMART's reference launcher does)."""
    there, here = urlsplit(url), urlsplit(iss)
    return (there.scheme, there.netloc) == (here.scheme, here.netloc) and bool(there.netloc)


def next_link(bundle: dict[str, Any], iss: str) -> str | None:
    """The `next` page on the EHR's server; `OffServer` for one elsewhere."""
    links = bundle.get("link")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and same_origin(url, iss):
                return url
            raise OffServer
    return None


async def _search(
    http: httpx.AsyncClient, iss: str, token: str, rtype: str, pid: str, reads: Reads
) -> None:
    url: str | None = f"{iss}/{rtype}?patient={quote(pid)}&_count={PAGE_SIZE}"
    for page in range(MAX_PAGES):
        if url is None:
            return
        bundle = await _get(http, url, token, reads, f"{rtype} page {page + 1}")
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            reads.skipped.append(f"{rtype}: not readable (status {reads.requests[-1][1]})")
            return
        entries = bundle.get("entry")
        for entry in entries if isinstance(entries, list) else []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == rtype:
                reads.resources.append(resource)
        try:
            url = next_link(bundle, iss)
        except OffServer:
            reads.skipped.append(f"{rtype}: the next page is on another server; not read")
            return
    reads.skipped.append(f"{rtype}: more than {MAX_PAGES} pages; the rest was not read")


async def fetch_patient(http: httpx.AsyncClient, iss: str, token: str, pid: str) -> Reads:
    """Every resource of the patient the token may read; `TokenRejected` on a 401."""
    reads = Reads()
    patient = await _get(http, f"{iss}/Patient/{quote(pid)}", token, reads, "Patient")
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        raise SmartError(
            502, "The EHR did not answer as expected", "The EHR did not return the patient."
        )
    if patient.get("id") != pid:
        raise SmartError(
            403,
            "Another patient",
            "The EHR returned a different patient than the one launched; nothing was shown.",
        )
    reads.resources.append(patient)
    for part in await _searches(http, iss, token, pid):
        reads.add(part)
    return reads


async def _searches(http: httpx.AsyncClient, iss: str, token: str, pid: str) -> list[Reads]:
    """The searches of every type at once (each pages in order); results in type order. The
    first failure (401, the EHR unreachable) cancels the others and is raised."""
    parts = [Reads() for _ in READ_TYPES[1:]]
    try:
        async with asyncio.TaskGroup() as group:
            for rtype, part in zip(READ_TYPES[1:], parts, strict=True):
                group.create_task(_search(http, iss, token, rtype, pid, part))
    except ExceptionGroup as failed:
        first = failed.exceptions[0]
        raise first from None
    return parts


def is_about_another_patient(resource: dict[str, Any], pid: str) -> bool:
    """A resource whose subject (or patient) is a Patient other than `pid`."""
    holder = resource.get("subject") or resource.get("patient")
    ref = holder.get("reference") if isinstance(holder, dict) else None
    if not isinstance(ref, str) or "Patient/" not in ref:
        return False
    return ref.split("/_history/")[0].rsplit("/", 1)[-1] != pid


def as_ehr_read(iss: str, pid: str, reads: Reads) -> EhrRead:
    """The fetched resources through the FHIR input mapping; any about another patient are
    left out (and listed as such)."""
    mine = [r for r in reads.resources if not is_about_another_patient(r, pid)]
    if len(mine) < len(reads.resources):
        left_out = len(reads.resources) - len(mine)
        reads.skipped.append(f"{left_out} resource(s) about another patient: left out")
    reads.resources = mine
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{iss}/{r.get('resourceType')}/{r.get('id')}", "resource": r}
            for r in reads.resources
        ],
    }
    try:
        record = read_bundle(bundle, source="EHR")
    except FhirInputError as exc:
        raise SmartError(502, "The EHR's data could not be read", str(exc)) from exc
    summary = {
        "read": [f"{r.get('resourceType')}/{r.get('id')}" for r in reads.resources][:500],
        "skipped": reads.skipped[:50],
        "unrecognized": [f"{u.location}: {u.reason}" for u in record.unrecognized][:100],
    }
    return EhrRead(iss, pid, record, display_name(bundle), summary)


async def search_patients(
    http: httpx.AsyncClient, iss: str, token: str, name: str
) -> list[dict[str, str]]:
    """Patients the token may see (for the picker): id, name and birth date, at most 50."""
    query = f"_count=50&name={quote(name)}" if name else "_count=50"
    bundle = await _get(http, f"{iss}/Patient?{query}", token, Reads(), "Patient search")
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    found: list[dict[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            continue
        pid = resource.get("id")
        if isinstance(pid, str) and FHIR_ID.match(pid):
            one = {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": resource}],
            }
            birth = resource.get("birthDate")
            found.append(
                {"id": pid, "name": display_name(one) or "(no name)", "born": str(birth or "?")}
            )
    return found[:50]
