"""`dystonia-cds screen` and `dystonia-cds synth`: thin entry points over `dystonia_cds.screening`."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dystonia_cds import DISCLAIMER, exit_codes
from dystonia_cds.domain.errors import InvalidInput

logger = logging.getLogger(__name__)


def synth(*, patients: int, out: Path, seed: int, gzip: bool) -> int:
    """Write a synthetic FHIR Bulk Data export (synthetic data only)."""
    from dystonia_cds.screening.synth import generate_export

    if patients < 1:
        raise InvalidInput(f"--patients must be at least 1, got {patients}")
    if out.is_dir() and any(p.name.endswith((".ndjson", ".ndjson.gz")) for p in out.iterdir()):
        raise InvalidInput(
            "already holds NDJSON files; choose an empty directory", location=str(out)
        )
    summary = generate_export(out, patients=patients, seed=seed, compress=gzip)
    total = sum(summary.resources.values())
    sys.stdout.write(
        f"wrote {patients} synthetic patients, {total} resources in {len(summary.files)} files "
        f"to {out}\n"
    )
    return exit_codes.OK


def run(
    *,
    directory: Path,
    out: Path,
    on: date | None,
    measures: str | None,
    scheduler: str | None,
    processes: int,
    max_errors: float,
) -> int:
    """Screen a FHIR Bulk export; write per-patient results, summary, errors and a report."""
    from dystonia_cds.screening.pipeline import Executor, screen_population
    from dystonia_cds.screening.progress import progress_for_terminal

    if processes < 1:
        raise InvalidInput(f"--processes must be at least 1, got {processes}")
    if not 0 <= max_errors <= 1:
        raise InvalidInput(f"--max-errors is a share between 0 and 1, got {max_errors}")
    on = on or date.today()
    with progress_for_terminal() as progress:
        summary = screen_population(
            directory,
            out,
            on=on,
            measures=measures,
            executor=Executor(processes=processes, scheduler=scheduler),
            max_errors=max_errors,
            progress=progress,
        )
    sys.stdout.write(_describe(summary, out, on))
    return exit_codes.OK


def _describe(summary: dict[str, Any], out: Path, on: date) -> str:
    lines = [
        f"screened {summary['patients']} patients at {on.isoformat()}, {summary['errors']} errors"
    ]
    for measure, value in summary["measures"].items():
        lines.append(
            f"  {measure}: {value['numerator']}/{value['denominator']} ({value['rate']:.1%})"
        )
    lines.append(f"results, summary.json, errors.ndjson and report.html in {out}")
    lines.append(DISCLAIMER)
    return "\n".join(lines) + "\n"
