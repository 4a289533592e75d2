"""Results are identical whatever the executor: local, worker processes, Dask LocalCluster(2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dystonia_cds.screening.pipeline import Executor, screen_population
from dystonia_cds.screening.synth import ANCHOR, generate_export

OUTPUTS = ("summary.json", "results.csv", "errors.ndjson")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    generate_export(folder, patients=600, seed=21)
    with (folder / "Condition.000.ndjson").open("ab") as handle:
        handle.write(b"{broken\n")
    return folder


def _screen(export: Path, out: Path, executor: Executor, on: date = ANCHOR) -> dict[str, bytes]:
    screen_population(export, out, on=on, executor=executor, partition_bytes=64 * 1024)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.mark.slow
def test_local_processes_and_dask_give_identical_results(export: Path, tmp_path: Path) -> None:
    local = _screen(export, tmp_path / "local", Executor())
    processes = _screen(export, tmp_path / "processes", Executor(processes=2))
    dask = _screen(export, tmp_path / "dask", Executor(scheduler="local:2"))
    assert local == processes
    assert local == dask
    assert b"broken" not in local["errors.ndjson"]
    assert b"malformed JSON" in local["errors.ndjson"]


@pytest.mark.slow
def test_both_dask_shuffles_give_the_same_outcome(export: Path) -> None:
    from dystonia_cds.screening.dask_executor import dask_client, run_dask
    from dystonia_cds.screening.job import ScreenJob
    from dystonia_cds.screening.measures import MEASURE_IDS
    from dystonia_cds.screening.partitions import find_export_files, plan_partitions
    from dystonia_cds.screening.progress import Silent

    parts = tuple(plan_partitions(find_export_files(export), 64 * 1024))
    job = ScreenJob(parts, 4, ANCHOR, MEASURE_IDS)
    with dask_client("local:2") as client:
        direct = run_dask(job, Silent(), client, direct=True)
        picked = run_dask(job, Silent(), client, direct=False)
    assert direct == picked
    assert len(direct.rows) == 600
