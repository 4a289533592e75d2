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
from dystonia_cds.domain.patient import PatientRecord, Sex, age_in_years
from dystonia_cds.engine import alert_ids
from dystonia_cds.fhir.facts import IgnoredFact, PatientFact
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.screening.allocator import tune_allocator
from dystonia_cds.screening.deceased import death_date, split_deceased
from dystonia_cds.screening.gcpause import quiet_gc
from dystonia_cds.screening.measures import MEASURES, Measure, patient_age

Row = tuple[Any, ...]
ROW_COLUMNS = ("patient_id", "age_years", "sex", "forms", "alerts", "deceased")


_PATIENT_ID = attrgetter("patient_id")
# Memos of what rows show (few distinct values: alert id tuples, sets of forms).
MEMO_LIMIT = 4096
_ALERTS: dict[tuple[str, ...], tuple[frozenset[str], str]] = {}
_FORMS: dict[frozenset[Any], str] = {}
_SEX_VALUES = frozenset(s.value for s in Sex)


@dataclass(slots=True)
class BucketResult:
    rows: list[Row] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # id -> [numerator, denominator]
    errors: list[str] = field(default_factory=list)  # patients that could not be evaluated
    orphans: int = 0  # patient ids that resources name but no Patient resource has


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
            facts, died = split_deceased(facts)
            if not any(type(f) is PatientFact for f in facts):
                result.orphans += 1  # not a patient of the export: not screened
                continue
            try:
                if died is None and len(facts) == 1 and type(facts[0]) is PatientFact:
                    result.rows.append(bare_row(facts[0], on, len(measures)))
                    continue
                record = assemble_record(patient_id, facts)
                result.rows.append(score_record(record, on, measures, result.counts, died))
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


def bare_row(fact: PatientFact, on: date, measures: int) -> Row:
    """The row of a living patient known only from the Patient resource: no dystonia, so no
    engine alert and no denominator (what `score_record` gives such a record, without the
    engine: most of a health system's export)."""
    birth = fact.birth_date
    age = age_in_years(birth, on) if birth is not None and birth <= on else None
    sex = fact.sex if fact.sex in _SEX_VALUES else "unknown"
    return (fact.patient_id, age, sex, "", "", False, *([False] * (2 * measures)))


def score_record(
    record: PatientRecord,
    on: date,
    measures: tuple[Measure, ...],
    counts: dict[str, list[int]],
    died: IgnoredFact | None = None,
) -> Row:
    """One patient's row: demographics, forms, engine alerts, whether deceased, then (eligible,
    gap) per measure. A deceased patient is in no denominator and is not evaluated; the age
    shown is the age at death when its date is known."""
    if died is not None:
        return _deceased_row(record, on, measures, died)
    kb = _knowledge()
    alerts, shown = _shown(alert_ids(record, kb, on=on))
    flags: list[bool] = []
    for measure in measures:
        eligible = measure.eligible(record, kb, on)
        if measure.gap is None:
            gap = eligible and measure.id in alerts
        else:
            gap = eligible and measure.gap(record, kb, on)
        count = counts[measure.id]
        count[0] += gap
        count[1] += eligible
        flags += (eligible, gap)
    age = patient_age(record, on)
    return (record.patient_id, age, record.sex.value, _forms(record), shown, False, *flags)


def _deceased_row(
    record: PatientRecord, on: date, measures: tuple[Measure, ...], died: IgnoredFact
) -> Row:
    when = death_date(died)
    age = patient_age(record, min(when, on)) if when is not None else None
    flags = [False] * (2 * len(measures))
    return (record.patient_id, age, record.sex.value, _forms(record), "", True, *flags)


def _forms(record: PatientRecord) -> str:
    forms = _FORMS.get(record.phenotype.forms)
    if forms is None:
        if len(_FORMS) >= MEMO_LIMIT:
            _FORMS.clear()
        forms = _FORMS[record.phenotype.forms] = ";".join(sorted(record.phenotype.forms))
    return forms


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
