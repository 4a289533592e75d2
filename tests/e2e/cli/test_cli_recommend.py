"""`dystonia-cds recommend` as a whole process: JSON and text output, --at, every bad input
-> exit 2 with one line on stderr and no traceback, and every example Bundle end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dystonia_cds import DISCLAIMER
from fhir_builders import bundle, condition, icd10, patient

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
CLI = Path(sys.executable).parent / "dystonia-cds"
STRENGTHS = ["first-line", "recommended", "consider", "not-recommended", "contraindicated"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "recommend", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(tmp_path: Path, data: bytes | dict, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else orjson.dumps(data))
    return path


def test_example_folder_holds_the_required_cases() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {
        "acute-dystonic-reaction",
        "child-generalized-dystonia",
        "adult-cervical-dystonia",
        "refractory-generalized-dystonia",
    } <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gives_contract_json(example: Path) -> None:
    done = run(example, "--at", "2026-11-25", "--format", "json")
    assert done.returncode == 0, done.stderr
    out = orjson.loads(done.stdout)
    assert set(out) >= {"patient", "evaluated_at", "options", "alerts", "knowledge_version"}
    assert out["evaluated_at"] == "2026-11-25"
    ranks = [o["rank"] for o in out["options"]]
    assert ranks == list(range(1, len(ranks) + 1))
    strengths = [STRENGTHS.index(o["recommendation"]) for o in out["options"]]
    positive = [s < 3 for s in strengths]
    assert positive == sorted(positive, reverse=True)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gives_a_text_summary_with_disclaimer_and_alerts_first(example: Path) -> None:
    done = run(example, "--at", "2026-11-25")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert DISCLAIMER in text
    assert text.index("ALERTS") < text.index("OPTIONS")


def test_acute_reaction_example_puts_the_critical_alert_and_parenteral_drug_first() -> None:
    out = orjson.loads(
        run(
            REPO / "examples/acute-dystonic-reaction.json", "--at", "2026-11-25", "--format", "json"
        ).stdout
    )
    assert out["alerts"][0]["id"] == "acute-dystonic-reaction"
    assert out["alerts"][0]["severity"] == "critical"
    assert out["options"][0]["id"] in ("diphenhydramine", "benztropine")


def test_refractory_example_leads_to_dbs_evaluation() -> None:
    out = orjson.loads(
        run(
            REPO / "examples/refractory-generalized-dystonia.json",
            "--at",
            "2026-11-25",
            "--format",
            "json",
        ).stdout
    )
    assert "dbs-evaluation" in {a["id"] for a in out["alerts"]}
    assert out["options"][0]["id"] == "deep-brain-stimulation"


def test_at_sets_the_evaluation_date_and_changes_the_age(tmp_path: Path) -> None:
    path = write(tmp_path, bundle(patient(birth_date="2008-06-01"), condition(icd10("G24.3"))))
    before = orjson.loads(run(path, "--at", "2026-05-31", "--format", "json").stdout)
    after = orjson.loads(run(path, "--at", "2026-06-01", "--format", "json").stdout)
    assert (before["patient"]["age_years"], after["patient"]["age_years"]) == (17, 18)


def test_without_at_the_evaluation_date_is_today(tmp_path: Path) -> None:
    from datetime import date

    out = orjson.loads(run(write(tmp_path, bundle(patient())), "--format", "json").stdout)
    assert out["evaluated_at"] == date.today().isoformat()


def _bad_cases(tmp_path: Path) -> dict[str, tuple[list[str | Path], str]]:
    good = bundle(patient())
    bad_type = bundle(patient(), condition(icd10("G24.3")))
    bad_type["entry"][1]["resource"]["code"] = "G24.3"
    bad_date = bundle(patient(birth_date="2019-02-29"))
    return {
        "missing file": ([tmp_path / "nope.json"], "nope.json: no such file"),
        "directory": ([tmp_path], "is a directory"),
        "unreadable path": ([write(tmp_path, good, "f.json") / "x.json"], "cannot be read"),
        "empty file": ([write(tmp_path, b"", "empty.json")], "not JSON"),
        "not json": ([write(tmp_path, b"<Bundle/>", "x.xml")], "not JSON"),
        "binary": ([write(tmp_path, bytes(range(256)), "bin.json")], "not JSON"),
        "not a bundle": ([write(tmp_path, patient(), "p.json")], "not a FHIR Bundle"),
        "json array": ([write(tmp_path, b"[]", "a.json")], "not a FHIR Bundle"),
        "wrong bundle type": (
            [write(tmp_path, {**good, "type": "history"}, "h.json")],
            "Bundle.type",
        ),
        "no patient": (
            [write(tmp_path, bundle(condition(icd10("G24.3"))), "np.json")],
            "no Patient",
        ),
        "two patients": (
            [write(tmp_path, bundle(patient("a"), patient("b")), "2p.json")],
            "2 Patients",
        ),
        "wrong type": ([write(tmp_path, bad_type, "wt.json")], "code: must be an object"),
        "impossible date": (
            [write(tmp_path, bad_date, "d.json")],
            "birthDate: is an impossible date",
        ),
        "bad --at": (
            [write(tmp_path, good, "g1.json"), "--at", "2026-02-30"],
            "--at must be a date",
        ),
        "bad --format": (
            [write(tmp_path, good, "g2.json"), "--format", "xml"],
            "--format must be text or json",
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["missing file", "directory", "unreadable path", "empty file", "not json", "binary", "not a bundle", "json array", "wrong bundle type",
     "no patient", "two patients", "wrong type", "impossible date", "bad --at", "bad --format"],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path: Path, case: str) -> None:
    args, expected = _bad_cases(tmp_path)[case]
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr


def test_error_names_the_file_and_the_resource(tmp_path: Path) -> None:
    b = bundle(patient(), condition(icd10("G24.3"), onsetDateTime="2020-04-31"))
    rid = b["entry"][1]["resource"]["id"]
    done = run(write(tmp_path, b, "case.json"))
    assert f"case.json: Condition/{rid}.onsetDateTime: is an impossible date" in done.stderr


def test_unknown_codes_are_not_fatal_and_are_reported(tmp_path: Path) -> None:
    b = bundle(patient(), condition(icd10("Z99.89", "Dependence on other enabling machines")))
    done = run(write(tmp_path, b), "--format", "json", "--at", "2026-11-25")
    assert done.returncode == 0
    assert any("Z99.89" in u["reason"] for u in orjson.loads(done.stdout)["unrecognized"])


def test_largest_synthea_bundle_through_the_cli_shows_no_active_dystonia() -> None:
    from fhir_builders import synthea_dir

    files = sorted(synthea_dir().glob("*.json"), key=lambda p: p.stat().st_size)
    if not files:
        pytest.skip("shared/interop/synthea-r4 not present")
    largest = files[-1]
    done = run(largest, "--at", "2026-11-25", "--format", "json")
    assert done.returncode == 0, done.stderr
    out = orjson.loads(done.stdout)
    assert out["patient"]["has_dystonia"] is False
    assert out["options"] == []
    text = run(largest, "--at", "2026-11-25")
    assert "No active dystonia recorded." in text.stdout
    assert "COULD NOT BE UNDERSTOOD" in text.stdout
