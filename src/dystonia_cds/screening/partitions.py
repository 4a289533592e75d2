"""Find the NDJSON files of a FHIR Bulk export and cut them into partitions (file byte ranges).

Plain `.ndjson` files are split into byte ranges; a range owns every line that *starts* inside
it. Gzip files cannot be entered in the middle, so each is one partition.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.fhir.extract import READ_TYPES as HANDLER_TYPES

logger = logging.getLogger(__name__)

PARTITION_BYTES = 16 * 1024 * 1024
# The types the FHIR mapping reads (Patient, Condition, the Medication* types, Procedure,
# Observation, AllergyIntolerance), taken from it so that screening and the CLI agree.
READ_TYPES = frozenset(HANDLER_TYPES)
# Types a Bulk export commonly holds that screening does not read: their files are skipped whole.
OTHER_TYPES = frozenset(
    {
        "Binary", "Bundle", "CarePlan", "CareTeam", "Claim", "Coverage",
        "Device", "DiagnosticReport", "DocumentReference", "Encounter", "ExplanationOfBenefit",
        "Goal", "Group", "ImagingStudy", "Immunization", "Location",
        "Organization", "Practitioner", "PractitionerRole", "Provenance", "RelatedPerson",
        "ServiceRequest", "Specimen", "SupplyDelivery",
    }
) - READ_TYPES  # fmt: skip
SUFFIXES = (".ndjson", ".ndjson.gz")


@dataclass(frozen=True, slots=True)
class Partition:
    """Lines of `path` starting in [start, end); gzip partitions always cover the whole file."""

    path: str
    start: int
    end: int
    compressed: bool

    @property
    def size(self) -> int:
        return self.end - self.start


def find_export_files(directory: Path) -> list[Path]:
    """The export's NDJSON files in name order; a clear `InvalidInput` when there are none."""
    if not directory.is_dir():
        raise InvalidInput(
            "is not a directory (expected a FHIR Bulk Data export)", location=str(directory)
        )
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
    kept = [p for p in files if p.name.split(".", 1)[0] not in OTHER_TYPES]
    for skipped in sorted(set(files) - set(kept)):
        logger.info("skipping %s: screening does not read that resource type", skipped.name)
    if not kept:
        raise InvalidInput(
            "holds no .ndjson or .ndjson.gz files of the resource types screening reads "
            f"({', '.join(sorted(READ_TYPES))})",
            location=str(directory),
        )
    return kept


def plan_partitions(files: list[Path], target_bytes: int = PARTITION_BYTES) -> list[Partition]:
    """Byte ranges of about `target_bytes` (whole files for gzip), in file order."""
    parts: list[Partition] = []
    for path in files:
        size = path.stat().st_size
        if path.name.endswith(".gz"):
            parts.append(Partition(str(path), 0, size, True))
            continue
        starts = range(0, max(size, 1), max(target_bytes, 1))
        parts.extend(Partition(str(path), s, min(s + target_bytes, size), False) for s in starts)
    return parts
