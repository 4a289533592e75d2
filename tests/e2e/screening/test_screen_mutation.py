"""A synthetic export with a share of its resources mutated (odd values at any place: wrong
JSON types, extreme numbers, impossible or future dates): the screening runs to the end, writes
every output and counts what it could not read. (This found a future birth date counted as a
child in the denominators, and an age over 200 that stopped the run at the report.)"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.screening.pipeline import screen_population
from dystonia_cds.screening.synth import generate_export
from mutation import ODD_VALUES, paths, set_at

AT = date(2026, 11, 1)
OUTPUTS = ("summary.json", "results.csv", "results.parquet", "errors.ndjson", "report.html")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clean")
    generate_export(folder, patients=150, seed=5)
    return folder


def _mutated(source: Path, target: Path, seed: int, share: float) -> None:
    rng = random.Random(seed)
    target.mkdir()
    for file in source.iterdir():
        lines = []
        for line in file.read_bytes().splitlines():
            resource = orjson.loads(line)
            if rng.random() < share:
                set_at(resource, rng.choice(list(paths(resource))), rng.choice(ODD_VALUES))
            lines.append(orjson.dumps(resource))
        (target / file.name).write_bytes(b"\n".join(lines) + b"\n")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), share=st.sampled_from([0.05, 0.3, 0.6]))
def test_a_mutated_export_is_screened_to_the_end(
    export: Path, tmp_path_factory: pytest.TempPathFactory, seed: int, share: float
) -> None:
    work = tmp_path_factory.mktemp("mutated")
    _mutated(export, work / "in", seed, share)
    summary = screen_population(work / "in", work / "out", on=AT, max_errors=1.0)
    assert summary["patients"] > 0
    for name in OUTPUTS:
        assert (work / "out" / name).stat().st_size > 0 or name == "errors.ndjson"
    for measure in summary["measures"].values():
        assert 0 <= measure["numerator"] <= measure["denominator"]
