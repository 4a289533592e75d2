"""The local executor's bucket count grows with the export (about one bucket per MiB of
input, gzip counted inflated), never below the minimum, never above the cap; and no count
changes what a run finds."""

from __future__ import annotations

from pathlib import Path

from dystonia_cds.screening.executors import run_local
from dystonia_cds.screening.job import ScreenJob
from dystonia_cds.screening.measures import MEASURE_IDS
from dystonia_cds.screening.partitions import Partition, find_export_files, plan_partitions
from dystonia_cds.screening.pipeline import (
    BUCKET_INPUT_BYTES,
    GZIP_FACTOR,
    LOCAL_BUCKETS,
    MAX_BUCKETS,
    bucket_count,
)
from dystonia_cds.screening.progress import Silent
from dystonia_cds.screening.synth import ANCHOR, generate_export

MIB = BUCKET_INPUT_BYTES


def _plain(*sizes: int) -> tuple[Partition, ...]:
    return tuple(Partition(f"f{n}.ndjson", 0, size, False) for n, size in enumerate(sizes))


def test_a_small_export_gets_the_minimum() -> None:
    assert bucket_count(_plain(5 * MIB, 3 * MIB), LOCAL_BUCKETS) == LOCAL_BUCKETS
    assert bucket_count((), LOCAL_BUCKETS) == LOCAL_BUCKETS


def test_a_large_export_gets_about_one_bucket_per_mib() -> None:
    assert bucket_count(_plain(*[16 * MIB] * 20), LOCAL_BUCKETS) == 320


def test_the_count_is_capped() -> None:
    assert bucket_count(_plain(*[16 * MIB] * 200), LOCAL_BUCKETS) == MAX_BUCKETS


def test_gzip_files_count_as_their_inflated_size() -> None:
    gz = (Partition("big.ndjson.gz", 0, 40 * MIB, True),)
    assert bucket_count(gz, LOCAL_BUCKETS) == 40 * GZIP_FACTOR


def test_the_bucket_count_changes_no_row_count_or_error(tmp_path: Path) -> None:
    generate_export(tmp_path, patients=120, seed=5)
    (tmp_path / "Condition.001.ndjson").write_bytes(b'{"resourceType":"Condition"\nnot json\n')
    parts = tuple(plan_partitions(find_export_files(tmp_path), 64 * 1024))
    outcomes = [
        run_local(ScreenJob(parts, buckets, ANCHOR, MEASURE_IDS), Silent())
        for buckets in (1, LOCAL_BUCKETS, 300)
    ]
    assert outcomes[0].rows
    assert outcomes[0].errors
    assert outcomes[0] == outcomes[1] == outcomes[2]
