"""What a screening run computes, independent of where it runs (the executors' shared types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from dystonia_cds.screening.grouping import BucketResult, Row
from dystonia_cds.screening.mapper import LineError, MapResult
from dystonia_cds.screening.partitions import Partition


@dataclass(frozen=True, slots=True)
class ScreenJob:
    partitions: tuple[Partition, ...]
    buckets: int
    on: date
    measure_ids: tuple[str, ...]
    cohort: frozenset[str] | None = None  # None: decode every line (no pruning)


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int, resources: int = 0) -> None: ...


@dataclass(slots=True)
class Outcome:
    """Everything a run found, merged in a deterministic order whatever the executor."""

    rows: list[Row] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    resources: int = 0
    skipped: int = 0
    lines: int = 0
    errors: list[LineError] = field(default_factory=list)
    pruned: int = 0
    orphans: int = 0

    def add_map(self, result: MapResult) -> None:
        self.resources += result.resources
        self.skipped += result.skipped
        self.lines += result.lines
        self.pruned += result.pruned
        self.errors.extend(result.errors)

    def add_bucket(self, result: BucketResult) -> None:
        self.rows.extend(result.rows)
        self.orphans += result.orphans
        self.errors.extend(LineError("", 0, 0, reason) for reason in result.errors)
        for measure, (numerator, denominator) in result.counts.items():
            total = self.counts.setdefault(measure, [0, 0])
            total[0] += numerator
            total[1] += denominator

    def finish(self) -> Outcome:
        self.rows.sort(key=lambda row: row[0])
        self.errors.sort(key=lambda e: (e.path, e.base, e.line))
        return self


def strip(result: MapResult) -> MapResult:
    """The counts and errors of a map result, without its (large) packed facts."""
    return MapResult(
        [],
        b"",
        result.resources,
        result.skipped,
        result.lines,
        result.size,
        result.errors,
        result.pruned,
    )


def bucket_of(result: MapResult, index: int) -> bytes:
    return result.buckets[index]


def shared_of(result: MapResult) -> bytes:
    return result.shared
