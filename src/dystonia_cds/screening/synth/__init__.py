"""Synthetic FHIR Bulk Data exports with the clinical mix of a dystonia clinic (synthetic data only).

generate_export(out, *, patients, seed, compress=False, anchor=ANCHOR) -> ExportSummary
"""

from dystonia_cds.screening.synth.writer import ANCHOR, ExportSummary, generate_export

__all__ = ["ANCHOR", "ExportSummary", "generate_export"]
