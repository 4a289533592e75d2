"""Pruning gives the results of decoding everything: on a realistic health-system export
(`synth --population`), through its manifest, with Dask, and on mutated input (odd values
anywhere, and the edits a careless byte search would get wrong)."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from dystonia_cds.screening.pipeline import Executor, screen_population
from dystonia_cds.screening.synth.writer import generate_population
from mutation import ODD_VALUES, paths, set_at

AT = date(2026, 11, 1)
COMPARED = ("results.csv",)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("health-system")
    generate_population(folder, population=1200, prevalence=0.03, seed=5)
    return folder


def _screen(source: Path, out: Path, **options: Any) -> dict[str, Any]:
    summary = screen_population(source, out, on=AT, partition_bytes=256 * 1024, **options)
    found = {name: (out / name).read_bytes() for name in COMPARED}
    found["summary"] = {k: v for k, v in summary.items() if k != "errors"}
    found["population"] = orjson.loads((out / "population.json").read_bytes())
    return found


def test_pruning_gives_the_results_of_decoding_everything(export: Path, tmp_path: Path) -> None:
    pruned = _screen(export, tmp_path / "pruned")
    full = _screen(export, tmp_path / "full", prune=False)
    assert pruned["results.csv"] == full["results.csv"]
    assert pruned["summary"] == full["summary"]
    population = pruned["population"]
    assert population["active_dystonia"] > 0
    assert population["deceased"] > 0
    assert population["cohort"] < population["patients"] / 10
    assert population["bytes_not_decoded"] > 0
    assert full["population"]["bytes_not_decoded"] == 0


def test_unread_types_are_listed_and_every_patient_is_counted(export: Path, tmp_path: Path) -> None:
    found = _screen(export / "manifest.json", tmp_path / "out")
    assert found["summary"]["patients"] == 1200
    skipped = found["population"]["skipped_types"]
    assert set(skipped) == {"Claim", "DiagnosticReport", "Encounter", "ExplanationOfBenefit", "Immunization"}  # fmt: skip
    html = (tmp_path / "out" / "report.html").read_text()
    assert "ExplanationOfBenefit" in html
    assert "care gap" in html


def test_deceased_patients_are_in_no_denominator(export: Path, tmp_path: Path) -> None:
    _screen(export, tmp_path / "out")
    rows = (tmp_path / "out" / "results.csv").read_text().splitlines()
    header = rows[0].split(",")
    deceased = [
        r.split(",") for r in rows[1:] if r.split(",")[header.index('"deceased"')] == "true"
    ]
    assert deceased
    flags = [i for i, name in enumerate(header) if name.endswith('.eligible"')]
    assert all(row[i] == "false" for row in deceased for i in flags)


@pytest.mark.slow
def test_dask_gives_the_same_pruned_results(export: Path, tmp_path: Path) -> None:
    local = _screen(export, tmp_path / "local")
    dask = _screen(export, tmp_path / "dask", executor=Executor(scheduler="local:2"))
    assert local["results.csv"] == dask["results.csv"]
    assert local["summary"] == dask["summary"]


def _cohort_references(folder: Path) -> list[str]:
    rows = (folder / "results.csv").read_text().splitlines()[1:]
    return [f"Patient/{r.split(',')[0].strip(chr(34))}" for r in rows if r.split(",")[3] != '""']


def _mutate_lines(folder: Path, rng: random.Random, cohort: list[str], changes: int) -> None:
    """Odd values at random places of random lines of the plain files screening reads, and
    edits aimed at a byte search: dystonia in odd case or escaped in a background patient's
    Condition, a cohort patient's reference written with spaces or as a URL."""
    files = sorted(p for p in folder.glob("*.ndjson") if p.name.split(".")[0] != "Patient")
    files = [p for p in files if p.name.split(".")[0] not in ("Encounter",)]
    for _ in range(changes):
        path = rng.choice(files)
        lines = path.read_bytes().splitlines()
        n = rng.randrange(len(lines))
        resource = orjson.loads(lines[n])
        lines[n] = _edit(rng, resource, cohort)
        path.write_bytes(b"\n".join(lines) + b"\n")


def _edit(rng: random.Random, resource: dict[str, Any], cohort: list[str]) -> bytes:
    kind = rng.randrange(4)
    if kind == 0 and resource.get("resourceType") == "Condition":
        resource["code"] = {"text": rng.choice(["Cervical DYSTONIA", "BlephAROSPASM"])}
        return orjson.dumps(resource)
    if kind == 1 and resource.get("resourceType") == "Condition":
        resource["code"] = {"text": "XdystoniaX"}
        return orjson.dumps(resource).replace(b"XdystoniaX", b"\\u0044ystonia")
    if kind == 2 and cohort and "subject" in resource:
        reference = rng.choice(cohort)
        if rng.random() < 0.5:  # compact, as exporters write: judged from the reference
            resource["subject"] = {"reference": "https://ehr.example.org/fhir/" + reference}
            return orjson.dumps(resource)
        resource["subject"] = {"display": "x", "reference": reference}
        return orjson.dumps(resource, option=orjson.OPT_INDENT_2).replace(b"\n", b" ")
    place = rng.choice(list(paths(resource)))
    set_at(resource, place, rng.choice(ODD_VALUES))
    return orjson.dumps(resource)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutated_input_gives_the_same_results_pruned_or_not(
    export: Path, tmp_path: Path, seed: int
) -> None:
    folder = tmp_path / "mutated"
    shutil.copytree(export, folder)
    _screen(export, tmp_path / "clean")
    _mutate_lines(folder, random.Random(seed), _cohort_references(tmp_path / "clean"), 40)
    pruned = _screen(folder, tmp_path / "pruned", max_errors=1.0)
    full = _screen(folder, tmp_path / "full", prune=False, max_errors=1.0)
    assert pruned["results.csv"] == full["results.csv"]
    assert pruned["summary"] == full["summary"]


def test_gzip_files_give_the_same_results_as_plain_ones(tmp_path: Path) -> None:
    generate_population(tmp_path / "plain", population=300, prevalence=0.05, seed=9)
    generate_population(tmp_path / "gzip", population=300, prevalence=0.05, seed=9, gzip="all")
    assert all(p.name.endswith(".gz") for p in (tmp_path / "gzip").glob("*.ndjson*"))
    plain = _screen(tmp_path / "plain", tmp_path / "a")
    packed = _screen(tmp_path / "gzip" / "manifest.json", tmp_path / "b")
    assert plain["results.csv"] == packed["results.csv"]
    assert plain["summary"] == packed["summary"]
