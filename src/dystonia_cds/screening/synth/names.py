"""Synthetic names: invented syllable combinations, never real people's records."""

from __future__ import annotations

import random

_FEMALE = (
    "Ava",
    "Lina",
    "Mira",
    "Nora",
    "Tessa",
    "Ida",
    "Lea",
    "Runa",
    "Elin",
    "Zora",
    "Ines",
    "Kaia",
)
_MALE = (
    "Arlo",
    "Emil",
    "Joris",
    "Levi",
    "Milo",
    "Otto",
    "Rune",
    "Silas",
    "Teo",
    "Aksel",
    "Bram",
    "Cai",
)
_FAMILY_HEAD = (
    "Bel",
    "Cor",
    "Dal",
    "Fen",
    "Gar",
    "Hol",
    "Kest",
    "Lor",
    "Mar",
    "Nor",
    "Pell",
    "Quin",
)
_FAMILY_TAIL = (
    "ander",
    "berg",
    "dale",
    "field",
    "holm",
    "ingham",
    "ley",
    "mont",
    "ridge",
    "ston",
    "wick",
    "worth",
)


def draw_name(rng: random.Random, sex: str) -> tuple[str, str]:
    given = rng.choice(_FEMALE if sex == "female" else _MALE)
    return given, rng.choice(_FAMILY_HEAD) + rng.choice(_FAMILY_TAIL)
