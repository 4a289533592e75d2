"""Reading and validating a packaged catalogue file (TOML under `dystonia_cds/knowledge/`),
with errors that name the file, the entry and the field; and the cross-reference checks the
catalogue models share (`unique_ids`, `known_ids`)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dystonia_cds.domain.errors import KnowledgeError

M = TypeVar("M", bound=BaseModel)


def unique_ids(where: str, ids: list[str]) -> None:
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    if duplicates:
        raise ValueError(f"{where}: duplicate id(s) {duplicates}")


def known_ids(where: str, values: Any, allowed: set[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown id(s) {unknown}")


def read_file(folder: str, name: str) -> dict[str, Any]:
    """The TOML file `folder/name` of the knowledge package; `KnowledgeError` if unreadable."""
    path = resources.files("dystonia_cds.knowledge").joinpath(f"{folder}/{name}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"{folder}/{name}: cannot read: {exc}") from exc


def validate_file(folder: str, name: str, model: type[M]) -> M:
    """The file read and validated as `model`; `KnowledgeError` naming entry and field."""
    data = read_file(folder, name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"{folder}/{name}: {describe(exc, data)}") from exc


def describe(exc: ValidationError, data: dict[str, Any]) -> str:
    parts = []
    for err in exc.errors()[:5]:
        entry = _entry_name(data, err["loc"])
        field = ".".join(str(p) for p in err["loc"]) or "(file)"
        parts.append(f"{f'entry {entry}, ' if entry else ''}field {field}: {err['msg']}")
    return "; ".join(parts)


def _entry_name(data: Any, loc: tuple[Any, ...]) -> str:
    """The id/key of the list entry an error sits in, e.g. "scales[twstrs]"."""
    name = ""
    node = data
    previous: Any = ""
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(part, int):
            ident = node.get("id") or node.get("key") or node.get("product") or part
            name = f"{previous}[{ident}]"
        previous = part
    return name
