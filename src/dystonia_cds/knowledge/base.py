"""The knowledge base as the engine reads it: plain frozen dataclasses, compiled once at load.

Nothing here is parsed per evaluation: triggers are frozensets, texts are final strings
(unverified statements already carry their "Unverified" label), evidence objects are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dystonia_cds.domain.recommendation import Evidence, Severity, Strength

K = TypeVar("K")
V = TypeVar("V")

UNVERIFIED_LABEL = "Unverified (needs confirmation, not established fact): "


@dataclass(frozen=True, slots=True)
class Trigger:
    all: frozenset[str]
    any: frozenset[str]
    none: frozenset[str]

    def matches(self, features: frozenset[str]) -> bool:
        return (
            self.all <= features
            and (not self.any or not self.any.isdisjoint(features))
            and self.none.isdisjoint(features)
        )


def applies(when: tuple[Trigger, ...], features: frozenset[str]) -> bool:
    """No trigger = always; several triggers = any of them."""
    if not when:
        return True
    return any(t.matches(features) for t in when)


Test = Callable[[frozenset[str]], bool]


def always(features: frozenset[str]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Several triggers: any of them (a picklable callable, unlike a lambda)."""

    tests: tuple[Test, ...]

    def __call__(self, features: frozenset[str]) -> bool:
        return any(test(features) for test in self.tests)


def compile_test(when: tuple[Trigger, ...]) -> Test:
    """The fastest equivalent of `applies(when, features)` (C-level set methods when possible)."""
    if not when:
        return always
    if len(when) > 1:
        return AnyOf(tuple(compile_test((t,)) for t in when))
    t = when[0]
    if t.all and not t.any and not t.none:
        return t.all.issubset
    if t.none and not t.all and not t.any:
        return t.none.isdisjoint
    return t.matches


@dataclass(frozen=True, slots=True)
class Statement:
    """A sourced statement; `text` is what users see (labelled when unverified)."""

    id: str
    text: str
    tag: str  # "V" | "S" | "U"
    sources: tuple[str, ...]
    when: tuple[Trigger, ...] = ()
    kind: str = ""
    test: Test = field(default=always, compare=False, repr=False)
    alert_in_use: bool = False  # also a warning alert when it applies to a drug being taken

    @property
    def verified(self) -> bool:
        return self.tag != "U"


@dataclass(frozen=True, slots=True)
class Indication:
    statement: Statement
    strength: Strength


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    evidence: Evidence
    when: tuple[Trigger, ...]
    test: Test = field(default=always, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OptionSpec:
    id: str
    title: str
    priority: int
    adjunct: bool
    treatments: frozenset[str]
    after_failure: Strength
    indications: tuple[Indication, ...]
    contraindications: tuple[Statement, ...]
    avoid: tuple[Statement, ...]
    cautions: tuple[Statement, ...]
    rationale: tuple[Statement, ...]
    evidence: tuple[EvidenceRule, ...]
    facts: tuple[Statement, ...]
    counts_for_refractory: bool = False
    file: str = ""
    reads: frozenset[str] = frozenset()  # every feature its rules read (memo key)

    @property
    def sources(self) -> tuple[str, ...]:
        keys = {k for ind in self.indications for k in ind.statement.sources}
        return tuple(sorted(keys))


@dataclass(frozen=True, slots=True)
class AlertSpec:
    id: str
    title: str
    severity: Severity
    message: str
    tag: str
    sources: tuple[str, ...]
    when: tuple[Trigger, ...]
    addenda: tuple[Statement, ...]
    test: Test = field(default=always, compare=False, repr=False)
    reads: frozenset[str] = frozenset()  # every feature its rules read (memo key)
    covers: frozenset[str] = frozenset()  # contraindication ids it says for a drug in use
    critical_when: frozenset[str] = frozenset()  # critical instead when all of these hold


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    short: str
    citation: str


@dataclass(frozen=True, slots=True)
class DrugClass:
    id: str
    label: str
    tag: str
    sources: tuple[str, ...]
    ingredients: frozenset[str]


@dataclass(frozen=True, slots=True)
class OnsetBand:
    id: str
    label: str
    min_years: int
    max_years: int | None
    sources: tuple[str, ...]

    def contains(self, age_years: float) -> bool:
        whole = int(age_years)
        return whole >= self.min_years and (self.max_years is None or whole <= self.max_years)


@dataclass(frozen=True, slots=True)
class DoseLimit:
    """A reference daily-dose limit for a drug being taken (thresholds.toml `dose_limits`)."""

    id: str
    ingredient: str
    max_daily_mg: float
    when: frozenset[str]
    unless: frozenset[str]
    limit: str
    tag: str
    sources: tuple[str, ...]

    def applies(self, features: set[str] | frozenset[str]) -> bool:
        return self.when <= features and not self.unless & features


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    value: float
    unit: str
    tag: str
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds the engine applies, as plain numbers (from thresholds.toml)."""

    child_age_below: float
    adolescent_age_max: float
    older_adult_from: float
    anticholinergic_sensitive_over: float
    neonate_days_below: float
    benztropine_age_below: float
    dbs_age_below: float
    early_onset_max: float
    wilson_onset_below: float
    genetic_onset_below: float
    acute_window_days: float
    acute_reaction_recent_days: float
    bont_min_days: int
    bont_overdue_after_days: float
    refractory_min_failures: float
    diary_wearing_off_before_days: float = 70.0
    diary_benefit_lost_percent: float = 25.0


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Everything the engine and the other parts read; build with `load_knowledge()`.

    Compared and hashed by identity (it holds the engine's memo tables)."""

    version: str
    title: str
    history: tuple[tuple[str, str, str], ...]  # (version, date, change)
    sources: Mapping[str, Source]
    options: tuple[OptionSpec, ...]
    alerts: tuple[AlertSpec, ...]
    classes: tuple[DrugClass, ...]
    thresholds: Mapping[str, Threshold]
    onset_bands: tuple[OnsetBand, ...]
    terms: Mapping[str, Mapping[str, str]]  # kind -> id -> label
    windows: tuple[tuple[str, str, int], ...]  # windowed features the triggers use
    treatment_options: Mapping[str, str]  # ingredient/procedure id -> option id
    limits: Limits | None = None
    # ingredients without an option whose failure counts toward "medically refractory"
    refractory_extra: frozenset[str] = frozenset()
    # ingredient -> its reference daily-dose limits
    dose_limits: Mapping[str, tuple[DoseLimit, ...]] = field(default_factory=dict)
    # features any rule reads; the engine memoises decisions on them (see engine.plan)
    relevant: frozenset[str] = frozenset()
    # the same as bits: feature -> 1 << n, and n -> feature; masks of what each rule reads
    feature_bits: Mapping[str, int] = field(default_factory=dict)
    feature_names: tuple[str, ...] = ()
    option_masks: tuple[int, ...] = ()
    alert_masks: tuple[int, ...] = ()
    # ingredient -> windowed features it can produce: ((feature, days), ...)
    window_index: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    ingredient_classes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _options_by_id: Mapping[str, OptionSpec] = field(default_factory=dict)
    # engine memo tables (decisions depend only on the features they read; see engine.plan)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    plans: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    # per-patient-part derivations the engine memoises (e.g. phenotype -> its features)
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        """Pickle (e.g. to worker processes) without the memo."""
        state = dict(self.__dict__)
        state["memo"] = {}
        state["plans"] = {}
        state["derived"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

    def mask_of(self, features: Iterable[str]) -> int:
        """The bit mask of the relevant features among `features`."""
        # distinct powers of two: their sum is their union; the intersection runs in C
        return sum(map(self.feature_bits.__getitem__, self.relevant.intersection(features)))

    def features_of(self, mask: int) -> frozenset[str]:
        """The features whose bits are set in `mask`."""
        names = self.feature_names
        out = []
        while mask:
            low = mask & -mask
            out.append(names[low.bit_length() - 1])
            mask ^= low
        return frozenset(out)

    def drug_classes(self, ingredient: str) -> frozenset[str]:
        """Drug classes of an ingredient id (empty when it belongs to none)."""
        return self.ingredient_classes.get(ingredient, frozenset())

    def option(self, option_id: str) -> OptionSpec:
        return self._options_by_id[option_id]

    def facts_for(self, option_id: str, kind: str | None = None) -> tuple[Statement, ...]:
        """Dosing, titration, monitoring... facts of an option (all kinds when `kind` is None)."""
        facts = self._options_by_id[option_id].facts
        return facts if kind is None else tuple(f for f in facts if f.kind == kind)

    def alert_title(self, alert_id: str) -> str:
        """Plain words for an alert id (people never read the id itself)."""
        spec = next((a for a in self.alerts if a.id == alert_id), None)
        return spec.title if spec else alert_id.replace("-", " ").capitalize()

    def threshold(self, name: str) -> float:
        return self.thresholds[name].value

    def onset_band(self, age_years: float) -> OnsetBand | None:
        whole = int(age_years)
        for band in self.onset_bands:
            if whole >= band.min_years and (band.max_years is None or whole <= band.max_years):
                return band
        return None

    def evidence_for(self, key: str, level: str) -> Evidence:
        src = self.sources[key]
        return Evidence(source=f"{src.short} [{key}]", level=level, key=key)

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement the knowledge base holds (options and alert addenda)."""
        out: list[Statement] = []
        for o in self.options:
            out.extend(i.statement for i in o.indications)
            out.extend((*o.contraindications, *o.avoid, *o.cautions, *o.rationale, *o.facts))
        for a in self.alerts:
            out.extend(a.addenda)
        return tuple(out)


def frozen_mapping(data: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only view typed as Mapping; a plain dict so that it pickles."""
    return dict(data)
