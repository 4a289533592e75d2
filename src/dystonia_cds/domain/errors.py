"""The one error tree of dystonia-cds.

    DystoniaCdsError                 base of every error this package raises on purpose
    ├── KnowledgeError               a knowledge file is malformed or inconsistent (file, entry, field)
    ├── InvalidInput                 input data is not what it must be (names where and what)
    │   └── FhirInputError           a FHIR Bundle/resource cannot be read (file, resource, field)
    ├── PatientNotFound              no patient with that id
    ├── UpstreamUnavailable          a FHIR server or other dependency could not be reached
    ├── AuthenticationError          a token or credential was missing or invalid
    └── SchemaOutOfDate              the database schema is behind the code (run `dystonia-cds db upgrade`)

Adapters translate library errors at their boundary (`raise ... from exc`); only entry
points (CLI, HTTP handlers) turn these into exit codes or responses.
"""

from __future__ import annotations


class DystoniaCdsError(Exception):
    """Base of every error raised on purpose by dystonia-cds."""


class KnowledgeError(DystoniaCdsError):
    """A knowledge file is malformed or inconsistent."""


class InvalidInput(DystoniaCdsError):
    """Input is not what it must be; the message names where (file, resource, field)."""

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class FhirInputError(InvalidInput):
    """A FHIR Bundle or resource cannot be read."""


class PatientNotFound(DystoniaCdsError):
    """No patient with that id."""


class UpstreamUnavailable(DystoniaCdsError):
    """A FHIR server or another dependency could not be reached."""


class AuthenticationError(DystoniaCdsError):
    """A token or credential was missing or invalid."""


class SchemaOutOfDate(DystoniaCdsError):
    """The database schema is behind the code."""
