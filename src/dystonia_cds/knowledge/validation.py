"""Read, validate (pydantic) and compile the knowledge files of one directory.

`load_validated(directory)` is the full check: any problem raises `KnowledgeError` naming the
file, the entry and the field. `knowledge.loader` calls it (and imports pydantic) only when
no valid compiled snapshot of the same files exists (see `knowledge.snapshot`).
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from dystonia_cds.domain.errors import KnowledgeError
from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.checks import KnowledgeFiles
from dystonia_cds.knowledge.compile import compile_knowledge
from dystonia_cds.knowledge.models import (
    AlertsFile,
    DrugClassesFile,
    ManifestFile,
    OptionModel,
    SourcesFile,
    Strict,
    TermsFile,
    ThresholdsFile,
)

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Strict)

FILES: dict[str, tuple[str, type[Strict]]] = {
    "manifest": ("manifest.toml", ManifestFile),
    "sources": ("sources.toml", SourcesFile),
    "terms": ("terms.toml", TermsFile),
    "classes": ("drug_classes.toml", DrugClassesFile),
    "thresholds": ("thresholds.toml", ThresholdsFile),
    "alerts": ("alerts.toml", AlertsFile),
}


def load_validated(directory: Path) -> KnowledgeBase:
    """Every file read and validated, cross-file checks run, then compiled."""
    parts: dict[str, Any] = {}
    for name, (file, model) in FILES.items():
        parts[name] = _validate(directory, file, model)
    options_dir = directory / "options"
    if not options_dir.is_dir():
        raise KnowledgeError(f"{options_dir}: folder of option files is missing")
    parts["options"] = {
        f"options/{p.name}": _validate(directory, f"options/{p.name}", OptionModel)
        for p in sorted(options_dir.glob("*.toml"))
    }
    try:
        files = KnowledgeFiles.model_validate(parts)
    except ValidationError as exc:
        raise KnowledgeError(_cross_file_message(exc)) from exc
    kb = compile_knowledge(files)
    logger.debug("knowledge %s loaded: %d options", kb.version, len(kb.options))
    return kb


def _read(directory: Path, file: str) -> dict[str, Any]:
    path = directory / file
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{file}: file is missing (looked in {directory})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(
            f"{file}: entry (syntax): field (syntax): not valid TOML: {exc}"
        ) from exc


def _validate(directory: Path, file: str, model: type[M]) -> M:
    raw = _read(directory, file)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(_file_message(file, raw, exc)) from exc


def _file_message(file: str, raw: dict[str, Any], exc: ValidationError) -> str:
    lines = [_describe(file, raw, err["loc"], err["msg"]) for err in exc.errors()]
    return "\n".join(lines[:10])


def _describe(file: str, raw: Any, loc: tuple[int | str, ...], msg: str) -> str:
    """'file: entry cautions[2] (id 'x'): field tag: msg' from a pydantic error location."""
    first_index = next((n for n, part in enumerate(loc) if isinstance(part, int)), None)
    if first_index is None:
        entry = ".".join(map(str, loc[:-1])) or "(top level)"
        field = str(loc[-1]) if loc else "(file)"
    else:
        entry = _path(loc[: first_index + 1])
        ident = _lookup(raw, loc[: first_index + 1])
        if isinstance(ident, dict) and "id" in ident:
            entry += f" (id {ident['id']!r})"
        field = _path(loc[first_index + 1 :]) or "(entry)"
    return f"{file}: entry {entry}: field {field}: {msg}"


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _lookup(raw: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _cross_file_message(exc: ValidationError) -> str:
    messages = []
    for err in exc.errors():
        msg = str(err.get("msg", ""))
        messages.append(msg.removeprefix("Value error, "))
    return "\n".join(messages)
