"""Versions of patient resources: an `ETag` computed from the stored state (a hash of the
resource as the API shows it) and `If-Match` on PUT and PATCH.

A client reads a resource, keeps its `ETag` and sends it back as `If-Match` with its change;
when the stored resource changed in between, the change is refused with 412 and nothing is
written (the comparison runs after the patient row is locked, inside the write's transaction).
`If-Match` is optional: without it a replace simply wins, atomically.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import orjson
from fastapi import Header, Response
from pydantic import BaseModel

from dystonia_cds.domain.errors import DystoniaCdsError

IfMatch = Annotated[
    str | None,
    Header(
        max_length=1000,
        description="The `ETag` of the version this change was made against (412 if stale).",
    ),
]
PRECONDITION_RESPONSES: dict[int | str, dict[str, str]] = {
    412: {"description": "`If-Match` names a version that is no longer the stored one"}
}


class VersionConflict(DystoniaCdsError):
    """`If-Match` named a version that is no longer the stored one (412)."""


def etag(resource: BaseModel) -> str:
    """A strong entity tag: the hash of the resource's JSON (keys sorted)."""
    data = orjson.dumps(resource.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def matches(if_match: str, current: str) -> bool:
    """RFC 9110 `If-Match`: `*` or a list of entity tags (strong comparison: weak tags never
    match)."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or current in tags


def check_version(if_match: str | None, current: BaseModel, what: str) -> None:
    """Raise `VersionConflict` when `If-Match` is given and names another version."""
    if if_match is None:
        return
    if not matches(if_match, etag(current)):
        raise VersionConflict(
            f"the {what} changed since the version named by If-Match; read it again "
            "(its ETag) and resend the change"
        )


def with_etag(response: Response, resource: BaseModel) -> None:
    response.headers["ETag"] = etag(resource)
