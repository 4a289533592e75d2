"""`dystonia-cds screen` and `dystonia-cds synth`: thin entry points over `dystonia_cds.screening`."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

from dystonia_cds import exit_codes

logger = logging.getLogger(__name__)


def synth(*, patients: int, out: Path, seed: int, gzip: bool) -> int:
    """Write a synthetic FHIR Bulk Data export (synthetic data only)."""
    from dystonia_cds.domain.errors import InvalidInput
    from dystonia_cds.screening.synth import generate_export

    if patients < 1:
        raise InvalidInput(f"--patients must be at least 1, got {patients}")
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
    from dystonia_cds.screening.cli_run import run_screening

    return run_screening(
        directory=directory,
        out=out,
        on=on or date.today(),
        measures=measures,
        scheduler=scheduler,
        processes=processes,
        max_errors=max_errors,
    )
