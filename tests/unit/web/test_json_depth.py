"""The JSON depth limit of the care API: measured without recursion, named in the error."""

from __future__ import annotations

import pytest

from dystonia_cds.api.json_depth import check_body_depth, json_depth
from dystonia_cds.domain.errors import InvalidInput


def _nested(levels: int) -> object:
    value: object = 1
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize(("value", "depth"), [(1, 0), ([], 1), ({"a": [1, {"b": 2}]}, 3)])
def test_depth_counts_the_containers_on_the_deepest_path(value: object, depth: int) -> None:
    assert json_depth(value) == depth


def test_a_hundred_thousand_levels_are_measured_without_recursion() -> None:
    assert json_depth(_nested(100_000), limit=200) == 201


def test_a_body_past_the_limit_is_refused_naming_the_body() -> None:
    with pytest.raises(InvalidInput, match="nests deeper than 100 levels") as caught:
        check_body_depth(b"[" * 101 + b"]" * 101)
    assert caught.value.location == "body"


def test_a_body_deeper_than_the_parser_goes_is_refused_the_same_way() -> None:
    with pytest.raises(InvalidInput, match="nests deeper"):
        check_body_depth(b"[" * 5000 + b"]" * 5000)


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b'{"resourceType": "Bundle"}', b"[" * 100 + b"]" * 100]
)
def test_shallow_or_unparsable_bodies_are_left_to_the_endpoint(body: bytes) -> None:
    check_body_depth(body)
