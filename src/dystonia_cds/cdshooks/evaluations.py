"""A small per-process cache of evaluations for repeated, identical prefetch.

An EHR calls `patient-view` each time a chart opens; when the prefetched data has not changed,
mapping and evaluating it again gives the same record and the same recommendation (both are
pure functions of the resources, the date and the knowledge base). The key is a digest of the
prefetch content, the patient id and the evaluation date; only calls whose data came entirely
from the prefetch are cached (fetched data may change between calls). The digest is taken over
the prefetch's raw bytes in the request (`raw_digest`), or over its orjson encoding when the
body was read the reference way (`prefetch_digest`): either way, equal digests mean prefetch
JSON texts that decode to the same content.

Cards are always issued afresh (new uuids); a cached evaluation also keeps its treatment cards
encoded once (`RenderedCards`, per patient link), so a repeated call only splices fresh uuids
into bytes. Bounded LRU; nothing is shared between processes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from dystonia_cds.cdshooks.cardids import random_uuids, topic_key
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Recommendation

MAX_ENTRIES = 256
Key = tuple[bytes, str, date]


def raw_digest(raw: bytes) -> bytes | None:
    """A digest of a prefetch's raw JSON, or None when it is not an object.

    Python's bytes hash is SipHash with a per-process random key: collisions cannot be
    crafted from outside, and the key (with the length) only has to hold within this process.
    """
    if not raw.startswith(b"{"):
        return None
    return hash(raw).to_bytes(8, "big", signed=True) + len(raw).to_bytes(8, "big")


def prefetch_digest(prefetch: Any) -> bytes | None:
    """A digest of decoded prefetch content, or None when there is none to key on."""
    if not isinstance(prefetch, dict) or not prefetch:
        return None
    try:
        return raw_digest(orjson.dumps(prefetch))
    except orjson.JSONEncodeError:
        return None


@dataclass(frozen=True, slots=True)
class RenderedCards:
    """A `{"cards": [...]}` response encoded once, cut at its uuids."""

    parts: tuple[bytes, ...]  # the JSON around the uuids: one more than there are uuids
    keys: tuple[int | None, ...]  # per uuid: the card's topic key, or None (a suggestion's)
    issued: tuple[tuple[str, str], ...]  # (topic, indicator) of each card, for the card log

    def fresh(self) -> bytes:
        """The response with new uuids."""
        out = [self.parts[0]]
        for text, part in zip(random_uuids(self.keys), self.parts[1:], strict=True):
            out.append(text.encode())
            out.append(part)
        return b"".join(out)


def render(cards: list[dict[str, Any]]) -> RenderedCards:
    """Encode cards once; each card's and suggestion's uuid becomes a place for a new one."""
    body = orjson.dumps({"cards": cards})
    places: list[tuple[int, int | None]] = []  # (where a uuid starts, its topic key)
    for card in cards:
        topic = card["source"]["topic"]["code"]
        found: list[tuple[str, int | None]] = [(card["uuid"], topic_key(topic))]
        found += [(s["uuid"], None) for s in card.get("suggestions", ())]
        for text, key in found:
            at = body.index(f'"uuid":"{text}"'.encode()) + 8  # random: found once, in place
            places.append((at, key))
    places.sort()
    parts: list[bytes] = []
    start = 0
    for at, _ in places:
        parts.append(body[start:at])
        start = at + 36  # a uuid's text
    parts.append(body[start:])
    issued = tuple((c["source"]["topic"]["code"], c["indicator"]) for c in cards)
    return RenderedCards(tuple(parts), tuple(key for _, key in places), issued)


@dataclass(slots=True)
class Evaluation:
    record: PatientRecord
    recommendation: Recommendation
    rendered: dict[str | None, RenderedCards] = field(default_factory=dict)  # by patient link


class EvaluationCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[Key, Evaluation] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> Evaluation | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Key, record: PatientRecord, recommendation: Recommendation) -> Evaluation:
        entry = self._entries[key] = Evaluation(record, recommendation)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return entry
