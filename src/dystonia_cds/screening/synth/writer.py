"""Write a synthetic FHIR Bulk Data export: `<Type>.<nnn>.ndjson[.gz]`, byte-identical per seed."""

from __future__ import annotations

import gzip as gzip_module
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

import orjson

from dystonia_cds.screening.synth.resources import plan_resources
from dystonia_cds.screening.synth.scenarios import draw_plan

logger = logging.getLogger(__name__)

ANCHOR = date(2026, 11, 1)  # histories are drawn relative to this date (deterministic output)
RESOURCES_PER_FILE = 100_000
RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "Procedure",
    "Observation",
)
_FLUSH_LINES = 2_000


@dataclass
class ExportSummary:
    patients: int
    resources: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


class _TypeWriter:
    """Lines of one resource type, rolled over into numbered files."""

    def __init__(self, out: Path, resource_type: str, compress: bool, level: int = 5) -> None:
        self.out, self.resource_type, self.compress = out, resource_type, compress
        self.level = level
        self.count = 0
        self.pending: list[bytes] = []
        self.handle: IO[bytes] | gzip_module.GzipFile | None = None
        self.files: list[Path] = []

    def add(self, line: bytes) -> None:
        if self.count % RESOURCES_PER_FILE == 0:
            self._roll()
        self.pending.append(line)
        self.count += 1
        if len(self.pending) >= _FLUSH_LINES:
            self._flush()

    def _roll(self) -> None:
        self.close()
        suffix = ".ndjson.gz" if self.compress else ".ndjson"
        path = self.out / f"{self.resource_type}.{len(self.files):03d}{suffix}"
        self.files.append(path)
        raw = path.open("wb")
        if self.compress:
            self.handle = gzip_module.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=self.level
            )
        else:
            self.handle = raw

    def _flush(self) -> None:
        if self.handle is not None and self.pending:
            self.handle.write(b"".join(self.pending))
        self.pending.clear()

    def close(self) -> None:
        self._flush()
        if self.handle is not None:
            fileobj = getattr(self.handle, "fileobj", None)
            self.handle.close()
            if fileobj is not None:
                fileobj.close()
            self.handle = None


def generate_export(
    out: Path, *, patients: int, seed: int, compress: bool = False, anchor: date = ANCHOR
) -> ExportSummary:
    """Write `patients` synthetic patients to `out`; the same seed gives the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    writers = {t: _TypeWriter(out, t, compress) for t in RESOURCE_TYPES}
    dumps = orjson.dumps
    try:
        for _ in range(patients):
            patient_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            plan = draw_plan(rng, patient_id, anchor)
            for resource_type, resource in plan_resources(plan):
                writers[resource_type].add(dumps(resource) + b"\n")
    finally:
        for writer in writers.values():
            writer.close()
    summary = ExportSummary(patients)
    for t, writer in writers.items():
        summary.resources[t] = writer.count
        summary.files.extend(writer.files)
    logger.info("wrote %d patients, %d resources", patients, sum(summary.resources.values()))
    return summary


POPULATION_TYPES = (
    *RESOURCE_TYPES,
    "Encounter",
    "Claim",
    "ExplanationOfBenefit",
    "Immunization",
    "DiagnosticReport",
)


def generate_population(
    out: Path,
    *,
    population: int,
    prevalence: float = 0.005,
    seed: int = 1,
    gzip: str = "some",
    anchor: date = ANCHOR,
) -> ExportSummary:
    """A health system's export (`population.py`): `population` patients, a share
    `prevalence` with dystonia; `gzip` is `none`, `some` (`GZIP_TYPES`) or `all`. Writes a
    `$export` manifest.json beside the files. The same seed gives the same bytes."""
    from dystonia_cds.screening.synth.population import GZIP_TYPES, write_patient

    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    packed = {t: gzip == "all" or (gzip == "some" and t in GZIP_TYPES) for t in POPULATION_TYPES}
    writers = {t: _TypeWriter(out, t, packed[t], level=1) for t in POPULATION_TYPES}
    emit = _emitter(writers)
    try:
        for _ in range(population):
            write_patient(rng, emit, anchor, rng.random() < prevalence)
    finally:
        for writer in writers.values():
            writer.close()
    summary = _summary(population, writers)
    write_manifest(out, summary, anchor)
    return summary


def _emitter(writers: dict[str, _TypeWriter]) -> Callable[[str, bytes], None]:
    adders = {t: w.add for t, w in writers.items()}
    return lambda kind, line: adders[kind](line)


def _summary(patients: int, writers: dict[str, _TypeWriter]) -> ExportSummary:
    summary = ExportSummary(patients)
    for t, writer in writers.items():
        summary.resources[t] = writer.count
        summary.files.extend(writer.files)
    return summary


def write_manifest(out: Path, summary: ExportSummary, anchor: date) -> None:
    """The Bulk Data completion manifest, with file URLs relative to it."""
    output = [
        {"type": path.name.split(".", 1)[0], "url": path.name, "count": _count(summary, path)}
        for path in summary.files
    ]
    manifest = {
        "transactionTime": f"{anchor.isoformat()}T00:00:00Z",
        "request": "[base]/$export",
        "requiresAccessToken": False,
        "output": output,
        "error": [],
    }
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))


def _count(summary: ExportSummary, path: Path) -> int:
    kind = path.name.split(".", 1)[0]
    files = [p for p in summary.files if p.name.split(".", 1)[0] == kind]
    before = RESOURCES_PER_FILE * files.index(path)
    return min(RESOURCES_PER_FILE, summary.resources[kind] - before)
