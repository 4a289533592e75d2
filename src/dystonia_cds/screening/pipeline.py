"""`screen_population`: the whole run, whatever the executor, and its outputs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.screening import outputs
from dystonia_cds.screening.job import Outcome, Progress, ScreenJob
from dystonia_cds.screening.measures import select_measures
from dystonia_cds.screening.partitions import (
    PARTITION_BYTES,
    Partition,
    find_export,
    plan_partitions,
)
from dystonia_cds.screening.progress import Silent
from dystonia_cds.screening.prune import ALWAYS_READ, COHORT_TYPES, scan_cohort
from dystonia_cds.screening.report import render_report

logger = logging.getLogger(__name__)

LOCAL_BUCKETS = 32  # the fewest buckets in one process
BUCKET_INPUT_BYTES = 1 << 20  # about this much input (uncompressed) per bucket
MAX_BUCKETS = 1024
GZIP_FACTOR = 8  # a gzip NDJSON export inflates about this much (estimate for bucket counts)


@dataclass(frozen=True, slots=True)
class Executor:
    """Where to run: `processes` local worker processes, or a Dask `scheduler` address."""

    processes: int = 1
    scheduler: str | None = None


def screen_population(
    directory: Path,
    out: Path,
    *,
    on: date,
    measures: str | None = None,
    executor: Executor = Executor(),
    max_errors: float = 0.01,
    progress: Progress | None = None,
    partition_bytes: int = PARTITION_BYTES,
    prune: bool = True,
) -> dict[str, Any]:
    """Screen an export (a directory, or its `$export` manifest.json); write the outputs;
    return the summary. `InvalidInput` past max_errors. `prune=False` decodes every line
    (the same results: docs/scaling.md "Pruning")."""
    selected = tuple(m.id for m in select_measures(measures))
    directory = directory.absolute()  # workers on other nodes open the files by this path
    export = find_export(directory)
    parts = tuple(plan_partitions(export.files, partition_bytes))
    progress = progress or Silent()
    cohort = find_cohort(parts, progress) if prune else None
    job = ScreenJob(parts, LOCAL_BUCKETS, on, selected, cohort)
    outcome = execute(job, executor, progress)
    root = directory if directory.is_dir() else directory.parent
    errors = outputs.resolve_lines(outcome.errors, root)
    summary = outputs.summary_dict(outcome, len(errors), selected)
    details = outputs.population_dict(outcome, export.skipped, cohort)
    write_all(out, outcome, errors, summary, on, details)
    _check_error_share(len(errors), outcome, max_errors)
    return summary


def find_cohort(parts: tuple[Partition, ...], progress: Progress) -> frozenset[str]:
    """The patients with a Condition line that could be dystonia (`prune.py`)."""
    searched = [p for p in parts if p.resource_type in COHORT_TYPES]
    progress.phase("cohort", sum(p.size for p in searched))
    cohort: set[str] = set()
    for part in searched:
        scan = scan_cohort(part)
        cohort |= scan.patients
        progress.advance(part.size, scan.lines)
    return frozenset(cohort)


def bucket_count(parts: tuple[Partition, ...], minimum: int, pruned: bool = False) -> int:
    """Buckets for an export: at least `minimum`, and about one per MiB of input, so that one
    bucket's facts (what a reduce step decodes, groups and evaluates at once) stay small
    enough for the CPU caches: with 32 buckets, 100,000 patients cost about a third more CPU
    per patient in the reduce phase than 6,000 did. When pruning, only the files read whole
    (Patient) count: the cohort's share of the rest is small."""
    if pruned:
        parts = tuple(p for p in parts if p.resource_type in ALWAYS_READ)
    size = sum(p.size * (GZIP_FACTOR if p.compressed else 1) for p in parts)
    return max(minimum, min(MAX_BUCKETS, size // BUCKET_INPUT_BYTES))


def execute(job: ScreenJob, executor: Executor, progress: Progress) -> Outcome:
    """Run the job; bucket counts differ per executor, results do not (rows sorted by id).
    One process scales its buckets with the input (`bucket_count`); on Dask each bucket is a
    task that gathers every map result, and more than two per worker thread measured slower
    (so did more than four per process with `--processes`)."""
    if executor.scheduler:
        from dystonia_cds.screening.dask_executor import dask_client, run_dask

        with dask_client(executor.scheduler) as client:
            threads = sum(client.nthreads().values()) or 1
            return run_dask(replace(job, buckets=2 * threads), progress, client)
    if executor.processes > 1:
        from dystonia_cds.screening.executors import run_processes

        buckets = 4 * executor.processes  # more (as in one process) measured no faster here
        return run_processes(replace(job, buckets=buckets), progress, executor.processes)
    from dystonia_cds.screening.executors import run_local

    buckets = bucket_count(job.partitions, job.buckets, job.cohort is not None)
    return run_local(replace(job, buckets=buckets), progress)


def write_all(
    out: Path,
    outcome: Outcome,
    errors: list[outputs.FileError],
    summary: dict[str, Any],
    on: date,
    details: dict[str, Any] | None = None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    selected = tuple(summary["measures"])
    details = details or outputs.population_dict(outcome, {}, None)
    outputs.write_results(out, outcome, selected)
    outputs.write_errors(out, errors)
    outputs.write_summary(out, summary)
    outputs.write_json(out / "population.json", details)
    (out / "report.html").write_text(
        render_report(summary, outcome.rows, selected, on, details), encoding="utf-8"
    )


def _check_error_share(errors: int, outcome: Outcome, max_errors: float) -> None:
    attempted = outcome.resources + outcome.skipped + errors
    share = errors / attempted if attempted else 0.0
    if errors and share > max_errors:
        raise InvalidInput(
            f"{errors} of {attempted} resources could not be read ({share:.2%}), more than "
            f"--max-errors {max_errors:.2%}; see errors.ndjson in the output directory"
        )
    if outcome.resources == 0:
        raise InvalidInput("the export holds no readable resources")
