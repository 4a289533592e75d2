"""Rating scales: validate item scores, compute subscale and total scores, judge change.

Scales (reference §6): TWSTRS (`twstrs`: severity 0-35, disability 0-30, pain 0-20, total
0-85), BFMDRS (`bfmdrs`: movement 0-120 as provoking x severity x region weight, disability
0-30; total = movement + disability, 0-150), Jankovic Rating Scale (`jrs`: severity 0-4 +
frequency 0-4, total 0-8). Item keys and ranges live in `knowledge/data/care/scales.toml`.

Only numbers are scored; the instruments' wording is not shipped (TWSTRS-2 is licensed).
Every item must be present, known, a whole number (a float such as 2.0 is accepted) and in
range; otherwise `InvalidInput` names the item (`items.<key>`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.knowledge.care_catalog import (
    ScaleDefinition,
    ScaleItem,
    Threshold,
    load_care_catalog,
)

Direction = Literal["improved", "worsened", "unchanged"]


@dataclass(frozen=True, slots=True)
class ScaleScore:
    """A validated assessment: item scores, subscale scores and the total."""

    scale: str
    items: Mapping[str, int]
    subscales: Mapping[str, float]
    total: float

    def part(self, name: str) -> float:
        """The score of a subscale, or of "total"."""
        return self.total if name == "total" else self.subscales[name]

    def as_dict(self) -> dict[str, int | float]:
        """`{"total": ..., "<subscale>": ...}` as the REST API returns it."""
        scores = {"total": self.total, **self.subscales}
        return {name: _plain(value) for name, value in scores.items()}


@dataclass(frozen=True, slots=True)
class PartChange:
    """Change of one part (a subscale or "total") between two assessments.

    `delta` is after - before. `meaningful` is True/False where the reference gives a
    threshold for this part and direction, None where it does not or where the answer
    depends on something the scores do not hold (e.g. TWSTRS baseline); `rule` says which.
    """

    part: str
    before: float
    after: float
    delta: float
    percent: float | None
    direction: Direction
    meaningful: bool | None
    rule: str
    source: str | None


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """Change between two assessments of one scale; `meaningful` is the primary part's."""

    scale: str
    primary: str
    parts: tuple[PartChange, ...]

    @property
    def primary_change(self) -> PartChange:
        return next(p for p in self.parts if p.part == self.primary)

    @property
    def meaningful(self) -> bool | None:
        return self.primary_change.meaningful


def scale_definition(scale_id: str) -> ScaleDefinition:
    """The definition of a scale; unknown id -> `InvalidInput` naming `scale`."""
    scale = load_care_catalog().scale(scale_id)
    if scale is None:
        known = ", ".join(s.id for s in load_care_catalog().scales.scales)
        raise InvalidInput(f"unknown scale {scale_id!r} (known: {known})", location="scale")
    return scale


def score_assessment(scale_id: str, items: Mapping[str, object]) -> ScaleScore:
    """Validate every item of one assessment and compute subscale and total scores."""
    scale = scale_definition(scale_id)
    values = _validated_items(scale, items)
    subscales = {s.id: 0.0 for s in scale.subscales}
    in_products = {f for p in scale.products for f in p.factors}
    for item in scale.items:
        if item.key not in in_products and item.subscale is not None:
            subscales[item.subscale] += item.weight * values[item.key]
    for prod in scale.products:
        first, second = prod.factors
        subscales[prod.subscale] += prod.weight * values[first] * values[second]
    total = sum(subscales.values()) if subscales else _plain_total(scale, values)
    return ScaleScore(scale=scale.id, items=values, subscales=subscales, total=float(total))


def _plain_total(scale: ScaleDefinition, values: Mapping[str, int]) -> float:
    return float(sum(item.weight * values[item.key] for item in scale.items))


def _validated_items(scale: ScaleDefinition, items: Mapping[str, object]) -> dict[str, int]:
    if not isinstance(items, Mapping):
        raise InvalidInput("must be an object of item key -> score", location="items")
    known = {i.key for i in scale.items}
    for key in items:
        if key not in known:
            raise InvalidInput(
                f"unknown item for scale {scale.id!r} (known: {', '.join(sorted(known))})",
                location=f"items.{key if isinstance(key, str) and key else repr(key)}",
            )
    return {item.key: _item_value(item, items) for item in scale.items}


def _item_value(item: ScaleItem, items: Mapping[str, object]) -> int:
    where = f"items.{item.key}"
    if item.key not in items:
        raise InvalidInput("missing item score", location=where)
    value = items[item.key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"must be a whole number, got {value!r}", location=where)
    if not math.isfinite(value) or value != int(value):
        raise InvalidInput(f"must be a whole number, got {value!r}", location=where)
    if not item.min <= value <= item.max:
        raise InvalidInput(f"{value!r} is out of range {item.min}-{item.max}", location=where)
    return int(value)


def change(scale_id: str, before: ScaleScore, after: ScaleScore) -> ScoreChange:
    """The change from `before` to `after` for the total and every subscale.

    Meaningful-change thresholds (reference §6), applied where the reference states them:
    JRS total: 2 points either way (R65). BFMDRS movement: improvement above 16.6 % or
    worsening above 21.5 % of the baseline movement score; disability: 0.5 point either
    way (R64). TWSTRS total: the MCIC depends on baseline (R60: 3 points overall, about 12
    at a baseline of 40-45; R61 registry: 8 or more for "minimally improved"), so an
    improvement of 12 or more is meaningful, under 3 is not, and 3 to under 12 gives None
    ("depends on baseline"); R60 states no threshold for worsening (None).
    A subscale missing from either score (e.g. a total-only score) is left out.
    """
    scale = scale_definition(scale_id)
    for name, score in (("before", before), ("after", after)):
        if score.scale != scale.id:
            raise InvalidInput(f"is a {score.scale!r} score, not {scale.id!r}", location=name)
    parts = ("total", *(s.id for s in scale.subscales if _in_both(s.id, before, after)))
    return ScoreChange(
        scale=scale.id,
        primary=scale.primary,
        parts=tuple(_part_change(scale, p, before.part(p), after.part(p)) for p in parts),
    )


def _in_both(part: str, before: ScaleScore, after: ScaleScore) -> bool:
    return part in before.subscales and part in after.subscales


def _part_change(scale: ScaleDefinition, part: str, before: float, after: float) -> PartChange:
    delta = after - before
    threshold = next((t for t in scale.thresholds if t.part == part), None)
    better = delta < 0 if scale.lower_is_better else delta > 0
    direction: Direction = "unchanged" if delta == 0 else ("improved" if better else "worsened")
    return PartChange(
        part=part,
        before=before,
        after=after,
        delta=delta,
        percent=(delta / before * 100) if before else None,
        direction=direction,
        meaningful=_judge(threshold, before, delta, direction),
        rule=threshold.note
        if threshold
        else "No meaningful-change threshold in the reference for this part.",
        source=threshold.source if threshold else None,
    )


def _judge(t: Threshold | None, before: float, delta: float, direction: Direction) -> bool | None:
    if t is None:
        return None
    if direction == "unchanged":
        return False
    improved = direction == "improved"
    points = t.improvement_points if improved else t.worsening_points
    percent_above = t.improvement_percent_above if improved else t.worsening_percent_above
    size = Fraction(abs(delta))
    if points is not None and size >= Fraction(str(points)):
        return True
    if percent_above is not None:
        return None if before == 0 else size * 100 > Fraction(str(percent_above)) * Fraction(before)
    if improved and t.not_meaningful_below_points is not None:
        return None if size >= Fraction(str(t.not_meaningful_below_points)) else False
    return False if points is not None else None


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
