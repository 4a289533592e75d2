"""The care catalog: botulinum-toxin products and vocabulary, rating-scale definitions and
titration parameters, read from `knowledge/data/care/*.toml` and validated at load.

Every number carries the reference's source key (`source`, e.g. "R11d") and facts the
reference tags [U] carry `verified = false`: they are shown, never enforced.

`load_care_catalog()` is cached; a bad file raises `KnowledgeError` naming the file, the entry
and the field.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dystonia_cds.knowledge.catalog_files import known_ids as _known
from dystonia_cds.knowledge.catalog_files import unique_ids as _unique
from dystonia_cds.knowledge.catalog_files import validate_file

_DATA = "data/care"
_FILES = ("botulinum.toml", "scales.toml", "titration.toml")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Model):
    version: str
    summary: str


# ---------------------------------------------------------------- botulinum toxin


class Interval(_Model):
    minimum_days: int = Field(gt=0)
    usual_max_days: int = Field(gt=0)
    sources: tuple[str, ...]
    note: str


class Indication(_Model):
    id: str
    label: str
    regions: tuple[str, ...]


class LabelledIndication(_Model):
    indication: str
    population: str
    min_age_years: float | None = Field(default=None, ge=0)
    source: str
    tag: Literal["V", "S"]


class Product(_Model):
    id: str
    brand: str
    serotype: Literal["A", "B"]
    sources: tuple[str, ...]
    labelled: tuple[LabelledIndication, ...]

    def labelled_for(self, indication: str) -> LabelledIndication | None:
        return next((x for x in self.labelled if x.indication == indication), None)


class Maximum(_Model):
    id: str
    product: str
    indication: str | None = None
    max_units: float = Field(gt=0)
    scope: Literal["session", "window"]
    window_days: int | None = Field(default=None, gt=0)
    window_months: int | None = Field(default=None, gt=0)
    source: str
    tag: Literal["V", "S"]
    text: str

    @model_validator(mode="after")
    def _window_given(self) -> Maximum:
        has_window = (self.window_days is not None) or (self.window_months is not None)
        if (self.scope == "window") != has_window:
            raise ValueError("scope 'window' needs exactly window_days or window_months")
        return self


class DoseRange(_Model):
    product: str
    indication: str
    text: str
    source: str
    tag: Literal["V", "S", "U"]
    verified: bool = True
    max_units: float | None = Field(default=None, gt=0)


class MuscleNote(_Model):
    """Information when units in one muscle pass a figure the label gives."""

    product: str
    indication: str
    muscle: str
    scope: Literal["total", "per-side"]
    above_units: float = Field(gt=0)
    text: str
    source: str
    tag: Literal["V", "S"]


class ConditionCheck(_Model):
    """A check raised by a patient condition (ids from the ids in dystonia_cds.domain.patient)."""

    condition: str
    id: str
    severity: Literal["info", "warning", "critical"]
    text: str
    sources: tuple[str, ...]


class Muscle(_Model):
    id: str
    region: str
    label: str


class BotulinumCatalog(_Model):
    version: str
    changes: tuple[Change, ...] = Field(min_length=1)
    interval: Interval
    indications: tuple[Indication, ...]
    products: tuple[Product, ...]
    maxima: tuple[Maximum, ...]
    dose_ranges: tuple[DoseRange, ...]
    sides: tuple[str, ...]
    guidance: tuple[str, ...]
    muscles: tuple[Muscle, ...]
    muscle_notes: tuple[MuscleNote, ...] = ()
    condition_checks: tuple[ConditionCheck, ...] = ()

    @model_validator(mode="after")
    def _cross_check(self) -> BotulinumCatalog:
        _unique("indications", [i.id for i in self.indications])
        _unique("products", [p.id for p in self.products])
        _unique("muscles", [m.id for m in self.muscles])
        regions = {m.region for m in self.muscles}
        indications = {i.id for i in self.indications}
        products = {p.id for p in self.products}
        for ind in self.indications:
            _known(f"indications[{ind.id}].regions", ind.regions, regions)
        for prod in self.products:
            _known(
                f"products[{prod.id}].labelled", [x.indication for x in prod.labelled], indications
            )
        _known(
            "muscle_notes.muscle",
            [n.muscle for n in self.muscle_notes],
            {m.id for m in self.muscles},
        )
        refs: list[Maximum | DoseRange | MuscleNote] = [
            *self.maxima,
            *self.dose_ranges,
            *self.muscle_notes,
        ]
        for ref in refs:
            _known("maxima/dose_ranges.product", [ref.product], products)
            _known("maxima/dose_ranges.indication", [ref.indication or ""], {*indications, ""})
        return self

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def indication(self, indication_id: str) -> Indication | None:
        return next((i for i in self.indications if i.id == indication_id), None)

    def muscle(self, muscle_id: str) -> Muscle | None:
        return next((m for m in self.muscles if m.id == muscle_id), None)


# ---------------------------------------------------------------- rating scales


class ScaleItem(_Model):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(max_length=60)
    min: int
    max: int
    weight: float = 1.0
    subscale: str | None = None
    source: str
    verified: bool = True
    unverified_reason: str | None = None

    @model_validator(mode="after")
    def _range(self) -> ScaleItem:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        if self.verified == (self.unverified_reason is not None):
            raise ValueError("an unverified item needs unverified_reason, a verified one none")
        return self


class ScaleProduct(_Model):
    """A region score that multiplies items (BFMDRS: provoking x severity x weight)."""

    region: str
    factors: tuple[str, str]
    weight: float = Field(gt=0)
    subscale: str
    source: str
    verified: bool = True
    unverified_reason: str | None = None


class Subscale(_Model):
    id: str
    min: int
    max: int


class Threshold(_Model):
    """Meaningful change for one part (a subscale or "total") of a scale.

    `*_points`: a change of at least that many points is meaningful; `*_percent_above`: a
    change of more than that percent of the baseline is meaningful;
    `not_meaningful_below_points`: an improvement below it is not meaningful and one between
    it and `improvement_points` is "depends on baseline" (None).
    """

    part: str
    improvement_points: float | None = None
    worsening_points: float | None = None
    improvement_percent_above: float | None = None
    worsening_percent_above: float | None = None
    not_meaningful_below_points: float | None = None
    source: str
    note: str


class ScaleDefinition(_Model):
    id: str
    name: str
    sources: tuple[str, ...]
    lower_is_better: bool
    primary: str
    note: str
    subscales: tuple[Subscale, ...] = ()
    products: tuple[ScaleProduct, ...] = ()
    items: tuple[ScaleItem, ...]
    thresholds: tuple[Threshold, ...] = ()

    @model_validator(mode="after")
    def _cross_check(self) -> ScaleDefinition:
        keys = [i.key for i in self.items]
        _unique(f"scales[{self.id}].items", keys)
        subs = {s.id for s in self.subscales}
        _known(
            f"scales[{self.id}].items.subscale", [i.subscale or "" for i in self.items], {*subs, ""}
        )
        _known(
            f"scales[{self.id}].products.factors",
            [f for p in self.products for f in p.factors],
            set(keys),
        )
        _known(
            f"scales[{self.id}].thresholds.part",
            [t.part for t in self.thresholds],
            {*subs, "total"},
        )
        _known(f"scales[{self.id}].primary", [self.primary], {*subs, "total"})
        return self

    def item(self, key: str) -> ScaleItem | None:
        return next((i for i in self.items if i.key == key), None)


class ScalesCatalog(_Model):
    version: str
    changes: tuple[Change, ...] = Field(min_length=1)
    scales: tuple[ScaleDefinition, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> ScalesCatalog:
        _unique("scales", [s.id for s in self.scales])
        return self


# ---------------------------------------------------------------- titration


class TitrationDrug(_Model):
    """Parameters of one drug's titration; every number with its source key."""

    id: str
    title: str
    sources: tuple[str, ...]
    params: dict[str, float]
    param_sources: dict[str, str]
    notes: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _every_param_sourced(self) -> TitrationDrug:
        missing = sorted(set(self.params) - set(self.param_sources))
        if missing:
            raise ValueError(f"params without a source in param_sources: {missing}")
        return self

    def param(self, name: str) -> float:
        return self.params[name]


class TitrationCatalog(_Model):
    version: str
    changes: tuple[Change, ...] = Field(min_length=1)
    drugs: tuple[TitrationDrug, ...]

    def drug(self, drug_id: str) -> TitrationDrug | None:
        return next((d for d in self.drugs if d.id == drug_id), None)


# ---------------------------------------------------------------- the catalog


class CareCatalog(_Model):
    botulinum: BotulinumCatalog
    scales: ScalesCatalog
    titration: TitrationCatalog

    @property
    def version(self) -> str:
        return "+".join((self.botulinum.version, self.scales.version, self.titration.version))

    def scale(self, scale_id: str) -> ScaleDefinition | None:
        return next((s for s in self.scales.scales if s.id == scale_id), None)


@cache
def load_care_catalog() -> CareCatalog:
    """Read and validate every care data file once; raises `KnowledgeError` on a bad file."""
    return CareCatalog(
        botulinum=validate_file(_DATA, "botulinum.toml", BotulinumCatalog),
        scales=validate_file(_DATA, "scales.toml", ScalesCatalog),
        titration=validate_file(_DATA, "titration.toml", TitrationCatalog),
    )
