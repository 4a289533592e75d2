"""Mutating real-shaped FHIR: a hypothesis strategy that takes one of the example Bundles and
sets one to three of its fields (any depth) to values an EHR or a hand-written file may send by
mistake: extreme numbers, wrong JSON types, impossible dates, odd text. Used by the tests that
assert bad input gives a clear error (or is reported) and never a crash or a 5xx."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ODD_VALUES: tuple[Any, ...] = (
    1e308, -1e308, 0, -1, 1e-300, 2**62, "1e308", True, None, [], {}, "", "x" * 300,
    "0001-01-01", "9999-12-31", "2026-02-30", "2026", "2026-13-01T00:00:00Z",
    {"reference": 5}, [{"text": None}], {"coding": [{"system": 5, "code": None}]},
    "Patient/other", "\u202e<script>",
)  # fmt: skip


def example_bundles() -> list[dict[str, Any]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(EXAMPLES.glob("*.json"))]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (object keys and array indexes), each before its insides."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def set_at(document: Any, place: tuple[Any, ...], value: Any) -> None:
    """Put (a copy of) `value` at `place` in `document`."""
    parent = document
    for key in place[:-1]:
        parent = parent[key]
    parent[place[-1]] = copy.deepcopy(value)


@st.composite
def mutated_bundles(draw: st.DrawFn, max_changes: int = 4) -> dict[str, Any]:
    """An example Bundle with 1 to `max_changes` places set to odd values; half of the places
    are drawn from the Bundle's outer levels (type, entries, resources, their top fields), where
    one wrong type breaks the most, the rest from anywhere."""
    bundle = copy.deepcopy(draw(st.sampled_from(EXAMPLE_BUNDLES)))
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        places = list(paths(bundle))
        outer = [p for p in places if len(p) <= 4]
        place = draw(st.sampled_from(outer) | st.sampled_from(places))
        set_at(bundle, place, draw(st.sampled_from(ODD_VALUES)))
    return bundle


EXAMPLE_BUNDLES = example_bundles()
