"""`commands.recommend.fast_main`: a plain `recommend` command line run without the typer
stack gives exactly what the typer command gives (stdout, the one stderr line, exit code);
anything else is left to typer (None)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dystonia_cds.cli import app
from dystonia_cds.commands.recommend import fast_main, parse_fast

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = str(REPO / "examples" / "adult-cervical-dystonia.json")


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend"],
        ["recommend", "--help"],
        ["recommend", EXAMPLE, "--color"],
        ["recommend", EXAMPLE, EXAMPLE],
        ["recommend", EXAMPLE, "--at", "2026-11-25", "--at", "2026-11-26"],
        ["recommend", EXAMPLE, "--at"],
        ["recommend", "--", EXAMPLE],
        ["screen", EXAMPLE],
        [],
    ],
)
def test_anything_but_a_plain_recommend_line_is_left_to_typer(argv: list[str]) -> None:
    assert parse_fast(argv) is None
    assert fast_main(argv) is None


def test_options_may_come_before_or_after_the_file_and_with_equals() -> None:
    argv = ["recommend", "--format=json", EXAMPLE, "--at", "2026-11-25"]
    assert parse_fast(argv) == (Path(EXAMPLE), "2026-11-25", "json")
    assert parse_fast(["recommend", EXAMPLE]) == (Path(EXAMPLE), None, "text")


CASES = [
    [EXAMPLE, "--at", "2026-11-25", "--format", "json"],
    [EXAMPLE, "--at=2026-11-25"],
    [EXAMPLE, "--at", "2026-02-30", "--format", "json"],
    [EXAMPLE, "--format", "xml", "--at", "nonsense"],
    [str(REPO / "no-such-file.json"), "--format", "json"],
    [str(REPO / "examples"), "--at", "2026-11-25"],
    [str(REPO / "pyproject.toml"), "--format", "json"],
]


@pytest.mark.parametrize("args", CASES, ids=range(len(CASES)))
def test_the_fast_path_matches_the_typer_command(
    args: list[str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = fast_main(["recommend", *args])
    fast = capsysbinary.readouterr()
    typer_result = CliRunner().invoke(app, ["recommend", *args])
    assert code == typer_result.exit_code
    assert fast.out == typer_result.stdout_bytes
    assert fast.err == typer_result.stderr_bytes
