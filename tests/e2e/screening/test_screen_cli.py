"""`dystonia-cds synth` and `dystonia-cds screen` end to end, as a user runs them."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dystonia_cds.screening.measures import MEASURE_IDS

CLI = str(Path(sys.executable).parent / "dystonia-cds")
AT = "2026-11-01"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    assert _cli("synth", "--patients", "400", "--out", str(folder), "--seed", "4").returncode == 0
    return folder


def test_screening_a_synthetic_export_writes_every_output(export: Path, tmp_path: Path) -> None:
    done = _cli("screen", str(export), "--out", str(tmp_path), "--at", AT)
    assert done.returncode == 0, done.stderr
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert set(summary) == {"patients", "errors", "measures"}
    assert summary["patients"] == 400
    assert summary["errors"] == 0
    assert list(summary["measures"]) == list(MEASURE_IDS)
    for value in summary["measures"].values():
        assert set(value) == {"numerator", "denominator", "rate"}
        assert 0 <= value["numerator"] <= value["denominator"]
    rows = (tmp_path / "results.csv").read_text().splitlines()
    assert len(rows) == 401
    assert (tmp_path / "results.parquet").stat().st_size > 0
    assert (tmp_path / "errors.ndjson").read_bytes() == b""
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html
    assert "decision support" in html
    assert "<script" not in html


def test_every_measure_finds_seeded_gaps_in_a_synthetic_export(
    export: Path, tmp_path: Path
) -> None:
    assert _cli("screen", str(export), "--out", str(tmp_path), "--at", AT).returncode == 0
    measures = orjson.loads((tmp_path / "summary.json").read_bytes())["measures"]
    assert all(value["denominator"] > 0 for value in measures.values()), measures
    assert sum(value["numerator"] > 0 for value in measures.values()) >= 5, measures


def test_measures_option_limits_the_summary(export: Path, tmp_path: Path) -> None:
    chosen = "wilson-disease-screen,dbs-evaluation"
    assert (
        _cli(
            "screen", str(export), "--out", str(tmp_path), "--at", AT, "--measures", chosen
        ).returncode
        == 0
    )
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert list(summary["measures"]) == ["dbs-evaluation", "wilson-disease-screen"]


def test_a_missing_directory_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    done = _cli("screen", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "not a directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_directory_exits_2(tmp_path: Path) -> None:
    done = _cli("screen", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "no .ndjson" in done.stderr


def _corrupt(export: Path, folder: Path) -> None:
    folder.mkdir()
    for path in export.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    with (folder / "Condition.000.ndjson").open("ab") as handle:
        handle.write(b"{broken\n")
        handle.write(b'{"resourceType": "Condition", "id": "x"}\n')
        handle.write(b'{"resourceType": "Starship", "id": "y"}\n')
    observations = (export / "Observation.000.ndjson").read_bytes()
    (folder / "Observation.001.ndjson.gz").write_bytes(gzip.compress(observations)[:60])


def test_bad_lines_are_reported_with_file_and_line_and_the_run_goes_on(
    export: Path, tmp_path: Path
) -> None:
    _corrupt(export, tmp_path / "in")
    done = _cli("screen", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--at", AT)
    assert done.returncode == 0, done.stderr
    errors = [
        orjson.loads(line)
        for line in (tmp_path / "out" / "errors.ndjson").read_bytes().splitlines()
    ]
    lines = len((export / "Condition.000.ndjson").read_bytes().splitlines())
    assert [(e["file"], e["line"]) for e in errors] == [
        ("Condition.000.ndjson", lines + 1),
        ("Condition.000.ndjson", lines + 2),
        ("Condition.000.ndjson", lines + 3),
        ("Observation.001.ndjson.gz", 1),
    ]
    reasons = " ".join(e["reason"] for e in errors)
    assert "malformed JSON" in reasons
    assert "subject" in reasons
    assert "Starship" in reasons
    assert "gzip" in reasons
    assert orjson.loads((tmp_path / "out" / "summary.json").read_bytes())["errors"] == 4


def test_errors_above_the_max_errors_share_exit_2(export: Path, tmp_path: Path) -> None:
    _corrupt(export, tmp_path / "in")
    done = _cli(
        "screen",
        str(tmp_path / "in"),
        "--out",
        str(tmp_path / "out"),
        "--at",
        AT,
        "--max-errors",
        "0.0001",
    )
    assert done.returncode == 2
    assert "--max-errors" in done.stderr
    assert (tmp_path / "out" / "errors.ndjson").exists()


_PEAK_RSS = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


@pytest.mark.slow
def test_memory_stays_bounded_on_a_larger_export(tmp_path: Path) -> None:
    assert (
        _cli(
            "synth", "--patients", "20000", "--out", str(tmp_path / "big"), "--seed", "9"
        ).returncode
        == 0
    )
    command = [CLI, "screen", str(tmp_path / "big"), "--out", str(tmp_path / "out"), "--at", AT]
    # a wrapper process whose only child is the screen command, so other tests' children do not count
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    code, peak_kb = (int(v) for v in done.stdout.split())
    assert code == 0
    assert peak_kb / 1024 < 400, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_synth_refuses_a_directory_that_already_holds_an_export(export: Path) -> None:
    done = _cli("synth", "--patients", "5", "--out", str(export))
    assert done.returncode == 2
    assert "already holds NDJSON files" in done.stderr


def test_screen_help_lists_every_measure_id() -> None:
    done = _cli("screen", "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split()).replace("│", "").replace(" ", "")
    assert all(measure.replace(" ", "") in text for measure in MEASURE_IDS)
