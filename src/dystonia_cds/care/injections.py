"""Botulinum-toxin injection visits: the value types and their validation.

A visit records date, product, indication, lot, dilution, guidance and units per muscle
(muscle id from the vocabulary in `knowledge/data/care/botulinum.toml`, and side). Units
belong to the product: they are never converted between products (reference §3.1). The
`units` of a row are the units given to that muscle on that side (for `bilateral`, both
sides together).

`parse_visit(data, on=...)` reads a JSON-like object (the REST body) and `validate_visit`
checks a typed visit; both raise `InvalidInput` naming the field, e.g. `muscles[2].units`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.knowledge.care_catalog import BotulinumCatalog, load_care_catalog

_MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class MuscleDose:
    """Units of one product injected into one muscle on one side."""

    muscle: str
    side: str
    units: float


@dataclass(frozen=True, slots=True)
class InjectionVisit:
    """One botulinum-toxin session."""

    date: date
    product: str
    indication: str
    muscles: tuple[MuscleDose, ...]
    lot: str | None = None
    dilution: str | None = None
    guidance: str | None = None

    @property
    def total_units(self) -> float:
        return float(sum(m.units for m in self.muscles))


class PastInjection(Protocol):
    """What the checks read from earlier sessions.

    Both `InjectionVisit` and the domain's `dystonia_cds.domain.patient.Injection` fit.
    """

    @property
    def date(self) -> date: ...

    @property
    def product(self) -> str | None: ...

    @property
    def indication(self) -> str | None: ...

    @property
    def total_units(self) -> float | None: ...


def validate_visit(visit: InjectionVisit, *, on: date) -> InjectionVisit:
    """Check a visit against the vocabulary and the evaluation date; return it unchanged."""
    catalog = load_care_catalog().botulinum
    if visit.date > on:
        raise InvalidInput(f"visit date {visit.date} is after {on}", location="date")
    _check_product(catalog, visit.product)
    regions = _check_indication(catalog, visit.indication)
    if not visit.muscles:
        raise InvalidInput("at least one muscle with units is required", location="muscles")
    for index, dose in enumerate(visit.muscles):
        _check_dose(catalog, dose, regions, visit.indication, f"muscles[{index}]")
    if visit.guidance is not None and visit.guidance not in catalog.guidance:
        raise InvalidInput(
            f"unknown guidance {visit.guidance!r} (known: {', '.join(catalog.guidance)})",
            location="guidance",
        )
    return visit


def _check_product(catalog: BotulinumCatalog, product: str) -> None:
    if catalog.product(product) is None:
        known = ", ".join(p.id for p in catalog.products)
        raise InvalidInput(f"unknown product {product!r} (known: {known})", location="product")


def _check_indication(catalog: BotulinumCatalog, indication: str) -> tuple[str, ...]:
    found = catalog.indication(indication)
    if found is None:
        known = ", ".join(i.id for i in catalog.indications)
        raise InvalidInput(
            f"unknown indication {indication!r} (known: {known})", location="indication"
        )
    return found.regions


def _check_dose(
    catalog: BotulinumCatalog,
    dose: MuscleDose,
    regions: tuple[str, ...],
    indication: str,
    where: str,
) -> None:
    muscle = catalog.muscle(dose.muscle)
    if muscle is None:
        raise InvalidInput(f"unknown muscle {dose.muscle!r}", location=f"{where}.muscle")
    if muscle.region not in regions:
        raise InvalidInput(
            f"muscle {muscle.id!r} (region {muscle.region}) is outside the regions of "
            f"{indication!r} ({', '.join(regions)})",
            location=f"{where}.muscle",
        )
    if dose.side not in catalog.sides:
        raise InvalidInput(
            f"unknown side {dose.side!r} (known: {', '.join(catalog.sides)})",
            location=f"{where}.side",
        )
    units = dose.units
    if isinstance(units, bool) or not isinstance(units, int | float) or not math.isfinite(units):
        raise InvalidInput(f"must be a number, got {units!r}", location=f"{where}.units")
    if units <= 0:
        raise InvalidInput(f"must be greater than 0, got {units!r}", location=f"{where}.units")


def parse_visit(data: Mapping[str, object], *, on: date) -> InjectionVisit:
    """Read a visit from a JSON-like object and validate it (see `validate_visit`).

    Fields: `date` (YYYY-MM-DD), `product`, `indication`, `muscles` ([{`muscle`, `side`,
    `units`}]), optional `lot`, `dilution`, `guidance`.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("must be an object", location="body")
    known = {"date", "product", "indication", "muscles", "lot", "dilution", "guidance"}
    for key in data:
        if key not in known:
            raise InvalidInput("unknown field", location=field_name(key))
    visit = InjectionVisit(
        date=parse_date(data.get("date"), "date"),
        product=_text(data.get("product"), "product", required=True) or "",
        indication=_text(data.get("indication"), "indication", required=True) or "",
        muscles=_muscles(data.get("muscles")),
        lot=_text(data.get("lot"), "lot"),
        dilution=_text(data.get("dilution"), "dilution"),
        guidance=_text(data.get("guidance"), "guidance"),
    )
    return validate_visit(visit, on=on)


def field_name(key: object) -> str:
    """A key as a location: itself when it is a plain non-empty text, else its repr."""
    return key if isinstance(key, str) and key.strip() else repr(key)


def parse_date(value: object, where: str) -> date:
    """A `date` or a `YYYY-MM-DD` string; anything else -> `InvalidInput` at `where`."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"must be a date YYYY-MM-DD, got {value!r}", location=where)


def _text(value: object, where: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise InvalidInput("is required", location=where)
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise InvalidInput(
            f"must be a non-empty text of at most {_MAX_TEXT} characters", location=where
        )
    return value


def _muscles(value: object) -> tuple[MuscleDose, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise InvalidInput("must be a list of {muscle, side, units}", location="muscles")
    return tuple(_muscle(row, f"muscles[{i}]") for i, row in enumerate(value))


def _muscle(row: object, where: str) -> MuscleDose:
    if not isinstance(row, Mapping):
        raise InvalidInput("must be an object {muscle, side, units}", location=where)
    for key in row:
        if key not in ("muscle", "side", "units"):
            raise InvalidInput("unknown field", location=f"{where}.{key}")
    units = row.get("units")
    if isinstance(units, bool) or not isinstance(units, int | float):
        raise InvalidInput(f"must be a number, got {units!r}", location=f"{where}.units")
    return MuscleDose(
        muscle=_text(row.get("muscle"), f"{where}.muscle", required=True) or "",
        side=_text(row.get("side"), f"{where}.side", required=True) or "",
        units=float(units),
    )
