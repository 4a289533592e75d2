"""Stage 2 of the FHIR mapping: the facts of one patient -> a `PatientRecord` (pure).

Derivations (docs/fhir-input.md):
- Forms imply their region (cervical -> neck, blepharospasm -> eyes, oromandibular -> lower face,
  laryngeal -> larynx).
- Distribution: the project extension, else a distribution word in the condition's text, else
  from the regions (Albanese 2013, R1): one region -> focal; trunk plus two or more other
  regions -> generalized; otherwise left unknown.
- Etiology: the extension, else drug-induced forms -> acquired; genetic torsion, dopa-responsive
  and myoclonus-dystonia forms or a pathogenic dystonia gene -> inherited; idiopathic
  nonfamilial -> idiopathic.
- Onset age: onsetAge, else onset date minus birth date; onset date: that of an acute
  drug-induced reaction when there is one, else the earliest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    ConceptSource,
    Course,
    DiaryEntry,
    Distribution,
    DystoniaForm,
    Etiology,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
    Sex,
    TreatmentTrial,
    TrialOutcome,
    Unrecognized,
    Variability,
)
from dystonia_cds.fhir.facts import (
    ComorbidityFact,
    DiaryFact,
    DrugFact,
    Fact,
    FindingFact,
    FormFact,
    GeneFact,
    IgnoredFact,
    MedicationDefFact,
    PatientFact,
    PhenotypeFact,
    ProcedureFact,
    UnrecognizedFact,
    WeightFact,
)

F = DystoniaForm
_E = TypeVar("_E", Course, Association)
_T = TypeVar("_T")
IMPLIED_REGION = {
    F.CERVICAL: BodyRegion.NECK,
    F.BLEPHAROSPASM: BodyRegion.EYES,
    F.OROMANDIBULAR: BodyRegion.LOWER_FACE,
    F.LARYNGEAL: BodyRegion.LARYNX,
}
ACQUIRED = frozenset({F.ACUTE_DRUG_INDUCED, F.TARDIVE, F.OTHER_DRUG_INDUCED})
INHERITED = frozenset({F.GENETIC_TORSION, F.DOPA_RESPONSIVE, F.MYOCLONUS_DYSTONIA})
DYSTONIA_GENES = frozenset({"GCH1", "TOR1A", "KMT2B", "SGCE", "THAP1", "ATP1A3"})
_SEX = {s.value: s for s in Sex}
_FORM = {f.value: f for f in F}
_REGION = {r.value: r for r in BodyRegion}
_OUTCOME = {o.value: o for o in TrialOutcome}
_DISTRIBUTION_WORDS = re.compile(
    r"\b(generali[sz]ed|segmental|multifocal|hemidystonia|focal)\b", re.I
)


class _Acc:
    """What one patient's facts say, gathered in one pass (a plain slotted class: cheap to make)."""

    __slots__ = (
        "axes", "birth", "conditions", "diary", "died", "drugs", "findings", "forms", "genes",
        "ignored", "meds", "patient_id", "procedures", "sex", "sources", "unrecognized",
        "variability", "weights",
    )  # fmt: skip

    def __init__(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.birth: date | None = None
        self.sex: Sex = Sex.UNKNOWN
        self.forms: list[FormFact] = []
        self.axes: dict[str, str] = {}
        self.variability: set[str] = set()
        self.conditions: set[str] = set()
        self.findings: set[str] = set()
        self.genes: set[str] = set()
        self.drugs: list[DrugFact] = []
        self.meds: dict[str, MedicationDefFact] = {}
        self.procedures: list[ProcedureFact] = []
        self.weights: list[WeightFact] = []
        self.unrecognized: list[Unrecognized] = []
        self.ignored: dict[str, int] = {}
        self.sources: list[ConceptSource] = []
        self.died: tuple[bool, date | None] = (False, None)
        self.diary: list[DiaryFact] = []

    def understood_from(self) -> tuple[ConceptSource, ...]:
        forms = [ConceptSource("form", f.form, f"{f.source}: {f.via}") for f in self.forms if f.via]
        return tuple(sorted({*forms, *self.sources}, key=lambda c: (c.kind, c.concept, c.source)))

    def add(self, f: Fact) -> None:  # noqa: C901 - one flat dispatch over the fact types
        match f:
            case UnrecognizedFact():
                self.unrecognized.append(Unrecognized(f.source, f.reason))
            case DrugFact():
                self.drugs.append(f)
            case PatientFact():
                self.birth, self.sex = f.birth_date, _SEX.get(f.sex) or Sex(f.sex)
                self.died = (f.deceased, f.deceased_date)
            case FormFact():
                self.forms.append(f)
            case PhenotypeFact(axis="variability"):
                self.variability.add(f.value)
            case PhenotypeFact():
                self.axes[f.axis] = f.value
            case ComorbidityFact():
                self.conditions.add(f.condition)
                if f.via:
                    self.sources.append(
                        ConceptSource("condition", f.condition, f"{f.source}: {f.via}")
                    )
            case FindingFact():
                self.findings.add(f.finding)
            case GeneFact():
                self.genes.add(f.gene)
            case MedicationDefFact():
                self.meds[f.key] = f
            case ProcedureFact():
                self.procedures.append(f)
            case WeightFact():
                self.weights.append(f)
            case DiaryFact():
                self.diary.append(f)
            case IgnoredFact():
                self.ignored[f.resource_type] = self.ignored.get(f.resource_type, 0) + 1


def assemble_record(patient_id: str, facts: Iterable[Fact]) -> PatientRecord:
    """Build the `PatientRecord` of one patient from that patient's facts (order-independent)."""
    acc = _Acc(patient_id)
    ignored, drugs, procedures = acc.ignored, acc.drugs, acc.procedures
    for f in facts:  # the commonest facts by far are taken without dispatch
        if type(f) is IgnoredFact:
            ignored[f.resource_type] = ignored.get(f.resource_type, 0) + 1
        elif type(f) is DrugFact:
            drugs.append(f)
        elif type(f) is ProcedureFact:
            procedures.append(f)
        else:
            acc.add(f)
    drugs = _resolve(acc)
    medications, trials, injections = _treatments(acc, drugs)
    return PatientRecord(
        patient_id=patient_id,
        birth_date=acc.birth,
        sex=acc.sex,
        weight_kg=_weight(acc.weights),
        phenotype=_phenotype(acc),
        trials=trials,
        injections=injections,
        medications=medications,
        conditions=frozenset(acc.conditions),
        findings=frozenset(acc.findings),
        unrecognized=_collapse(acc.unrecognized) + _ignored_summary(acc.ignored),
        understood_from=acc.understood_from(),
        deceased=acc.died[0],
        deceased_date=acc.died[1],
        diary=_diary(acc.diary),
    )


def _diary(facts: list[DiaryFact]) -> tuple[DiaryEntry, ...]:
    """The check-ins oldest first (then by source, so the order never depends on the input's)."""
    entries = (
        DiaryEntry(date=f.date, severity=f.severity, benefit_percent=f.benefit_percent,
                   side_effects=frozenset(f.side_effects), note=f.note, source=f.source)
        for f in facts
    )  # fmt: skip
    return tuple(sorted(entries, key=lambda e: (e.date, e.source)))


def _resolve(acc: _Acc) -> list[DrugFact]:
    """Replace references to Medication resources by the ingredients they name."""
    out = [d for d in acc.drugs if d.ingredient is not None]
    for d in (d for d in acc.drugs if d.ingredient is None):
        med = acc.meds.get(d.medication_ref or "")
        if med is None or not med.ingredients:
            what = "is not in the input" if med is None else f"({med.text[:60]!r}) matches no drug"
            acc.unrecognized.append(
                Unrecognized(
                    f"{d.source}.medicationReference", f"Medication/{d.medication_ref} {what}"
                )
            )
            continue
        for ing in med.ingredients:
            out.append(_with(d, ing, med.kind, ing in med.trials))
    return out


def _with(d: DrugFact, ingredient: str, kind: str, trial: bool) -> DrugFact:
    return DrugFact(
        d.patient_id, d.source, ingredient, None, kind, d.start, d.end, d.active,
        d.administration, d.route, d.outcome, d.units, trial, d.daily_dose_mg,
    )  # fmt: skip


def _outcome(value: str | None) -> TrialOutcome | None:
    return (_OUTCOME.get(value) or TrialOutcome(value)) if value else None


def _treatments(
    acc: _Acc, drugs: list[DrugFact]
) -> tuple[tuple[Medication, ...], tuple[TreatmentTrial, ...], tuple[Injection, ...]]:
    meds: list[Medication] = []
    trials: list[TreatmentTrial] = []
    injections: list[Injection] = []
    for d in drugs:
        ingredient = d.ingredient
        assert ingredient is not None  # noqa: S101 - resolved above
        if d.kind == "botulinum-toxin":
            if d.administration and d.start is not None and not d.outcome:  # the common case
                product = None if ingredient == "botulinum-toxin" else ingredient
                injections.append(Injection(d.start, product, d.units, None, d.source))
            else:
                _toxin(acc, d, trials, injections)
            continue
        meds.append(
            Medication(ingredient, d.start, d.end, d.active, d.route, d.source, d.daily_dose_mg)
        )
        if d.trial or d.outcome:
            trials.append(
                TreatmentTrial(
                    ingredient,
                    d.start,
                    d.end,
                    d.active,
                    _outcome(d.outcome),
                    d.daily_dose_mg,
                    d.source,
                )
            )
    for p in acc.procedures:
        if p.treatment == "botulinum-toxin" and p.start is not None:
            injections.append(Injection(p.start, p.product, None, None, p.source))
        if p.treatment != "botulinum-toxin" or p.outcome:
            trials.append(
                TreatmentTrial(
                    p.treatment,
                    p.start,
                    p.end,
                    p.active,
                    _outcome(p.outcome),
                    source=p.source,
                    product=p.product,
                )
            )
    return (
        _sorted(meds, _medication_key),
        _sorted(trials, _trial_key),
        _sorted(injections, _injection_key),
    )


def _sorted(items: list[_T], key: Callable[[_T], Any]) -> tuple[_T, ...]:
    return tuple(sorted(items, key=key)) if len(items) > 1 else tuple(items)


def _medication_key(m: Medication) -> tuple[date, str, str]:
    return (m.start or date.min, m.ingredient, m.source)


def _trial_key(t: TreatmentTrial) -> tuple[date, str, str]:
    return (t.start or date.min, t.treatment, t.source)


def _injection_key(i: Injection) -> tuple[date, str]:
    return (i.date, i.source)


def _toxin(
    acc: _Acc, d: DrugFact, trials: list[TreatmentTrial], injections: list[Injection]
) -> None:
    product = None if d.ingredient == "botulinum-toxin" else d.ingredient
    if d.administration and d.start is not None:
        injections.append(Injection(d.start, product, d.units, None, d.source))
    elif d.administration:
        acc.unrecognized.append(
            Unrecognized(
                f"{d.source}.effective[x]", "botulinum-toxin administration without a date"
            )
        )
    if not d.administration or d.outcome:
        trials.append(
            TreatmentTrial(
                "botulinum-toxin",
                d.start,
                d.end,
                d.active,
                _outcome(d.outcome),
                source=d.source,
                product=product,
            )
        )


def _weight(weights: list[WeightFact]) -> float | None:
    if not weights:
        return None
    return max(weights, key=lambda w: (w.when or date.min, w.source)).kg


def _phenotype(acc: _Acc) -> Phenotype:
    forms, regions, distribution = _shape(acc.forms)
    onset_date = _onset_date(acc.forms)
    if "distribution" in acc.axes:
        distribution = Distribution(acc.axes["distribution"])
    return Phenotype(
        forms=forms,
        regions=regions,
        distribution=distribution,
        onset_age_years=_onset_age(acc),
        course=_axis(acc, "course", Course),
        variability=frozenset(Variability(v) for v in acc.variability),
        association=_axis(acc, "association", Association),
        etiology=_etiology(acc, forms),
        genes=frozenset(acc.genes),
        onset_date=onset_date,
        acute_date=_acute_date(acc.forms),
    )


def _acute_date(forms: list[FormFact]) -> date | None:
    """When the latest acute reaction began: its onset, else the date it was recorded."""
    dates = [
        f.onset_date or f.recorded
        for f in forms
        if f.form == F.ACUTE_DRUG_INDUCED and (f.onset_date or f.recorded)
    ]
    return max(dates) if dates else None  # type: ignore[type-var]


Shape = tuple[frozenset[DystoniaForm], frozenset[BodyRegion], Distribution | None]
_shapes: dict[tuple[str, tuple[str, ...], str], Shape] = {}  # one form fact's shape, memoised
SHAPES_LIMIT = 4096


def _shape(facts: list[FormFact]) -> Shape:
    """Forms, regions (with those the forms imply) and the distribution the forms' words and
    regions give (the extension, when there is one, wins over it)."""
    if len(facts) != 1:
        return _derive_shape(facts)
    f = facts[0]
    key = (f.form, f.regions, f.text)
    try:
        found = _shapes.get(key)
    except TypeError:  # regions given as a list (built by hand): not memoised
        return _derive_shape(facts)
    if found is None:
        if len(_shapes) >= SHAPES_LIMIT:
            _shapes.clear()
        found = _shapes[key] = _derive_shape(facts)
    return found


def _derive_shape(facts: list[FormFact]) -> Shape:
    forms = frozenset(_FORM.get(f.form) or F(f.form) for f in facts)
    regions = {_REGION.get(r) or BodyRegion(r) for f in facts for r in f.regions}
    regions.update(IMPLIED_REGION[f] for f in forms if f in IMPLIED_REGION)
    return forms, frozenset(regions), _distribution(facts, regions)


def _axis(acc: _Acc, name: str, enum: type[_E]) -> _E | None:
    value = acc.axes.get(name)
    return enum(value) if value else None


def _onset_date(forms: list[FormFact]) -> date | None:
    acute = [f.onset_date for f in forms if f.form == F.ACUTE_DRUG_INDUCED and f.onset_date]
    if acute:
        return max(acute)
    dates = [f.onset_date for f in forms if f.onset_date]
    return min(dates) if dates else None


def _onset_age(acc: _Acc) -> float | None:
    ages = [f.onset_age for f in acc.forms if f.onset_age is not None]
    if ages:
        return min(ages)
    dates = [f.onset_date for f in acc.forms if f.onset_date]
    if not dates or acc.birth is None:
        return None
    first = min(dates)
    if first < acc.birth:
        acc.unrecognized.append(
            Unrecognized(
                "Condition.onset[x]",
                "dystonia onset is before the birth date; onset age left unknown",
            )
        )
        return None
    return round((first - acc.birth).days / 365.25, 1)


def _distribution(forms: list[FormFact], regions: set[BodyRegion]) -> Distribution | None:
    for f in forms:
        m = _DISTRIBUTION_WORDS.search(f.text)
        if m:
            word = m.group(1).lower().replace("generalised", "generalized")
            return Distribution(word)
    if len(regions) == 1:
        return Distribution.FOCAL
    if BodyRegion.TRUNK in regions and len(regions) >= 3:
        return Distribution.GENERALIZED
    return None


def _etiology(acc: _Acc, forms: frozenset[DystoniaForm]) -> Etiology | None:
    if "etiology" in acc.axes:
        return Etiology(acc.axes["etiology"])
    if forms & INHERITED or acc.genes & DYSTONIA_GENES:
        return Etiology.INHERITED
    if forms & ACQUIRED:
        return Etiology.ACQUIRED
    if F.IDIOPATHIC_NONFAMILIAL in forms:
        return Etiology.IDIOPATHIC
    return None


def _collapse(items: list[Unrecognized]) -> tuple[Unrecognized, ...]:
    """One entry per distinct reason: the first location, and how many more said the same."""
    by_reason: dict[str, list[str]] = {}
    for u in items:
        by_reason.setdefault(u.reason, []).append(u.location)
    return tuple(
        Unrecognized(locs[0] if len(locs) == 1 else f"{locs[0]} and {len(locs) - 1} more", reason)
        for reason, locs in by_reason.items()
    )


def _ignored_summary(ignored: dict[str, int]) -> tuple[Unrecognized, ...]:
    if not ignored:
        return ()
    parts = ", ".join(f"{n} {t}" for t, n in sorted(ignored.items(), key=lambda x: (-x[1], x[0])))
    return (Unrecognized("input", f"not used (types or codes the profile does not read): {parts}"),)
