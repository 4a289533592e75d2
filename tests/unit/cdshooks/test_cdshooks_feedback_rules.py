"""Feedback bodies held to the CDS Hooks invariants (issue 12, item 15) and a nesting limit."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dystonia_cds.cdshooks.feedback import MAX_DEPTH, parse_feedback
from dystonia_cds.domain.errors import InvalidInput

WHEN = "2026-11-26T10:00:00Z"
REASON = {"system": "urn:dystonia-cds:override-reason", "code": "patient-declined"}


def body(**entry: Any) -> bytes:
    return orjson.dumps({"feedback": [{"card": "c-1", "outcomeTimestamp": WHEN, **entry}]})


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "accepted without suggestions": ({"outcome": "accepted"}, "acceptedSuggestions"),
    "accepted with an empty list": (
        {"outcome": "accepted", "acceptedSuggestions": []},
        "acceptedSuggestions",
    ),
    "accepted with an override reason": (
        {
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "s-1"}],
            "overrideReason": {"reason": REASON},
        },
        "overrideReason",
    ),
    "overridden with accepted suggestions": (
        {"outcome": "overridden", "acceptedSuggestions": [{"id": "s-1"}]},
        "acceptedSuggestions",
    ),
    "override reason without its Coding": (
        {"outcome": "overridden", "overrideReason": {"userComment": "no"}},
        "reason",
    ),
    "override reason Coding without a code": (
        {"outcome": "overridden", "overrideReason": {"reason": {"system": "urn:x"}}},
        "code",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_feedback_breaking_an_invariant_is_refused_naming_it(case: str) -> None:
    entry, expected = BAD[case]
    with pytest.raises(InvalidInput, match=expected):
        parse_feedback(body(**entry))


def test_an_accepted_suggestion_and_a_coded_override_are_read() -> None:
    accepted = parse_feedback(body(outcome="accepted", acceptedSuggestions=[{"id": "s-1"}]))
    assert accepted.feedback[0].acceptedSuggestions[0].id == "s-1"
    overridden = parse_feedback(body(outcome="overridden", overrideReason={"reason": REASON}))
    assert overridden.feedback[0].overrideReason is not None
    assert overridden.feedback[0].overrideReason.reason.code == "patient-declined"
    assert parse_feedback(body(outcome="overridden")).feedback[0].overrideReason is None


@pytest.mark.parametrize("depth", [MAX_DEPTH, 1000, 1023, 5000])
def test_deeply_nested_feedback_is_refused_without_a_recursion_error(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    with pytest.raises(InvalidInput, match=r"nested|depth"):
        parse_feedback(b'{"feedback": [{"card": "c", "extension": {"x": ' + nested + b"}}]}")
