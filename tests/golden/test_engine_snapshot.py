"""Engine output snapshot: a fixed, varied synthetic population (`population.py`, 300 seeded
records) run through `recommend` + `recommendation_to_dict`; each patient's JSON (sorted keys)
must hash to the stored SHA-256 in `snapshot/engine-population.json`.

It guards speed work on the engine and the knowledge compiler: the output must stay exactly
the same. A deliberate clinical change regenerates the snapshot (review the diff of the full
output first):

    .venv/bin/python tests/golden/test_engine_snapshot.py --update [--dump FILE.jsonl]
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from population import snapshot_population

from builders import ON
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.knowledge import KnowledgeBase, load_knowledge
from dystonia_cds.knowledge.loader import DATA_DIR, load_validated

SNAPSHOT = Path(__file__).parent / "snapshot" / "engine-population.json"


def canonical(record: PatientRecord, kb: KnowledgeBase | None = None) -> bytes:
    rec = recommend(record, kb or load_knowledge(), on=ON)
    return orjson.dumps(recommendation_to_dict(rec), option=orjson.OPT_SORT_KEYS)


def digests(records: list[PatientRecord], kb: KnowledgeBase | None = None) -> dict[str, str]:
    return {r.patient_id: hashlib.sha256(canonical(r, kb)).hexdigest() for r in records}


def test_the_engine_output_over_the_snapshot_population_is_unchanged() -> None:
    expected = orjson.loads(SNAPSHOT.read_bytes())
    got = digests(snapshot_population())
    changed = sorted(k for k in expected if got.get(k) != expected[k])
    assert len(got) == len(expected) == 300
    assert not changed, f"{len(changed)} patients' output changed, e.g. {changed[:5]}"


def test_the_output_does_not_depend_on_what_was_evaluated_before() -> None:
    records = snapshot_population()
    forward = digests(records)
    backward = digests(records[::-1])
    assert forward == backward


def test_a_fully_validated_load_and_its_cached_snapshot_give_the_same_output() -> None:
    full = load_validated(DATA_DIR)
    cached = pickle.loads(pickle.dumps(full))  # noqa: S301 - our own bytes
    records = snapshot_population()
    assert digests(records, cached) == digests(records, full) == digests(records)


def _update(dump: str | None) -> None:
    records = snapshot_population()
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_bytes(orjson.dumps(digests(records), option=orjson.OPT_INDENT_2))
    if dump:
        Path(dump).write_bytes(b"\n".join(canonical(r) for r in records) + b"\n")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--update" in args:
        _update(args[args.index("--dump") + 1] if "--dump" in args else None)
