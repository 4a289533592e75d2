"""Deceased patients (Patient.deceased[x]) leave every screening denominator.

The FHIR mapping's Patient fact carries no death, so screening adds a marker fact of its own
beside it: an `IgnoredFact` with resource type `DECEASED` whose `source` ends in the date of
death when one is known (`...#YYYY-MM-DD`). The reduce phase takes the markers out before
assembling the record (`split_deceased`), so the mapping never sees them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dystonia_cds.fhir.facts import IgnoredFact

DECEASED = "Patient.deceased"


def deceased_fact(pid: str, flag: Any, when: Any) -> IgnoredFact | None:
    """The marker for `deceasedBoolean` true or any `deceasedDateTime`; None when alive."""
    if isinstance(when, str):
        return IgnoredFact(pid, f"Patient/{pid}.deceased#{when[:10]}", DECEASED)
    if flag is True:
        return IgnoredFact(pid, f"Patient/{pid}.deceased#", DECEASED)
    return None


def from_resource(resource: dict[str, Any]) -> IgnoredFact | None:
    """The marker of a decoded Patient resource (the generic path)."""
    pid = resource.get("id")
    if not isinstance(pid, str):
        return None
    return deceased_fact(pid, resource.get("deceasedBoolean"), resource.get("deceasedDateTime"))


def is_marker(fact: Any) -> bool:
    return type(fact) is IgnoredFact and fact.resource_type == DECEASED


def death_date(marker: IgnoredFact) -> date | None:
    """The date of death a marker names, None when unknown or not a valid date."""
    text = marker.source.rpartition("#")[2]
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def split_deceased(facts: list[Any]) -> tuple[list[Any], IgnoredFact | None]:
    """The facts without markers, and the first marker (None: alive)."""
    markers = [f for f in facts if is_marker(f)]
    if not markers:
        return facts, None
    return [f for f in facts if not is_marker(f)], markers[0]
