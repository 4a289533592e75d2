"""Screening evaluates each patient exactly as `recommend` does for that patient's resources."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from dystonia_cds.engine import recommend
from dystonia_cds.fhir.mapping import record_from_resources
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.screening.pipeline import screen_population
from dystonia_cds.screening.synth import ANCHOR, generate_export


def _patient_of(resource: dict[str, Any]) -> str:
    if resource["resourceType"] == "Patient":
        return str(resource["id"])
    return str(resource["subject"]["reference"]).removeprefix("Patient/")


def test_every_patients_alerts_match_the_recommend_path(tmp_path: Path) -> None:
    generate_export(tmp_path / "export", patients=250, seed=31)
    screen_population(tmp_path / "export", tmp_path / "out", on=ANCHOR, partition_bytes=32 * 1024)
    by_patient: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted((tmp_path / "export").iterdir()):
        for line in path.read_bytes().splitlines():
            resource = orjson.loads(line)
            by_patient[_patient_of(resource)].append(resource)
    with (tmp_path / "out" / "results.csv").open() as handle:
        screened = {row["patient_id"]: row["alerts"] for row in csv.DictReader(handle)}
    kb = load_knowledge()
    expected = {}
    for patient_id, resources in by_patient.items():
        record = record_from_resources(resources, patient_id=patient_id)
        expected[patient_id] = ";".join(
            sorted({a.id for a in recommend(record, kb, on=ANCHOR).alerts})
        )
    assert screened == expected
