"""Titration schedules: trihexyphenidyl, tetrabenazine, levodopa trial, baclofen.

`titration_schedule(drug, *, start=..., **options)` returns a dated `Schedule` within the
reference's limits (numbers and their sources in `knowledge/data/care/titration.toml`).

REFUSAL: a request above a maximum, outside a sourced range or missing what the drug needs
raises `InvalidInput` whose `.location` names the option (e.g. `target_daily_mg`) and whose
message gives the limit and its source. Nothing is silently capped.

Options (keyword arguments; unknown ones are refused):
- all: `age_years`, `weight_kg`.
- trihexyphenidyl: `target_daily_mg` (required: the clinician's ceiling; no source gives a
  dystonia maximum), `side_effect_prone`, `interval_days`, `increment_daily_mg`.
- tetrabenazine: `target_daily_mg` (required), `cyp2d6` (None = not genotyped, "extensive",
  "normal", "intermediate", "poor"), `strong_cyp2d6_inhibitor`.
- levodopa: `trial_days` (required: no source establishes the adequate duration),
  `mg_per_kg_day` (under 6 years), `dose_mg`, `times_per_day`, `test_titration` (adults).
- baclofen: `target_daily_mg` (required), `renal_impairment`, `interval_days`,
  `increment_mg_per_kg_day` (children).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from dystonia_cds.care import titration_drugs as drugs
from dystonia_cds.care.dosing import Schedule
from dystonia_cds.care.injections import field_name, parse_date
from dystonia_cds.care.titration_baclofen import baclofen
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.knowledge.care_catalog import load_care_catalog

_MAX_WEIGHT_KG = 300.0
_MAX_AGE_YEARS = 130.0
_MAX_DAYS = 3650
# Input plausibility bounds, not clinical limits (those come from the catalogue with their
# sources): no drug here is given anywhere near them; they keep the dose arithmetic finite.
_MAX_MG = 100_000.0
_MAX_MG_PER_KG = 1_000.0
_MG_FIELDS = frozenset({"target_daily_mg", "increment_daily_mg", "dose_mg"})
_MG_PER_KG_FIELDS = frozenset({"mg_per_kg_day", "increment_mg_per_kg_day"})


@dataclass(frozen=True, slots=True)
class TitrationRequest:
    """What the clinician asks for; see the module docstring for which drug reads what."""

    start: date
    age_years: float | None = None
    weight_kg: float | None = None
    target_daily_mg: float | None = None
    interval_days: int | None = None
    increment_daily_mg: float | None = None
    side_effect_prone: bool = False
    cyp2d6: str | None = None
    strong_cyp2d6_inhibitor: bool = False
    trial_days: int | None = None
    dose_mg: float | None = None
    times_per_day: int | None = None
    mg_per_kg_day: float | None = None
    test_titration: bool = False
    renal_impairment: bool = False
    increment_mg_per_kg_day: float | None = None


_BUILDERS = {
    "trihexyphenidyl": drugs.trihexyphenidyl,
    "tetrabenazine": drugs.tetrabenazine,
    "levodopa": drugs.levodopa,
    "baclofen": baclofen,
}
TITRATION_DRUGS: tuple[str, ...] = tuple(_BUILDERS)

_OPTIONS = {
    "trihexyphenidyl": (
        "age_years",
        "weight_kg",
        "target_daily_mg",
        "side_effect_prone",
        "interval_days",
        "increment_daily_mg",
    ),
    "tetrabenazine": ("target_daily_mg", "cyp2d6", "strong_cyp2d6_inhibitor"),
    "levodopa": (
        "age_years",
        "weight_kg",
        "trial_days",
        "mg_per_kg_day",
        "dose_mg",
        "times_per_day",
        "test_titration",
    ),
    "baclofen": (
        "age_years",
        "weight_kg",
        "target_daily_mg",
        "renal_impairment",
        "interval_days",
        "increment_mg_per_kg_day",
    ),
}

_BOOLS = {"side_effect_prone", "strong_cyp2d6_inhibitor", "test_titration", "renal_impairment"}
_INTS = {"interval_days", "trial_days", "times_per_day"}


def titration_schedule(drug: str, *, start: date, **options: Any) -> Schedule:
    """A dated schedule for `drug` from `start`; refusals raise `InvalidInput` (see above)."""
    builder = _BUILDERS.get(drug)
    if builder is None:
        raise InvalidInput(
            f"no titration schedule for {drug!r} (known: {', '.join(TITRATION_DRUGS)})",
            location="drug",
        )
    if not isinstance(start, date):
        raise InvalidInput("must be a date", location="start")
    request = TitrationRequest(start=start, **_checked_options(options))
    for name, value in options.items():
        if value is not None and name not in _OPTIONS[drug]:
            used = ", ".join(_OPTIONS[drug])
            raise InvalidInput(f"is not used by {drug} (its options: {used})", location=name)
    params = load_care_catalog().titration.drug(drug)
    if params is None:  # pragma: no cover - the catalog and _BUILDERS are kept in step
        raise InvalidInput(f"no titration data for {drug!r}", location="drug")
    return builder(request, params)


def _checked_options(options: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in fields(TitrationRequest)} - {"start"}
    for name, value in options.items():
        if name not in known:
            known_text = ", ".join(sorted(known))
            raise InvalidInput(f"unknown option (known: {known_text})", location=field_name(name))
        if value is not None:
            _check_value(name, value)
    return options


def _check_value(name: str, value: Any) -> None:
    if name in _BOOLS:
        if not isinstance(value, bool):
            raise InvalidInput(f"must be true or false, got {value!r}", location=name)
        return
    if name == "cyp2d6":
        if value not in drugs.CYP2D6_STATUSES:
            known = ", ".join(drugs.CYP2D6_STATUSES)
            raise InvalidInput(f"unknown CYP2D6 status {value!r} (known: {known})", location=name)
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"must be a number, got {value!r}", location=name)
    if name in _INTS and value != int(value):
        raise InvalidInput(f"must be a whole number, got {value!r}", location=name)
    _check_bounds(name, float(value))


def _check_bounds(name: str, value: float) -> None:
    upper = {"weight_kg": _MAX_WEIGHT_KG, "age_years": _MAX_AGE_YEARS}.get(name)
    if name in _MG_FIELDS:
        upper = _MAX_MG
    elif name in _MG_PER_KG_FIELDS:
        upper = _MAX_MG_PER_KG
    lowest_ok = 0.0 if name == "age_years" else None
    if lowest_ok is not None and value < lowest_ok:
        raise InvalidInput(f"must not be negative, got {value:g}", location=name)
    if lowest_ok is None and value <= 0:
        raise InvalidInput(f"must be greater than 0, got {value:g}", location=name)
    if upper is not None and value > upper:
        raise InvalidInput(f"{value:g} is not plausible (at most {upper:g})", location=name)
    if name in _INTS and value > _MAX_DAYS:
        raise InvalidInput(f"{value:g} is too large (at most {_MAX_DAYS})", location=name)


def parse_titration(data: Mapping[str, object]) -> Schedule:
    """A schedule from a JSON-like object `{"drug", "start": "YYYY-MM-DD", <options>...}`."""
    if not isinstance(data, Mapping):
        raise InvalidInput("must be an object", location="body")
    drug = data.get("drug")
    if not isinstance(drug, str):
        raise InvalidInput("is required (a drug id)", location="drug")
    start = parse_date(data.get("start"), "start")
    options = {str(k): v for k, v in data.items() if k not in ("drug", "start")}
    return titration_schedule(drug, start=start, **options)


def titration_definitions() -> list[dict[str, Any]]:
    """What each schedule accepts and says: `[{"id", "title", "options", "sources", "notes",
    "unverified"}]` (for forms and API documentation)."""
    result = []
    for drug in load_care_catalog().titration.drugs:
        result.append(
            {
                "id": drug.id,
                "title": drug.title,
                "options": list(_OPTIONS.get(drug.id, ())),
                "sources": list(drug.sources),
                "notes": list(drug.notes),
                "unverified": list(drug.unverified),
            }
        )
    return result
