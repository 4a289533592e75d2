"""Card uuids that carry their topic.

A card uuid is a random (version 4) UUID whose last 24 bits are a key of the card's topic
(`crc32(topic) & 0xFFFFFF`), so feedback, which names only the card, can be counted per topic
without storing a row per issued card. 98 random bits remain, so uuids stay unique. The key ->
topic table is kept in the database (`cds_topic`) as topics are first issued.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Sequence
from functools import lru_cache

KEY_BITS = 24
KEY_MASK = (1 << KEY_BITS) - 1


@lru_cache(maxsize=1024)
def topic_key(topic: str) -> int:
    return zlib.crc32(topic.encode()) & KEY_MASK


def random_uuids(keys: Sequence[int | None]) -> list[str]:
    """Fresh random (version 4) uuids, one per entry of `keys`; an entry that is a topic key
    takes the place of the last 24 bits (a card uuid). What `uuid.uuid4()` gives, from one
    read of `os.urandom` for all of them."""
    buf = bytearray(os.urandom(16 * len(keys)))
    for i, key in enumerate(keys):
        j = 16 * i
        buf[j + 6] = buf[j + 6] & 0x0F | 0x40  # version 4
        buf[j + 8] = buf[j + 8] & 0x3F | 0x80  # the RFC 4122 variant
        if key is not None:
            buf[j + 13 : j + 16] = key.to_bytes(3)
    h = buf.hex()
    return [
        f"{h[k : k + 8]}-{h[k + 8 : k + 12]}-{h[k + 12 : k + 16]}-{h[k + 16 : k + 20]}-{h[k + 20 : k + 32]}"
        for k in range(0, len(h), 32)
    ]


_POOL_SIZE = 64
_pool: list[str] = []  # random uuids read ahead, taken one at a time (list.pop is atomic)
os.register_at_fork(after_in_child=_pool.clear)  # a forked worker never reuses its parent's


def random_uuid() -> str:
    """A fresh random uuid (as `str(uuid.uuid4())`); read ahead in batches of `_POOL_SIZE`."""
    try:
        return _pool.pop()
    except IndexError:
        _pool.extend(random_uuids((None,) * _POOL_SIZE))
        return _pool.pop()


def card_uuid(topic: str) -> str:
    """A fresh card uuid carrying the topic's key (its last six hex digits)."""
    return f"{random_uuid()[:-6]}{topic_key(topic):06x}"


def key_of(card: str) -> int | None:
    """The topic key in a card uuid issued here; None for something that is not a uuid."""
    try:
        return uuid.UUID(card).int & KEY_MASK
    except ValueError:
        return None
