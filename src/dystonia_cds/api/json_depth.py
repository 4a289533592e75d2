"""A limit on how deeply a JSON body nests, checked before anything walks it.

Deep nesting is no use to any input of this API (a FHIR Bundle nests about 15 levels) and
recursive code (validation, the NUL scan of an import) would fail on it with RecursionError,
a 500. The depth is measured without recursion; a body past `MAX_JSON_DEPTH` is a 422 naming
the limit. Bodies that are not JSON are left to the endpoint, which names what is wrong.
"""

from __future__ import annotations

from typing import Any

import orjson

from dystonia_cds.domain.errors import InvalidInput

MAX_JSON_DEPTH = 100


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply `value` nests (a scalar: 0), counting at most to `limit + 1`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return deepest


def check_body_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """`InvalidInput` (location `body`) when the JSON body nests deeper than `limit`."""
    if not body:
        return
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc):  # orjson stops at 1024
            raise InvalidInput(f"nests deeper than {limit} levels", location="body") from exc
        return  # not JSON: the endpoint says what is wrong with it
    if json_depth(data, limit) > limit:
        raise InvalidInput(f"nests deeper than {limit} levels", location="body")
