"""Write what a run found: results (Parquet + CSV), summary.json, errors.ndjson, report.html."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dystonia_cds.screening.grouping import ROW_COLUMNS
from dystonia_cds.screening.job import Outcome
from dystonia_cds.screening.mapper import LineError


@dataclass(frozen=True, slots=True)
class FileError:
    file: str
    line: int
    reason: str


def result_columns(measure_ids: tuple[str, ...]) -> list[str]:
    flags = [f"{m}.{part}" for m in measure_ids for part in ("eligible", "gap")]
    return [*ROW_COLUMNS, *flags]


def summary_dict(outcome: Outcome, errors: int, measure_ids: tuple[str, ...]) -> dict[str, Any]:
    """`{"patients", "errors", "measures": {id: {"numerator", "denominator", "rate"}}}`."""
    measures = {}
    for measure in measure_ids:
        numerator, denominator = outcome.counts.get(measure, [0, 0])
        rate = round(numerator / denominator, 6) if denominator else 0.0
        measures[measure] = {"numerator": numerator, "denominator": denominator, "rate": rate}
    return {"patients": len(outcome.rows), "errors": errors, "measures": measures}


def population_dict(
    outcome: Outcome, skipped: dict[str, int], cohort: frozenset[str] | None
) -> dict[str, Any]:
    """`population.json`: who was screened (living patients with active dystonia; the
    deceased, in no denominator), the patient ids that decoded resources name but no Patient
    resource has (not screened), the resource types not read (files per type) and what was
    decoded (`cohort`: patients whose resources were decoded, null: everyone's; the bytes of
    the other patients' lines, not decoded)."""
    deceased = sum(1 for row in outcome.rows if row[5])
    active = sum(1 for row in outcome.rows if row[3] and not row[5])
    return {
        "patients": len(outcome.rows),
        "active_dystonia": active,
        "deceased": deceased,
        "cohort": None if cohort is None else len(cohort),
        "skipped_types": dict(sorted(skipped.items())),
        "resources_decoded": outcome.resources + outcome.skipped,
        "patients_without_patient_resource": outcome.orphans,
        "bytes_not_decoded": outcome.pruned,
    }


def write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


def resolve_lines(errors: list[LineError], root: Path) -> list[FileError]:
    """File-relative names and 1-based line numbers (counting lines before a byte range)."""
    before: dict[tuple[str, int], int] = {}
    resolved = []
    for error in errors:
        key = (error.path, error.base)
        if key not in before:
            before[key] = _lines_before(error.path, error.base) if error.path else 0
        name = os.path.relpath(error.path, root) if error.path else ""
        resolved.append(FileError(name, before[key] + error.line, error.reason))
    return resolved


def _lines_before(path: str, offset: int) -> int:
    if offset <= 0:
        return 0
    from dystonia_cds.screening.lines import line_start

    count = 0
    with open(path, "rb") as handle:
        end = line_start(handle, offset)
        handle.seek(0)
        while end > 0:
            data = handle.read(min(1 << 20, end))
            if not data:
                break
            count += data.count(b"\n")
            end -= len(data)
    return count


def write_results(out: Path, outcome: Outcome, measure_ids: tuple[str, ...]) -> None:
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    names = result_columns(measure_ids)
    columns: list[Any] = (
        list(zip(*outcome.rows, strict=True)) if outcome.rows else [() for _ in names]
    )
    types = [pa.string(), pa.int32(), pa.string(), pa.string(), pa.string(), pa.bool_()]
    types += [pa.bool_()] * (len(names) - len(types))
    table = pa.table(
        [pa.array(list(c), type=t) for c, t in zip(columns, types, strict=True)], names=names
    )
    pq.write_table(table, out / "results.parquet")
    pa_csv.write_csv(table, out / "results.csv")


def write_errors(out: Path, errors: list[FileError]) -> None:
    with (out / "errors.ndjson").open("wb") as handle:
        for error in errors:
            handle.write(
                orjson.dumps({"file": error.file, "line": error.line, "reason": error.reason})
                + b"\n"
            )


def write_summary(out: Path, summary: dict[str, Any]) -> None:
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
