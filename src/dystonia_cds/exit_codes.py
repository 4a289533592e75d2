"""Named process exit codes, never reused (after cumulus-etl's errors.py), and the one table
that maps the error tree onto them for every entry point."""

from __future__ import annotations

from dystonia_cds.domain.errors import (
    DystoniaCdsError,
    InvalidInput,
    KnowledgeError,
    SchemaOutOfDate,
    UpstreamUnavailable,
)

OK = 0
UNEXPECTED = 1
BAD_INPUT = 2  # contract: bad input file, bad options, too many screening errors
SCHEMA_OUT_OF_DATE = 3
UPSTREAM_UNAVAILABLE = 4
KNOWLEDGE_INVALID = 5

_BY_ERROR: tuple[tuple[type[DystoniaCdsError], int], ...] = (
    (InvalidInput, BAD_INPUT),
    (SchemaOutOfDate, SCHEMA_OUT_OF_DATE),
    (UpstreamUnavailable, UPSTREAM_UNAVAILABLE),
    (KnowledgeError, KNOWLEDGE_INVALID),
)


def exit_code_for(exc: DystoniaCdsError) -> int:
    """The exit code of an error of the tree (UNEXPECTED for one without its own)."""
    return next((code for kind, code in _BY_ERROR if isinstance(exc, kind)), UNEXPECTED)
