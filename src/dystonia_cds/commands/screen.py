"""`dystonia-cds screen`: a thin entry point over `dystonia_cds.screening` (`synth`: synth.py)."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dystonia_cds import DISCLAIMER, exit_codes
from dystonia_cds.domain.errors import InvalidInput

logger = logging.getLogger(__name__)


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
