"""The EHRs this app may talk to (`DYSTONIA_CDS_SMART_CLIENTS`) and the scopes it asks them for.

The allow-list is the only way an EHR is contacted: an `iss` that is not a key of it is refused
before any request is made to it. Keys and `iss` are compared without a trailing slash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The resource types the FHIR input profile reads (docs/fhir-input-profile.md).
READ_TYPES = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "Procedure",
    "Observation",
)
IDENTITY = ("openid", "fhirUser")
MAX_PARAM = 2048
# RFC 6749 VSCHAR without spaces: what an opaque `launch` value may hold.
_VSCHAR = re.compile(r"^[\x21-\x7e]+$")


class SmartError(Exception):
    """A launch that cannot go on: shown to the user as a page with `status`."""

    def __init__(self, status: int, heading: str, message: str) -> None:
        super().__init__(message)
        self.status, self.heading, self.message = status, heading, message


@dataclass(frozen=True, slots=True)
class SmartClient:
    """This app's registration at one EHR."""

    iss: str
    client_id: str
    client_secret: str | None = None
    scopes: str | None = None  # replaces the default data scopes when set

    @property
    def label(self) -> str:
        return self.iss.split("://", 1)[-1]


def normal_iss(iss: str) -> str:
    return iss.strip().rstrip("/")


def clients_from(settings_value: dict[str, dict[str, Any]]) -> dict[str, SmartClient]:
    """The configured EHRs by normalised `iss`; an entry without a client_id is refused."""
    clients: dict[str, SmartClient] = {}
    for iss, entry in settings_value.items():
        client_id = entry.get("client_id") if isinstance(entry, dict) else None
        if not isinstance(client_id, str) or not client_id:
            raise ValueError(f"DYSTONIA_CDS_SMART_CLIENTS[{iss!r}]: client_id is required")
        key = normal_iss(iss)
        clients[key] = SmartClient(
            key, client_id, entry.get("client_secret") or None, entry.get("scopes") or None
        )
    return clients


def allowed_client(clients: dict[str, SmartClient], iss: str) -> SmartClient:
    """The registration for `iss`, or `SmartError` (403) when it is not allow-listed."""
    client = clients.get(normal_iss(iss))
    if client is None:
        raise SmartError(
            403,
            "EHR not allowed",
            "This EHR (iss) is not configured for this app; no request was made to it. "
            "Ask an administrator to add it to DYSTONIA_CDS_SMART_CLIENTS.",
        )
    return client


def launch_param(value: str | None, name: str) -> str:
    """A launch parameter that is present, bounded and printable, else `SmartError` (400)."""
    if not value or len(value) > MAX_PARAM or not _VSCHAR.match(value):
        raise SmartError(400, "Launch refused", f"The launch request has no valid {name!r}.")
    return value


def requested_scopes(client: SmartClient, *, standalone: bool, v2: bool) -> str:
    """`launch` (EHR) or `launch/patient` (standalone), identity, and read scopes for the types
    the input profile reads (`.rs` with SMART v2 scopes, `.read` with v1)."""
    context = "launch/patient" if standalone else "launch"
    suffix = "rs" if v2 else "read"
    data = client.scopes or " ".join(f"patient/{t}.{suffix}" for t in READ_TYPES)
    return " ".join((context, *IDENTITY, data))
