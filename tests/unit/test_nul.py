"""NUL characters in JSON-like values: found by path, replaced everywhere."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dystonia_cds.domain.nul import NUL, find_nul, without_nul

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from("ab\x00 ")),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet="xy\x00", max_size=2), inner, max_size=3)
    ),
    max_leaves=12,
)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


@given(json_like)
def test_find_nul_says_where_exactly_when_there_is_one(value: Any) -> None:
    assert (find_nul(value) is not None) == _has_nul(value)


@given(json_like)
def test_without_nul_leaves_none_in_the_values(value: Any) -> None:
    cleaned = without_nul(value)
    strings = [cleaned] if isinstance(cleaned, str) else []
    assert all(NUL not in s for s in strings)
    if not _has_nul(value):
        assert cleaned == value


def test_the_path_names_the_field() -> None:
    body = {"entry": [{"resource": {"name": [{"text": "a\x00b"}]}}]}
    assert find_nul(body) == "entry[0].resource.name[0].text"
