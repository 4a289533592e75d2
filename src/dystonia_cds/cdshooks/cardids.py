"""Card uuids that carry their topic.

A card uuid is a random (version 4) UUID whose last 24 bits are a key of the card's topic
(`crc32(topic) & 0xFFFFFF`), so feedback, which names only the card, can be counted per topic
without storing a row per issued card. 98 random bits remain, so uuids stay unique. The key ->
topic table is kept in the database (`cds_topic`) as topics are first issued.
"""

from __future__ import annotations

import uuid
import zlib

KEY_BITS = 24
KEY_MASK = (1 << KEY_BITS) - 1


def topic_key(topic: str) -> int:
    return zlib.crc32(topic.encode()) & KEY_MASK


def card_uuid(topic: str) -> str:
    """A fresh card uuid carrying the topic's key."""
    value = (uuid.uuid4().int & ~KEY_MASK) | topic_key(topic)
    return str(uuid.UUID(int=value))


def key_of(card: str) -> int | None:
    """The topic key in a card uuid issued here; None for something that is not a uuid."""
    try:
        return uuid.UUID(card).int & KEY_MASK
    except ValueError:
        return None
