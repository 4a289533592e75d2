"""From a patient record to the facts the rules read: a set of feature words, the values
messages quote, and plain notes where data are missing ("not enough data to decide").

Pure: the evaluation date is an argument; nothing here reads a clock or a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dystonia_cds.domain.patient import (
    BodyRegion,
    Medication,
    PatientRecord,
    age_in_years,
)
from dystonia_cds.domain.phenotype import onset_age
from dystonia_cds.engine.diary import add_diary
from dystonia_cds.engine.history import add_history
from dystonia_cds.engine.understanding import PhenotypeFacts, phenotype_facts
from dystonia_cds.knowledge.base import KnowledgeBase, Limits


class Values(dict[str, str]):
    """Values quoted in messages; a missing one reads 'unknown', never a guess."""

    def __missing__(self, key: str) -> str:
        return "unknown"


@dataclass(slots=True)
class Context:
    """Everything the rules read about one patient on one date."""

    record: PatientRecord
    on: date
    features: set[str] = field(default_factory=set)
    values: Values = field(default_factory=Values)
    notes: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)  # option id -> descriptions
    # failed drugs without an option of their own: ingredient -> descriptions
    other_failures: dict[str, list[str]] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)  # option id -> description
    partial: dict[str, str] = field(default_factory=dict)
    age: int | None = None
    onset: float | None = None
    distribution: str | None = None
    regions: frozenset[BodyRegion] = frozenset()
    culprits: tuple[str, ...] = ()
    active_drugs: tuple[str, ...] = ()
    facts: PhenotypeFacts | None = None  # what the phenotype alone says (memoised)


NO_DYSTONIA_NOTE = (
    "No active dystonia recorded: no dystonia treatment is offered "
    "(resolved, refuted or entered-in-error conditions do not count)."
)
MAX_AGE_YEARS = 150
DISTRIBUTION_UNKNOWN_NOTE = (
    "Not enough data to decide the body distribution (no body region recorded): options "
    "that depend on it (trihexyphenidyl first-line for generalized or segmental dystonia, "
    "botulinum toxin for focal dystonia, DBS for refractory generalized dystonia) are "
    "ranked without it."
)
PREGNANCY_NOTE = (
    "Pregnancy or lactation on record: the knowledge base holds label facts for botulinum toxin "
    "(pregnancy: use only if the benefit justifies the risk) and diphenhydramine (contraindicated "
    "in nursing mothers) only; for every other drug, not enough data to decide - check its label."
)
NO_BIRTH_DATE_NOTE = (
    "Not enough data to decide the age-dependent rules (no birth date): levodopa trial for "
    "children and adolescents, Beers Criteria at 65, benztropine under 3 years, "
    "diphenhydramine in neonates, DBS age limit."
)


def build_context(record: PatientRecord, kb: KnowledgeBase, on: date) -> Context:
    ctx = Context(record, on)
    _add_age(ctx, kb)
    if not record.phenotype.forms:
        return ctx
    f = ctx.features
    f.add("dystonia")
    if record.conditions:
        f.update(["condition:" + c for c in record.conditions])
    if record.findings:
        f.update(["finding:" + x for x in record.findings])
    facts = ctx.facts = phenotype_facts(record.phenotype, kb)
    f.update(facts.features)
    ctx.regions = facts.regions
    ctx.distribution = facts.distribution
    add_history(ctx, kb)
    if record.diary:
        add_diary(ctx, _limits(kb))
    _add_acute(ctx, kb, facts)
    _add_onset(ctx, kb)
    if ctx.distribution is None and "chronic" in f:
        ctx.notes.append(DISTRIBUTION_UNKNOWN_NOTE)
    if "condition:pregnancy" in f or "condition:lactation" in f:
        ctx.notes.append(PREGNANCY_NOTE)
    return ctx


def _add_age(ctx: Context, kb: KnowledgeBase) -> None:
    birth = ctx.record.birth_date
    if birth is None or birth > ctx.on:
        if birth is not None:
            ctx.notes.append(
                "Birth date is after the evaluation date: age-dependent rules not applied."
            )
        else:
            ctx.notes.append(NO_BIRTH_DATE_NOTE)
        return
    died = ctx.record.deceased_date
    age = age_in_years(birth, died if died is not None and birth <= died < ctx.on else ctx.on)
    ctx.age = age  # a deceased patient's age is the age at death
    neonate = age < 1 and (ctx.on - birth).days < _limits(kb).neonate_days_below
    memo = kb.derived
    key = ("age", age, neonate)
    found: tuple[tuple[str, ...], str] | None = memo.get(key)
    if found is None:
        found = memo[key] = (_age_features(_limits(kb), age, neonate), f"{age} years")
    ctx.features.update(found[0])
    ctx.values["age"] = found[1]


def _age_features(lim: Limits, age: int, neonate: bool) -> tuple[str, ...]:
    f = ["age-known"]
    if age <= lim.adolescent_age_max:
        f.append("child-or-adolescent")
    if age < lim.child_age_below:
        f.append("child")
        if age < lim.dbs_age_below:
            f.append("under-7")
        if age < lim.benztropine_age_below:
            f.append("under-3")
        if neonate:
            f.append("neonate")
    else:
        f.append("adult")
    if age > lim.anticholinergic_sensitive_over:
        f.append("over-60")
    if age >= lim.older_adult_from:
        f.append("older-adult")
    return tuple(f)


def _limits(kb: KnowledgeBase) -> Limits:
    if kb.limits is None:  # only a hand-built KnowledgeBase lacks them
        raise ValueError("knowledge base has no compiled limits; use load_knowledge()")
    return kb.limits


def _add_acute(ctx: Context, kb: KnowledgeBase, facts: PhenotypeFacts) -> None:
    """Acute drug-induced reaction: the named form while recent, or onset within days of a
    dopamine blocker; a named reaction older than the recent window is history."""
    lim = _limits(kb)
    f = ctx.features
    acute = False
    if facts.acute_form:
        acute = _named_reaction(ctx, kb, lim)
    elif facts.chronic_forms and not facts.tardive and ctx.record.medications:
        blockers = _blockers(ctx, kb, ctx.on, lim.acute_window_days)
        acute = _acute_by_timing(ctx, blockers, lim.acute_window_days)
    if acute:
        f.add("acute")
        if ctx.culprits:
            f.add("culprit-known")
    if acute or "acute-history" in f:
        ctx.values["culprits"] = ", ".join(ctx.culprits) or "none on record"
    if facts.chronic_forms and "acute-by-timing" not in f:
        f.add("chronic")


def _named_reaction(ctx: Context, kb: KnowledgeBase, lim: Limits) -> bool:
    """Whether a recorded acute reaction is acute on the evaluation date; its culprits are the
    dopamine blockers taken when it began, whatever the evaluation date."""
    began = ctx.record.phenotype.acute_date
    when = began if began is not None and began <= ctx.on else ctx.on
    if ctx.record.medications:
        _blockers(ctx, kb, when, lim.acute_window_days)
    if began is None:
        ctx.notes.append(
            "The acute dystonic reaction has no onset or recorded date: not enough data to "
            "decide whether it is still acute - treated as acute; record its date."
        )
        return True
    if began > ctx.on:
        ctx.notes.append(
            f"The acute dystonic reaction is dated {began.isoformat()}, after the evaluation "
            "date: not counted."
        )
        return False
    ctx.values["acute_date"] = began.isoformat()
    if (ctx.on - began).days <= lim.acute_reaction_recent_days:
        return True
    ctx.features.add("acute-history")
    ctx.notes.append(
        f"The acute dystonic reaction of {began.isoformat()} is past its acute phase (more "
        f"than {lim.acute_reaction_recent_days:g} days, a project convention from its time "
        "course): no acute treatment is offered; it stays on record as a risk factor."
    )
    return False


def _blockers(ctx: Context, kb: KnowledgeBase, when: date, window: float) -> list[Medication]:
    """Dopamine-blocking drugs taken on `when` or stopped within the window before it."""
    classes = kb.ingredient_classes
    blockers = [
        m
        for m in ctx.record.medications
        if "dopamine-blocker" in classes.get(m.ingredient, ())
        and (m.start is None or m.start <= when)
        and (_recent(m.end, m.active, when, window) or _started_within(m.start, when, window))
    ]
    ctx.culprits = tuple(sorted({m.ingredient for m in blockers}))
    return blockers


def _started_within(start: date | None, when: date, window: float) -> bool:
    """Started in the days before `when` (a course that ended on an unknown date)."""
    return start is not None and 0 <= (when - start).days <= window


def _recent(end: date | None, active: bool, on: date, window: float) -> bool:
    if end is not None and end >= on:
        return True
    if active and end is None:
        return True
    return end is not None and 0 <= (on - end).days <= window


def _acute_by_timing(ctx: Context, blockers: list[Medication], window: float) -> bool:
    onset = ctx.record.phenotype.onset_date
    for m in blockers:
        if m.start is None:
            continue
        if onset is not None and 0 <= (onset - m.start).days <= window:
            ctx.features.add("acute-by-timing")
            ctx.notes.append(
                f"Dystonia began {(onset - m.start).days} days after {m.ingredient} was started: "
                "treated as an acute drug-induced dystonic reaction; reassess if it persists."
            )
            return True
        if onset is None and 0 <= (ctx.on - m.start).days <= window:
            ctx.notes.append(
                f"{m.ingredient} (a dopamine-blocking drug) was started {(ctx.on - m.start).days} "
                "days ago and the dystonia onset date is unknown: not enough data to decide "
                "whether this is an acute drug-induced dystonic reaction - check the timing."
            )
    return False


def _onset_facts(
    lim: Limits, onset: float | None, age: int | None
) -> tuple[tuple[str, ...], str | None]:
    """Onset features and the quoted onset words (memoised per onset and age)."""
    f = []
    value = None
    # The onset cannot be later than the current age: a young patient had a young onset.
    bound = onset if onset is not None else age
    if onset is not None:
        f.append("onset-known")
        value = f"{int(onset)} years"
    elif age is not None:
        value = f"unknown, current age {age} years"
    if bound is not None:
        if int(bound) <= lim.early_onset_max:
            f.append("onset-early")
        if bound < lim.wilson_onset_below:
            f.append("onset-under-50")
        if bound < lim.genetic_onset_below:
            f.append("onset-under-30")
    return tuple(f), value


def _add_onset(ctx: Context, kb: KnowledgeBase) -> None:
    onset = onset_age(ctx.record.phenotype, ctx.record.birth_date)
    if onset is not None and not 0 <= onset < MAX_AGE_YEARS:  # NaN, infinite, impossible
        ctx.notes.append(f"Age at onset {onset!r} is not a possible age: treated as unknown.")
        onset = None
    ctx.onset = onset
    f = ctx.features
    memo = kb.derived
    key = ("onset", onset, ctx.age)
    found: tuple[tuple[str, ...], str | None] | None = memo.get(key)
    if found is None:
        found = memo[key] = _onset_facts(_limits(kb), onset, ctx.age)
    f.update(found[0])
    if found[1] is not None:
        ctx.values["onset_age"] = found[1]
    if "chronic" in f and "onset-under-50" not in f and onset is None:
        ctx.notes.append(
            "Not enough data to decide whether Wilson disease must be excluded or whether the "
            "EFNS levodopa trial for early-onset dystonia applies: age at onset unknown."
        )
