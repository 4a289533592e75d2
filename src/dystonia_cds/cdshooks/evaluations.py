"""A small per-process cache of evaluations for repeated, identical prefetch.

An EHR calls `patient-view` each time a chart opens; when the prefetched data has not changed,
mapping and evaluating it again gives the same record and the same recommendation (both are
pure functions of the resources, the date and the knowledge base). The key is a digest of the
prefetch content, the patient id and the evaluation date; only calls whose data came entirely
from the prefetch are cached (fetched data may change between calls). Cards are always built
afresh (new uuids). Bounded LRU; nothing is shared between processes.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Any

import orjson

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Recommendation

MAX_ENTRIES = 256
Key = tuple[bytes, str, date]


def prefetch_digest(prefetch: Any) -> bytes | None:
    """A digest of the prefetch content, or None when there is none to key on.

    Python's bytes hash is SipHash with a per-process random key: collisions cannot be
    crafted from outside, and the key (with the length) only has to hold within this process.
    """
    if not isinstance(prefetch, dict) or not prefetch:
        return None
    try:
        content = orjson.dumps(prefetch)
    except orjson.JSONEncodeError:
        return None
    return hash(content).to_bytes(8, "big", signed=True) + len(content).to_bytes(8, "big")


class EvaluationCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[Key, tuple[PatientRecord, Recommendation]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> tuple[PatientRecord, Recommendation] | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Key, record: PatientRecord, recommendation: Recommendation) -> None:
        self._entries[key] = (record, recommendation)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
