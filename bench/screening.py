"""Screening throughput against plain orjson decoding, peak RSS, Dask LocalCluster(2) speed-ups.

    python bench/screening.py [--quick] [--patients N]

All timings that are compared are measured side by side in this run on the same generated
export (plain and gzip); each figure is the best of a few rounds, so that a burst of other work
on a shared machine does not decide a ratio. `parallel_ceiling` is what two processes of pure
Python gain over one on this machine at this moment (the bound for any 2-worker speed-up).
Last stdout line:
`RESULT ratio_vs_orjson=... peak_rss_mb=... dask_map_speedup=... dask_pipeline_speedup=...`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson

from dystonia_cds.screening.job import ScreenJob
from dystonia_cds.screening.lines import read_blocks
from dystonia_cds.screening.mapper import map_partition
from dystonia_cds.screening.measures import MEASURE_IDS
from dystonia_cds.screening.partitions import Partition, find_export_files, plan_partitions
from dystonia_cds.screening.pipeline import LOCAL_BUCKETS, Executor, bucket_count, execute
from dystonia_cds.screening.progress import Silent
from dystonia_cds.screening.synth import ANCHOR, generate_export

ROUNDS = 3


def single_process(parts: list[Partition], on: date) -> dict[str, float]:
    """orjson decode, map phase and whole screening, interleaved round by round; the best wall
    time of each (for speed-ups) and the best CPU time of each (for the ratios: one core's work,
    whatever else the machine runs)."""
    stages: dict[str, Callable[[], object]] = {
        "decode": lambda: orjson_rate(parts),
        "map": lambda: map_time(parts),
        "whole": lambda: pipeline_time(parts, on),
    }
    out: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, stage in stages.items():
            wall, cpu = time.perf_counter(), time.process_time()
            stage()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            out[f"{name}_wall"] = min(out.get(f"{name}_wall", wall), wall)
            out[f"{name}_cpu"] = min(out.get(f"{name}_cpu", cpu), cpu)
    return out


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i & 7
    return time.perf_counter() - start


def parallel_ceiling(n: int = 3_000_000) -> float:
    """Two processes spinning side by side vs one: the speed-up this machine offers right now."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_spin, [1000, 1000])
        one = min(_spin(n) for _ in range(2))
        start = time.perf_counter()
        pool.map(_spin, [n, n])
        two = time.perf_counter() - start
    return 2 * one / two


def orjson_rate(parts: list[Partition]) -> tuple[int, float]:
    start, count = time.perf_counter(), 0
    for part in parts:
        for block in read_blocks(part):
            for line in block.splitlines():
                orjson.loads(line)
                count += 1
    return count, time.perf_counter() - start


def map_time(parts: list[Partition]) -> tuple[int, float]:
    """The map phase alone, with as many buckets as the local executor uses."""
    buckets = bucket_count(tuple(parts), LOCAL_BUCKETS)
    start, count = time.perf_counter(), 0
    for part in parts:
        count += map_partition(part, buckets).resources
    return count, time.perf_counter() - start


def pipeline_time(parts: list[Partition], on: date) -> tuple[int, float]:
    """The whole screening as `dystonia-cds screen` runs it (local executor, its buckets)."""
    job = ScreenJob(tuple(parts), LOCAL_BUCKETS, on, MEASURE_IDS)
    start = time.perf_counter()
    outcome = execute(job, Executor(), Silent())
    return outcome.resources, time.perf_counter() - start


def processes_map_time(parts: list[Partition]) -> float:
    """The map phase over 2 forked worker processes (pool started before the clock)."""
    import multiprocessing
    from functools import partial

    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_warm_worker, range(2))
        rounds = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            mapper = partial(map_partition, buckets=8)  # as `--processes 2`
            for _ in pool.imap_unordered(mapper, parts):
                pass
            rounds.append(time.perf_counter() - start)
        return min(rounds)


def processes_pipeline_time(parts: list[Partition], on: date) -> float:
    """The whole pipeline with `--processes 2` (pool start included, as a user sees it)."""
    job = ScreenJob(tuple(parts), LOCAL_BUCKETS, on, MEASURE_IDS)
    rounds = []
    for _ in range(2):
        start = time.perf_counter()
        execute(job, Executor(processes=2), Silent())
        rounds.append(time.perf_counter() - start)
    return min(rounds)


def _warm_worker(_: int) -> None:
    _warm()


def peak_rss_mb(export: Path, out: Path) -> float:
    """Peak RSS of `dystonia-cds screen` (local executor) in a child process."""
    command = [
        sys.executable,
        "-m",
        "dystonia_cds.cli",
        "screen",
        str(export),
        "--out",
        str(out),
        "--at",
        ANCHOR.isoformat(),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _warm() -> None:
    from dystonia_cds.screening.executors import warm

    warm()


def dask_times(parts: list[Partition], on: date) -> tuple[float, float]:
    from distributed import Client, LocalCluster, wait

    from dystonia_cds.screening.dask_executor import run_dask
    from dystonia_cds.screening.job import strip

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm)  # vocabulary, knowledge and engine loaded in each worker
        mapped = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            maps = client.map(map_partition, parts, buckets=4, pure=False)
            wait(client.map(strip, maps))
            mapped.append(time.perf_counter() - start)
            del maps
        job = ScreenJob(tuple(parts), 4, on, MEASURE_IDS)
        whole = []
        for _ in range(2):
            start = time.perf_counter()
            run_dask(job, Silent(), client)
            whole.append(time.perf_counter() - start)
        return min(mapped), min(whole)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--patients", type=int, default=None)
    args = parser.parse_args()
    patients = args.patients or (6_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), patients, 4 << 20 if args.quick else 16 << 20)


def run(tmp: Path, patients: int, partition_bytes: int) -> None:
    start = time.perf_counter()
    generate_export(tmp / "plain", patients=patients, seed=11)
    generate_export(tmp / "gzip", patients=patients, seed=11, compress=True)
    print(f"generated {patients} patients (plain + gzip) in {time.perf_counter() - start:.1f} s")
    plain = plan_partitions(find_export_files(tmp / "plain"), partition_bytes)
    gz = plan_partitions(find_export_files(tmp / "gzip"), partition_bytes)
    _warm()
    figures: dict[str, float] = {}
    count = orjson_rate(plain)[0]
    for name, parts in (("plain", plain), ("gzip", gz)):
        t = single_process(parts, ANCHOR)
        figures[f"map_ratio_{name}"] = t["decode_cpu"] / t["map_cpu"]
        figures[f"ratio_{name}"] = t["decode_cpu"] / t["whole_cpu"]
        print(
            f"{name}: {count} resources; per CPU second: orjson {count / t['decode_cpu']:,.0f}/s, "
            f"map phase {count / t['map_cpu']:,.0f}/s, whole screening {count / t['whole_cpu']:,.0f}/s "
            f"(wall: {count / t['decode_wall']:,.0f}, {count / t['map_wall']:,.0f}, {count / t['whole_wall']:,.0f}/s)"
        )
        per = 1e6 / patients
        print(
            f"{name}: CPU per patient: orjson {t['decode_cpu'] * per:.1f} µs, "
            f"map phase {t['map_cpu'] * per:.1f} µs, whole screening {t['whole_cpu'] * per:.1f} µs "
            f"(reduce and the rest: {(t['whole_cpu'] - t['map_cpu']) * per:.1f} µs)"
        )
        if name == "plain":
            single_map, single_whole = t["map_wall"], t["whole_wall"]
    figures["rss"] = peak_rss_mb(tmp / "plain", tmp / "out")  # before any other child process
    figures["ceiling"] = parallel_ceiling()
    figures["processes_map"] = single_map / processes_map_time(plain)
    figures["processes_pipeline"] = single_whole / processes_pipeline_time(plain, ANCHOR)
    dask_map, dask_whole = dask_times(plain, ANCHOR)
    figures["dask_map"] = single_map / dask_map
    figures["dask_pipeline"] = single_whole / dask_whole
    print(
        f"peak RSS {figures['rss']:.0f} MB; Dask(2) map {single_map:.2f}s -> {dask_map:.2f}s, pipeline {single_whole:.2f}s -> {dask_whole:.2f}s"
    )
    print(
        f"RESULT ratio_vs_orjson={figures['ratio_plain']:.3f} ratio_vs_orjson_gzip={figures['ratio_gzip']:.3f} "
        f"map_ratio_vs_orjson={figures['map_ratio_plain']:.3f} map_ratio_vs_orjson_gzip={figures['map_ratio_gzip']:.3f} "
        f"peak_rss_mb={figures['rss']:.0f} patients={patients} "
        f"parallel_ceiling={figures['ceiling']:.2f} "
        f"processes_map_speedup={figures['processes_map']:.2f} "
        f"processes_pipeline_speedup={figures['processes_pipeline']:.2f} "
        f"dask_map_speedup={figures['dask_map']:.2f} dask_pipeline_speedup={figures['dask_pipeline']:.2f}"
    )


if __name__ == "__main__":
    main()
