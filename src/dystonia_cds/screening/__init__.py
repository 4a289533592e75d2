"""Population screening over FHIR Bulk Data exports (NDJSON), on one machine or a Dask cluster.

Public API:

    screen_population(directory, out, *, on, measures=None, executor=Executor(),
                      max_errors=0.01, progress=None) -> dict   # the summary.json content
    Executor(processes=1, scheduler=None)      # local, N processes, or "tcp://..." / "local:N"
    MEASURES, select_measures(spec)            # the care-gap measures (docs/measures.md)
    generate_export(out, *, patients, seed, compress=False) -> ExportSummary   # synthetic data

Pipeline (docs/scaling.md): partitions (file byte ranges) -> map (decode, check, the FHIR
mapping's `extract_facts`, facts packed per crc32 bucket) -> reduce (group by patient,
`assemble_record`, engine `recommend`, measures) -> outputs (Parquet, CSV, summary.json,
errors.ndjson, report.html).
"""

from dystonia_cds.screening.measures import MEASURES, select_measures
from dystonia_cds.screening.pipeline import Executor, screen_population
from dystonia_cds.screening.synth import generate_export

__all__ = ["MEASURES", "Executor", "generate_export", "screen_population", "select_measures"]
