"""Find the NDJSON files of a FHIR Bulk export and cut them into partitions (file byte ranges).

Plain `.ndjson` files are split into byte ranges; a range owns every line that *starts* inside
it. Gzip files cannot be entered in the middle, so each is one partition.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import orjson

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.fhir.extract import READ_TYPES as HANDLER_TYPES

logger = logging.getLogger(__name__)

PARTITION_BYTES = 16 * 1024 * 1024
# The types the FHIR mapping reads (Patient, Condition, the Medication* types, Procedure,
# Observation, AllergyIntolerance), taken from it so that screening and the CLI agree.
READ_TYPES = frozenset(HANDLER_TYPES)
# Types a Bulk export commonly holds that screening does not read: their files are skipped whole.
OTHER_TYPES = frozenset(
    {
        "Binary", "Bundle", "CarePlan", "CareTeam", "Claim", "Coverage",
        "Device", "DiagnosticReport", "DocumentReference", "Encounter", "ExplanationOfBenefit",
        "Goal", "Group", "ImagingStudy", "Immunization", "Location",
        "Organization", "Practitioner", "PractitionerRole", "Provenance", "RelatedPerson",
        "ServiceRequest", "Specimen", "SupplyDelivery",
    }
) - READ_TYPES  # fmt: skip
SUFFIXES = (".ndjson", ".ndjson.gz")
_TYPE_WORD = re.compile(r"[A-Z][A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class Partition:
    """Lines of `path` starting in [start, end); gzip partitions always cover the whole file.
    `resource_type` is the type the file holds (manifest or file name), None when unknown."""

    path: str
    start: int
    end: int
    compressed: bool
    resource_type: str | None = None

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class ExportFile:
    path: Path
    resource_type: str | None  # None: the name says nothing; its lines say what they are


@dataclass(slots=True)
class Export:
    """The files screening reads, and per resource type it does not read, how many files."""

    files: list[ExportFile]
    skipped: dict[str, int] = field(default_factory=dict)


def find_export_files(directory: Path) -> list[Path]:
    """The export's NDJSON files screening reads, in name order (see `find_export`)."""
    return [f.path for f in find_export(directory).files]


def find_export(source: Path) -> Export:
    """A directory of NDJSON files, or a `$export` completion manifest (`manifest.json`, or a
    directory holding one): the files of the types screening reads; other types (known or
    not) are skipped without being opened and counted per type. `InvalidInput` when none."""
    if source.is_file() and source.suffix == ".json":
        export = read_manifest(source)
    elif source.is_dir() and (source / "manifest.json").is_file():
        export = read_manifest(source / "manifest.json")
    elif source.is_dir():
        export = _from_names(sorted(p for p in source.iterdir() if p.is_file()))
    else:
        raise InvalidInput(
            "is not a directory (expected a FHIR Bulk Data export)", location=str(source)
        )
    for kind, count in sorted(export.skipped.items()):
        logger.info("skipping %d %s file(s): screening does not read that type", count, kind)
    if not export.files:
        raise InvalidInput(
            "holds no .ndjson or .ndjson.gz files of the resource types screening reads "
            f"({', '.join(sorted(READ_TYPES))})",
            location=str(source),
        )
    return export


def _from_names(paths: list[Path]) -> Export:
    export = Export([])
    for path in paths:
        if path.name.endswith(SUFFIXES):
            _add(export, path, type_from_name(path.name))
    return export


def _add(export: Export, path: Path, kind: str | None) -> None:
    if kind is None or kind in READ_TYPES:
        export.files.append(ExportFile(path, kind))
    else:
        export.skipped[kind] = export.skipped.get(kind, 0) + 1


def type_from_name(name: str) -> str | None:
    """The resource type a file name gives (`Patient.000.ndjson`, `Patient-1.ndjson`,
    `1.Observation.ndjson.gz`): the first part that is a known type, or else a capitalised
    word (a type screening does not know); None when no part looks like one."""
    parts = [p for p in re.split(r"[._\-]", name) if p and p not in ("ndjson", "gz")]
    for part in parts:
        if part in READ_TYPES or part in OTHER_TYPES:
            return part
    return next((p for p in parts if _TYPE_WORD.fullmatch(p)), None)


def read_manifest(path: Path) -> Export:
    """`output: [{type, url}]` of a Bulk Data completion manifest; a url is a file path
    relative to the manifest, a `file:` URL, or a remote URL whose file was downloaded next to
    the manifest under its own name."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read the manifest ({exc})", location=str(path)) from exc
    output = data.get("output") if isinstance(data, dict) else None
    if not isinstance(output, list):
        raise InvalidInput("a Bulk Data manifest needs an 'output' list", location=str(path))
    export = Export([])
    for n, entry in enumerate(output):
        kind, url = _entry(entry, path, n)
        _add(export, _local_file(url, path, n), kind)
    return export


def _entry(entry: Any, path: Path, n: int) -> tuple[str | None, str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise InvalidInput("needs a 'url' string", location=f"{path}: output[{n}]")
    kind = entry.get("type")
    return (kind if isinstance(kind, str) and kind else None), entry["url"]


def _local_file(url: str, manifest: Path, n: int) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        found = Path(unquote(parsed.path))
    elif parsed.scheme in ("http", "https"):
        found = manifest.parent / Path(unquote(parsed.path)).name
    else:
        found = manifest.parent / unquote(url)
    if not found.is_file():
        raise InvalidInput(
            f"names {url!r}, which is not a file here (download remote files next to the "
            "manifest first)",
            location=f"{manifest}: output[{n}]",
        )
    return found


def plan_partitions(
    files: list[Path] | list[ExportFile], target_bytes: int = PARTITION_BYTES
) -> list[Partition]:
    """Byte ranges of about `target_bytes` (whole files for gzip), in file order."""
    parts: list[Partition] = []
    for item in files:
        path, kind = (
            (item.path, item.resource_type) if isinstance(item, ExportFile) else (item, None)
        )
        size = path.stat().st_size
        if path.name.endswith(".gz"):
            parts.append(Partition(str(path), 0, size, True, kind))
            continue
        step = max(target_bytes, 1)
        parts.extend(
            Partition(str(path), s, min(s + step, size), False, kind)
            for s in range(0, max(size, 1), step)
        )
    return parts
