"""NUL characters (U+0000) in text: meaningless in clinical data, refused by PostgreSQL's text
type, and invisible on screen. Input boundaries refuse them by name (`find_nul`); the store
replaces any that still reach a statement (`without_nul`) so that no backend fails on one."""

from __future__ import annotations

from typing import Any

NUL = "\x00"
REPLACEMENT = "\ufffd"


def find_nul(value: Any, where: str = "") -> str | None:
    """The path (`a.b[2]`) of the first string holding a NUL in a JSON-like value, else None
    ("" when `value` itself is such a string)."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            found = find_nul(key, name) if isinstance(key, str) else None
            found = found if found is not None else find_nul(item, name)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_nul(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def without_nul(value: Any) -> Any:
    """`value` with every NUL in its strings (nested in dicts, lists, tuples) replaced by
    U+FFFD; the same object when there is none."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(v) for v in value)
    return value


def nul_message(where: str) -> str:
    return "contains a NUL character (\\u0000), which cannot be stored" + (
        f" (at {where})" if where else ""
    )
