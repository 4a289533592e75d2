"""Weight-based doses, as MDCalc computes them: every mg/kg statement for one patient.

`weight_doses(age_years=..., weight_kg=..., limits=..., catalog=...)` returns one `WeightDose`
per mg/kg statement that applies at this age (children only: adults get fixed mg doses), with
the per-dose and daily maxima applied and the source key beside each number. Without a weight,
each statement still comes back, with no computed dose and the reason (`missing`).

Numbers read from the care catalogue (`knowledge/data/care/titration.toml`) name their
parameter; the acute-reaction doses (diphenhydramine, benztropine) have no structured entry
and are encoded here from reference.md §2.1 with their source keys. Computed values are
rounded down at the precision shown (never above the computed amount or a maximum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from dystonia_cds.domain.recommendation import Recommendation

if TYPE_CHECKING:  # the catalogue (pydantic) loads only when a child needs a computed dose
    from dystonia_cds.knowledge.base import KnowledgeBase
    from dystonia_cds.knowledge.care_catalog import TitrationCatalog, TitrationDrug

# reference.md §2.1, diphenhydramine pediatric acute dose ([S][R21]; label [S][R24b])
DIPHENHYDRAMINE_MG_PER_KG_DOSE = (1.0, 2.0)  # R21
DIPHENHYDRAMINE_MAX_MG_DOSE = 50.0  # R21
DIPHENHYDRAMINE_MAX_MG_PER_KG_DAY = 5.0  # R24b
DIPHENHYDRAMINE_MAX_MG_DAY_CHILD = 300.0  # R24b
# reference.md §2.1, benztropine pediatric acute dose ([S][R26]); not under 3 years (R25)
BENZTROPINE_MG_PER_KG_DOSE = 0.02  # R26
BENZTROPINE_MAX_MG_DOSE = 1.0  # R26
# reference.md §2.5, baclofen pediatric oral: "toward 1-2 mg/kg/day" ([S][R40b]); the upper
# end and the rest are catalogue parameters
BACLOFEN_TARGET_MIN_MG_PER_KG_DAY = 1.0  # R40b

MISSING_WEIGHT = "no computed dose: weight not recorded"
MISSING_AGE = "no computed dose: age not known (these mg/kg doses are for children)"


@dataclass(frozen=True, slots=True)
class AgeLimits:
    """The age thresholds (years) from thresholds.toml that decide which statements apply."""

    child_below: float  # thresholds.child_age_below (P, R5)
    benztropine_from: float  # thresholds.benztropine_age_below (R25)


@dataclass(frozen=True, slots=True)
class WeightDose:
    """One mg/kg statement and, when the weight is known, its dose for this patient.

    `low_mg`..`high_mg` per `per` ("dose" or "day") after the maxima; `cap` describes the
    maximum that was reached (empty when none was); `missing` says why nothing was computed.
    """

    option_id: str
    drug: str
    statement: str
    sources: tuple[str, ...]
    per: str = "dose"
    low_mg: float | None = None
    high_mg: float | None = None
    cap: str = ""
    missing: str = ""
    prefix: str = ""  # "at most " for a maximum
    weight_kg: float | None = None

    @property
    def computed(self) -> bool:
        return self.low_mg is not None

    def result(self) -> str:
        """The dose in words, e.g. '30–50 mg per dose (capped at the 50 mg per-dose maximum)'."""
        if self.low_mg is None or self.high_mg is None:
            return self.missing
        amount = f"{self.prefix}{mg_range(self.low_mg, self.high_mg)} per {self.per}"
        return amount + f" for {kg(self.weight_kg or 0)}" + (f" ({self.cap})" if self.cap else "")

    def line(self) -> str:
        if not self.statement:
            return f"{self.drug}: {self.result()}"
        keys = ", ".join(self.sources)
        return f"{self.drug}: {self.statement} [{keys}] → {self.result()}"


@dataclass(frozen=True, slots=True)
class _Patient:
    age: int
    weight: float | None


def weight_doses(
    *,
    age_years: int | None,
    weight_kg: float | None,
    limits: AgeLimits,
    catalog: TitrationCatalog,
    option_ids: frozenset[str] | None = None,
) -> tuple[WeightDose, ...]:
    """Every mg/kg statement that applies at `age_years` (restricted to `option_ids` when
    given), computed for `weight_kg`. An unknown age gives one note per option."""
    wanted = option_ids if option_ids is not None else frozenset(_BUILDERS)
    if age_years is None:
        return tuple(
            WeightDose(option_id=o, drug=_TITLES[o], statement="", sources=(), missing=MISSING_AGE)
            for o in _BUILDERS
            if o in wanted
        )
    patient = _Patient(age=age_years, weight=weight_kg if _usable(weight_kg) else None)
    out: list[WeightDose] = []
    for option_id, build in _BUILDERS.items():
        if option_id in wanted and age_years < limits.child_below:
            out.extend(build(patient, limits, catalog))
    return tuple(out)


def age_limits(kb: KnowledgeBase) -> AgeLimits:
    return AgeLimits(
        child_below=kb.threshold("child_age_below"),
        benztropine_from=kb.threshold("benztropine_age_below"),
    )


def doses_by_option(rec: Recommendation, kb: KnowledgeBase) -> dict[str, tuple[WeightDose, ...]]:
    """The computed doses of `rec`'s positive options (never of a contraindicated or
    not-recommended one), by option id; empty for an adult (nothing is loaded then)."""
    wanted = frozenset(o.id for o in rec.options if o.strength.is_positive) & frozenset(_BUILDERS)
    child = rec.age_years is None or rec.age_years < kb.threshold("child_age_below")
    if not wanted or not child:
        return {}
    found = _packaged(rec.age_years, rec.record.weight_kg, age_limits(kb), wanted)
    ranked = sorted(rec.options, key=lambda o: o.rank)
    by_option = {o.id: tuple(d for d in found if d.option_id == o.id) for o in ranked}
    return {option_id: doses for option_id, doses in by_option.items() if doses}


@lru_cache(maxsize=1024)  # the same child is asked for again by each option card
def _packaged(
    age_years: int | None, weight_kg: float | None, limits: AgeLimits, wanted: frozenset[str]
) -> tuple[WeightDose, ...]:
    """`weight_doses` with the packaged care catalogue (pure: same inputs, same doses)."""
    from dystonia_cds.knowledge.care_catalog import load_care_catalog

    catalog = load_care_catalog().titration
    return weight_doses(
        age_years=age_years, weight_kg=weight_kg, limits=limits, catalog=catalog, option_ids=wanted
    )


def _usable(weight_kg: float | None) -> bool:
    return weight_kg is not None and math.isfinite(weight_kg) and weight_kg > 0


# ---------------------------------------------------------------- the drugs


def _diphenhydramine(p: _Patient, _: AgeLimits, __: TitrationCatalog) -> list[WeightDose]:
    low, high = DIPHENHYDRAMINE_MG_PER_KG_DOSE
    per_dose = _scaled(
        "diphenhydramine",
        f"{low:g}–{high:g} mg/kg per dose IV or IM, at most {DIPHENHYDRAMINE_MAX_MG_DOSE:g} mg "
        "per dose",
        ("R21",),
        p.weight,
        (low, high),
        cap=(DIPHENHYDRAMINE_MAX_MG_DOSE, "per-dose maximum"),
    )
    daily = _scaled(
        "diphenhydramine",
        f"label at most {DIPHENHYDRAMINE_MAX_MG_PER_KG_DAY:g} mg/kg/24 h, at most "
        f"{DIPHENHYDRAMINE_MAX_MG_DAY_CHILD:g} mg/day, in 4 doses",
        ("R24b",),
        p.weight,
        (DIPHENHYDRAMINE_MAX_MG_PER_KG_DAY,),
        cap=(DIPHENHYDRAMINE_MAX_MG_DAY_CHILD, "daily maximum"),
        per="day",
        prefix="at most ",
    )
    return [per_dose, daily]


def _benztropine(p: _Patient, limits: AgeLimits, _: TitrationCatalog) -> list[WeightDose]:
    statement = (
        f"{BENZTROPINE_MG_PER_KG_DOSE:g} mg/kg IV or IM, at most {BENZTROPINE_MAX_MG_DOSE:g} mg"
    )
    if p.age < limits.benztropine_from:
        why = f"no computed dose: contraindicated under {limits.benztropine_from:g} years"
        return [_note("benztropine", statement, ("R26", "R25"), why)]
    dose = _scaled(
        "benztropine",
        statement,
        ("R26",),
        p.weight,
        (BENZTROPINE_MG_PER_KG_DOSE,),
        cap=(BENZTROPINE_MAX_MG_DOSE, "per-dose maximum"),
    )
    return [dose]


def _levodopa(p: _Patient, _: AgeLimits, catalog: TitrationCatalog) -> list[WeightDose]:
    drug = _drug(catalog, "levodopa")
    if p.age >= drug.param("young_child_age_years"):
        return []  # from 6 years the starting doses are fixed mg doses (R30)
    keys = ("young_child_min_mg_per_kg_day", "young_child_max_mg_per_kg_day")
    low, high = (drug.param(k) for k in keys)
    statement = (
        f"under {drug.param('young_child_age_years'):g} years {low:g}–{high:g} mg/kg/day "
        "in divided doses (with a decarboxylase inhibitor)"
    )
    return [
        _scaled("levodopa-trial", statement, _keys(drug, keys), p.weight, (low, high), per="day")
    ]


def _baclofen(p: _Patient, _: AgeLimits, catalog: TitrationCatalog) -> list[WeightDose]:
    drug = _drug(catalog, "baclofen")
    if p.age < drug.param("pediatric_min_age_years"):
        why = f"no computed dose: no pediatric dose under {drug.param('pediatric_min_age_years'):g} years"
        return [
            _note(
                "baclofen", "oral pediatric dosing", _keys(drug, ("pediatric_min_age_years",)), why
            )
        ]
    start = drug.param("pediatric_start_mg_per_kg_dose")
    times = drug.param("pediatric_times_per_day")
    target = (BACLOFEN_TARGET_MIN_MG_PER_KG_DAY, drug.param("pediatric_target_max_mg_per_kg_day"))
    ceiling_key = (
        "pediatric_older_max_daily_mg"
        if p.age >= drug.param("pediatric_older_age_years")
        else "pediatric_young_max_daily_mg"
    )
    ceiling = drug.param(ceiling_key)
    first = _scaled(
        "baclofen",
        f"start {start:g} mg/kg per dose {times:g} times a day",
        _keys(drug, ("pediatric_start_mg_per_kg_dose", "pediatric_times_per_day")),
        p.weight,
        (start,),
    )
    goal = _scaled(
        "baclofen",
        f"titrate toward {target[0]:g}–{target[1]:g} mg/kg/day, at most {ceiling:g} mg/day "
        f"at {_age_band(drug, p.age)}",
        _keys(drug, ("pediatric_target_max_mg_per_kg_day", ceiling_key)),
        p.weight,
        target,
        cap=(ceiling, "daily maximum for age"),
        per="day",
    )
    return [first, goal]


def _age_band(drug: TitrationDrug, age: int) -> str:
    older = drug.param("pediatric_older_age_years")
    if age >= older:
        return f"{older:g} years and over"
    return f"{drug.param('pediatric_min_age_years'):g} to under {older:g} years"


def _trihexyphenidyl(p: _Patient, _: AgeLimits, catalog: TitrationCatalog) -> list[WeightDose]:
    drug = _drug(catalog, "trihexyphenidyl")
    keys = ("pediatric_start_min_mg_per_kg_day", "pediatric_start_max_mg_per_kg_day")
    low, high = (drug.param(k) for k in keys)
    times = drug.param("times_per_day")
    top = drug.param("pediatric_max_mg_per_kg_day")
    start = _scaled(
        "trihexyphenidyl",
        f"start {low:g}–{high:g} mg/kg/day in {times:g} doses",
        _keys(drug, (*keys, "times_per_day")),
        p.weight,
        (low, high),
        per="day",
    )
    ceiling = _scaled(
        "trihexyphenidyl",
        f"at most {top:g} mg/kg/day",
        _keys(drug, ("pediatric_max_mg_per_kg_day",)),
        p.weight,
        (top,),
        per="day",
        prefix="at most ",
    )
    return [start, ceiling]


# ---------------------------------------------------------------- arithmetic and wording


def _scaled(
    option_id: str,
    statement: str,
    sources: tuple[str, ...],
    weight: float | None,
    per_kg: tuple[float, ...],
    *,
    cap: tuple[float, str] | None = None,
    per: str = "dose",
    prefix: str = "",
) -> WeightDose:
    """`per_kg` (one value or a low-high pair) times `weight`, each end held at `cap`."""
    if weight is None:
        return _note(option_id, statement, sources, MISSING_WEIGHT, per=per)
    raw = [k * weight for k in per_kg]
    limit = cap[0] if cap else math.inf
    held = [min(v, limit) for v in raw]
    reached = cap is not None and max(raw) > limit
    where = "upper end " if reached and min(raw) < limit else ""
    note = f"{where}capped at the {limit:g} mg {cap[1]}" if cap and reached else ""
    return WeightDose(
        option_id=option_id,
        drug=_TITLES[option_id],
        statement=statement,
        sources=sources,
        per=per,
        low_mg=held[0],
        high_mg=held[-1],
        cap=note,
        prefix=prefix,
        weight_kg=weight,
    )


def _note(
    option_id: str, statement: str, sources: tuple[str, ...], why: str, per: str = "dose"
) -> WeightDose:
    return WeightDose(
        option_id=option_id,
        drug=_TITLES[option_id],
        statement=statement,
        sources=sources,
        per=per,
        missing=why,
    )


def _drug(catalog: TitrationCatalog, drug_id: str) -> TitrationDrug:
    drug = catalog.drug(drug_id)
    if drug is None:  # the catalogue's own validation lists these drugs
        raise LookupError(f"titration catalogue has no {drug_id!r}")
    return drug


def _keys(drug: TitrationDrug, params: tuple[str, ...]) -> tuple[str, ...]:
    """The source keys of `params` in catalogue order, without repeats or 'project'."""
    keys = [drug.param_sources[p] for p in params]
    return tuple(dict.fromkeys(k for k in keys if k != "project"))


def mg(value: float) -> str:
    """A dose rounded down at a sensible precision: 1 mg from 10 mg, 0.1 mg from 1 mg,
    0.01 mg below (never shows more than was computed)."""
    step = 1.0 if value >= 10 else 0.1 if value >= 1 else 0.01
    shown = math.floor(round(value / step, 6)) * step
    text = f"{shown:.{0 if step == 1 else 1 if step == 0.1 else 2}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def kg(weight_kg: float) -> str:
    """A body weight as people read it: 2 decimals under 10 kg, 1 decimal from 10 kg."""
    text = f"{weight_kg:.{2 if weight_kg < 10 else 1}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " kg"


def mg_range(low: float, high: float) -> str:
    if mg(low) == mg(high):
        return f"{mg(low)} mg"
    return f"{mg(low)}–{mg(high)} mg"


_BUILDERS = {
    "diphenhydramine": _diphenhydramine,
    "benztropine": _benztropine,
    "levodopa-trial": _levodopa,
    "baclofen": _baclofen,
    "trihexyphenidyl": _trihexyphenidyl,
}
_TITLES = {
    "diphenhydramine": "Diphenhydramine",
    "benztropine": "Benztropine",
    "levodopa-trial": "Levodopa",
    "baclofen": "Baclofen",
    "trihexyphenidyl": "Trihexyphenidyl",
}
