"""The reduce phase: one hash bucket of packed facts -> one result row per patient.

Facts are grouped by patient id, assembled into a `PatientRecord` by the FHIR mapping's
`assemble_record`, evaluated by the engine at the evaluation date (`alert_ids`: the ids of
the alerts `recommend` raises, without rendering the rest), and scored against the
measures. Pure apart from loading the knowledge base once per process.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import groupby
from operator import attrgetter
from typing import Any

import msgspec

from dystonia_cds.domain.errors import DystoniaCdsError
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.engine import alert_ids
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.screening.allocator import tune_allocator
from dystonia_cds.screening.gcpause import quiet_gc
from dystonia_cds.screening.measures import MEASURES, Measure, patient_age

Row = tuple[Any, ...]
ROW_COLUMNS = ("patient_id", "age_years", "sex", "forms", "alerts")


_PATIENT_ID = attrgetter("patient_id")
# Memos of what rows show (few distinct values: alert id tuples, sets of forms).
MEMO_LIMIT = 4096
_ALERTS: dict[tuple[str, ...], tuple[frozenset[str], str]] = {}
_FORMS: dict[frozenset[Any], str] = {}


@dataclass(slots=True)
class BucketResult:
    rows: list[Row] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # id -> [numerator, denominator]
    errors: list[str] = field(default_factory=list)  # patients that could not be evaluated


@cache
def _decoder() -> msgspec.msgpack.Decoder[list[Any]]:
    from dystonia_cds.fhir.facts import Fact

    return msgspec.msgpack.Decoder(list[Fact])


@cache
def _knowledge() -> KnowledgeBase:
    from dystonia_cds.knowledge import load_knowledge

    return load_knowledge()


def decode_facts(blob: bytes) -> list[Any]:
    return _decoder().decode(blob)


def reduce_bucket(
    blobs: Iterable[bytes], shared: Iterable[bytes], on: date, measure_ids: tuple[str, ...]
) -> BucketResult:
    """Group, assemble, evaluate and score every patient of one bucket (rows sorted by id)."""
    from dystonia_cds.fhir.assemble import assemble_record

    tune_allocator()
    measures = tuple(m for m in MEASURES if m.id in measure_ids)
    result = BucketResult(counts={m.id: [0, 0] for m in measures})
    with quiet_gc():  # facts are gc-free; records hold no cycles: no collector passes needed
        groups = _group(blobs)
        definitions = _definitions(shared)
        for patient_id in sorted(groups):
            facts = groups[patient_id]
            if definitions:
                facts = facts + _referenced(facts, definitions)
            try:
                record = assemble_record(patient_id, facts)
                result.rows.append(score_record(record, on, measures, result.counts))
            except DystoniaCdsError as exc:  # one patient's record cannot be evaluated: reported
                result.errors.append(f"patient {patient_id}: {exc}")
    return result


def _group(blobs: Iterable[bytes]) -> dict[str, list[Any]]:
    """Facts by patient id; a patient's facts from one partition mostly come as one run."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for blob in blobs:
        for patient_id, run in groupby(decode_facts(blob), _PATIENT_ID):
            groups[patient_id].extend(run)
    return groups


def score_record(
    record: PatientRecord, on: date, measures: tuple[Measure, ...], counts: dict[str, list[int]]
) -> Row:
    """One patient's row: demographics, forms, engine alerts, then (eligible, gap) per measure."""
    kb = _knowledge()
    alerts, shown = _shown(alert_ids(record, kb, on=on))
    flags: list[bool] = []
    for measure in measures:
        eligible = measure.eligible(record, kb, on)
        gap = eligible and measure.id in alerts
        count = counts[measure.id]
        count[0] += gap
        count[1] += eligible
        flags += (eligible, gap)
    age = patient_age(record, on)
    forms = _FORMS.get(record.phenotype.forms)
    if forms is None:
        if len(_FORMS) >= MEMO_LIMIT:
            _FORMS.clear()
        forms = _FORMS[record.phenotype.forms] = ";".join(sorted(record.phenotype.forms))
    return (record.patient_id, age, record.sex.value, forms, shown, *flags)


def _shown(ids: tuple[str, ...]) -> tuple[frozenset[str], str]:
    """The alert ids as a set and as the row shows them (sorted, `;`-joined), memoised."""
    found = _ALERTS.get(ids)
    if found is None:
        if len(_ALERTS) >= MEMO_LIMIT:
            _ALERTS.clear()
        found = _ALERTS[ids] = (frozenset(ids), ";".join(sorted(set(ids))))
    return found


def _definitions(shared: Iterable[bytes]) -> dict[str, Any]:
    return {
        fact.key: fact for blob in shared for fact in decode_facts(blob) if hasattr(fact, "key")
    }


def _referenced(facts: list[Any], definitions: dict[str, Any]) -> list[Any]:
    if not definitions:
        return []
    keys = {key for f in facts if (key := getattr(f, "medication_ref", None))}
    return [definitions[k] for k in sorted(keys) if k in definitions]
