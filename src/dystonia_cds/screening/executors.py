"""Executors on one machine: in the local process (streaming) or several worker processes.

Both run the same two phases as the Dask executor: map each partition to packed facts per
bucket, then reduce each bucket; only bytes cross process boundaries.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable
from functools import partial

from dystonia_cds.screening.grouping import BucketResult, reduce_bucket
from dystonia_cds.screening.job import Outcome, Progress, ScreenJob, strip
from dystonia_cds.screening.mapper import MapResult, map_partition

EMPTY = 2  # a msgpack-encoded empty list is one byte; anything longer holds facts


class Shuffle:
    """Packed facts per bucket (bytes only), filled by the map phase."""

    def __init__(self, buckets: int) -> None:
        self.blobs: list[list[bytes]] = [[] for _ in range(buckets)]
        self.shared: list[bytes] = []

    def add(self, result: MapResult) -> None:
        for index, blob in enumerate(result.buckets):
            if len(blob) >= EMPTY:
                self.blobs[index].append(blob)
        if len(result.shared) >= EMPTY:
            self.shared.append(result.shared)

    def take(self, index: int) -> list[bytes]:
        blobs, self.blobs[index] = self.blobs[index], []
        return blobs


def run_local(job: ScreenJob, progress: Progress) -> Outcome:
    """One process: partitions one after another, then buckets one after another."""
    outcome, shuffle = Outcome(), Shuffle(job.buckets)
    progress.phase("reading", sum(p.size for p in job.partitions))
    for part in job.partitions:
        result = map_partition(part, job.buckets, cohort=job.cohort)
        shuffle.add(result)
        outcome.add_map(strip(result))
        progress.advance(part.size, result.resources)
    progress.phase("evaluating", job.buckets)
    for index in range(job.buckets):
        bucket = reduce_bucket(shuffle.take(index), shuffle.shared, job.on, job.measure_ids)
        outcome.add_bucket(bucket)
        progress.advance(1, len(bucket.rows))
    return outcome.finish()


def _reduce(args: tuple[list[bytes], list[bytes], ScreenJob]) -> BucketResult:
    blobs, shared, job = args
    return reduce_bucket(blobs, shared, job.on, job.measure_ids)


def warm() -> None:
    """Load the vocabulary, the typed decoder, the knowledge base and the engine (cached)."""
    from dystonia_cds.engine import recommend  # noqa: F401 - imported for its load cost
    from dystonia_cds.screening.grouping import _knowledge
    from dystonia_cds.screening.mapper import _reader, default_extract

    default_extract()
    _reader()
    _knowledge()


def run_processes(job: ScreenJob, progress: Progress, processes: int) -> Outcome:
    """Several worker processes over partitions (byte ranges), then over buckets.

    Everything read-only is loaded once, before the fork, and frozen out of the collector's
    sight, so the workers share those pages instead of each loading and copying them."""
    outcome, shuffle = Outcome(), Shuffle(job.buckets)
    warm()
    gc.freeze()
    try:
        return _run_pool(job, progress, processes, outcome, shuffle)
    finally:
        gc.unfreeze()


def _run_pool(
    job: ScreenJob, progress: Progress, processes: int, outcome: Outcome, shuffle: Shuffle
) -> Outcome:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        progress.phase("reading", sum(p.size for p in job.partitions))
        mapper = partial(map_partition, buckets=job.buckets, cohort=job.cohort)
        for result in pool.imap_unordered(mapper, job.partitions):
            shuffle.add(result)
            outcome.add_map(strip(result))
            progress.advance(result.size, result.resources)
        progress.phase("evaluating", job.buckets)
        work: Iterable[tuple[list[bytes], list[bytes], ScreenJob]] = (
            (shuffle.take(i), shuffle.shared, job) for i in range(job.buckets)
        )
        for bucket in pool.imap_unordered(_reduce, work):
            outcome.add_bucket(bucket)
            progress.advance(1, len(bucket.rows))
    return outcome.finish()
