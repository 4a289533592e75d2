"""FHIR resources -> `PatientRecord`: extract facts from each resource, keep the patient's,
assemble them. Used by `read_bundle` and by CDS Hooks prefetch (resources or search Bundles)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.fhir.assemble import assemble_record
from dystonia_cds.fhir.extract import extract_facts
from dystonia_cds.fhir.facts import Fact, IgnoredFact, PatientFact, UnrecognizedFact
from dystonia_cds.knowledge.vocabulary import Vocabulary, load_vocabulary


def record_from_resources(
    resources: Iterable[dict[str, Any]], *, patient_id: str | None = None
) -> PatientRecord:
    """The record of one patient from loose resources and/or search Bundles.

    Without `patient_id` the input must hold exactly one Patient. Raises `FhirInputError`.
    """
    return build_record(_flatten(resources), load_vocabulary(), patient_id=patient_id)


def _flatten(resources: Iterable[Any]) -> Iterator[Any]:
    for r in resources:
        if r is None:
            continue  # CDS Hooks: a prefetch key the EHR could not fill
        if isinstance(r, dict) and r.get("resourceType") == "Bundle":
            entries = r.get("entry") or []
            if not isinstance(entries, list):
                raise FhirInputError("must be an array", location="Bundle.entry")
            yield from (
                e.get("resource")
                for e in entries
                if isinstance(e, dict) and e.get("resource") is not None
            )
        else:
            yield r


def build_record(
    resources: Iterable[Any],
    vocab: Vocabulary,
    *,
    patient_id: str | None = None,
    source: str | None = None,
    aliases: frozenset[str] = frozenset(),
) -> PatientRecord:
    """Extract, pick the patient, assemble. `aliases`: other keys the patient is referred by."""
    facts: list[Fact] = []
    for resource in resources:
        try:
            facts += extract_facts(resource, vocab)
        except FhirInputError as exc:
            raise FhirInputError(str(exc), location=source) from exc
    if patient_id is None:
        patients = [f.patient_id for f in facts if isinstance(f, PatientFact)]
        pid = _the_patient(patients, patient_id, source)
    else:
        pid = patient_id
    keys = {pid, "", *aliases}
    mine: list[Fact] = []
    others: set[str] = set()
    unused = 0
    for f in facts:  # one pass: the patient's facts, and what refers to someone else
        if f.patient_id in keys:
            mine.append(f)
        elif isinstance(f, IgnoredFact):
            unused += 1
        else:
            others.add(f.source.split(".")[0])
    if others or unused:
        reason = f"{len(others) + unused} resource(s) refer to another patient and were left out"
        mine.append(UnrecognizedFact(pid, "input", reason))
    return assemble_record(pid, mine)


def _the_patient(patients: list[str], wanted: str | None, source: str | None) -> str:
    if wanted is not None:
        return wanted
    distinct = sorted(set(patients))
    if not distinct:
        raise FhirInputError("no Patient resource", location=source)
    if len(distinct) > 1:
        shown = ", ".join(f"Patient/{p}" for p in distinct[:3])
        raise FhirInputError(f"{len(distinct)} Patients ({shown}); one per input", location=source)
    return distinct[0]
