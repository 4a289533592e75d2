"""`dystonia-cds synth`: write a synthetic FHIR Bulk Data export (synthetic data only).

Two kinds: `--patients N`, a dystonia clinic (every patient has a dystonia record; the mix of
docs/measures.md "Synthetic data"), or `--population N --prevalence P`, a health system whose
patients look like Synthea records and a share P of whom has dystonia like the clinic's
(docs/scaling.md "A health system's export").
"""

from __future__ import annotations

import sys
from pathlib import Path

from dystonia_cds import exit_codes
from dystonia_cds.domain.errors import InvalidInput

CLINIC_DEFAULT = 1000


def run(
    *,
    patients: int | None,
    population: int | None,
    prevalence: float,
    out: Path,
    seed: int,
    gzip: bool,
) -> int:
    """Write the export; one line on stdout says what was written."""
    _check(patients, population, prevalence, out)
    if population is not None:
        from dystonia_cds.screening.synth.writer import generate_population

        summary = generate_population(
            out, population=population, prevalence=prevalence, seed=seed,
            gzip="all" if gzip else "some",
        )  # fmt: skip
    else:
        from dystonia_cds.screening.synth import generate_export

        count = CLINIC_DEFAULT if patients is None else patients
        summary = generate_export(out, patients=count, seed=seed, compress=gzip)
    total = sum(summary.resources.values())
    sys.stdout.write(
        f"wrote {summary.patients} synthetic patients, {total} resources in "
        f"{len(summary.files)} files to {out}\n"
    )
    return exit_codes.OK


def _check(patients: int | None, population: int | None, prevalence: float, out: Path) -> None:
    if patients is not None and population is not None:
        raise InvalidInput("give --patients (a dystonia clinic) or --population, not both")
    if patients is not None and patients < 1:
        raise InvalidInput(f"--patients must be at least 1, got {patients}")
    if population is not None and population < 1:
        raise InvalidInput(f"--population must be at least 1, got {population}")
    if not 0 <= prevalence <= 1:
        raise InvalidInput(f"--prevalence is a share between 0 and 1, got {prevalence}")
    if out.is_dir() and any(p.name.endswith((".ndjson", ".ndjson.gz")) for p in out.iterdir()):
        raise InvalidInput(
            "already holds NDJSON files; choose an empty directory", location=str(out)
        )
