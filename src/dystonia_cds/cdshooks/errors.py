"""Errors of the CDS Hooks adapter and the HTTP status each one answers with.

UnknownService      404  no service with that id (whatever the token says)
AuthenticationError 401  missing or bad JWT (domain error)
BodyTooLarge        413  request body over `settings.max_body_bytes`
UpstreamUnavailable 412  required data neither prefetched nor fetchable (domain error)
InvalidInput        400  malformed JSON, wrong hook, missing context.patientId, bad prefetch
NotReady            503  the engine, knowledge or FHIR mapping could not be loaded
"""

from __future__ import annotations

from dystonia_cds.domain.errors import (
    AuthenticationError,
    DystoniaCdsError,
    InvalidInput,
    UpstreamUnavailable,
)


class UnknownService(DystoniaCdsError):
    """No CDS service with that id."""


class BodyTooLarge(InvalidInput):
    """The request body is larger than the configured limit."""


class NotReady(DystoniaCdsError):
    """A part the service needs (engine, knowledge, FHIR mapping) could not be loaded."""


STATUS_BY_ERROR: tuple[tuple[type[DystoniaCdsError], int], ...] = (
    (UnknownService, 404),
    (NotReady, 503),
    (AuthenticationError, 401),
    (BodyTooLarge, 413),
    (UpstreamUnavailable, 412),
    (InvalidInput, 400),
)


def status_for(error: DystoniaCdsError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400
