"""Option rules: for each treatment of the knowledge base, the strongest indication that
applies, then contraindications (shown, never dropped), "avoid" rules, earlier failures,
cautions, rationale and evidence; then the contract's order.

These functions read only the feature set, so their result (an `OptionPlan`) can be
memoised; patient-specific words (drug names, dates, earlier trials) are filled in by
`render_option`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dystonia_cds.domain.recommendation import Option, Provenance, Strength, TraceEntry
from dystonia_cds.knowledge.base import (
    Indication,
    OptionSpec,
    Statement,
    Trigger,
)

ORDER = {s: n for n, s in enumerate(Strength)}
POSITIVE = frozenset(s for s in Strength if s.is_positive)

FAILED, PARTIAL, CURRENT = "failed", "partial", "current"


@dataclass(frozen=True, slots=True)
class OptionPlan:
    """A decided option; `template` is final unless `dynamic` (patient words to fill in)."""

    template: Option
    dynamic: bool
    head: tuple[str, ...]  # contraindication / avoid reasons
    history: tuple[str, ...]  # FAILED / PARTIAL / CURRENT, in that order
    body: tuple[str, ...]  # indication and rationale texts (may hold {placeholders})
    cautions: tuple[str, ...]
    priority: int
    placeholders: bool = False  # body or cautions quote patient values
    # the same decision at other ranks/strengths, made once (see `_with`)
    variants: dict[tuple[int, Strength], OptionPlan] = field(
        default_factory=dict, compare=False, repr=False
    )


def _matching(items: tuple[Statement, ...], features: frozenset[str]) -> list[Statement]:
    return [s for s in items if s.test(features)]


def _best(spec: OptionSpec, features: frozenset[str]) -> Indication | None:
    best: Indication | None = None
    for ind in spec.indications:
        if ind.statement.test(features) and (
            best is None or ORDER[ind.strength] < ORDER[best.strength]
        ):
            best = ind
    return best


def used_features(when: tuple[Trigger, ...], features: frozenset[str]) -> set[str]:
    """The features that made a rule fire (for provenance)."""
    used: set[str] = set()
    for t in when:
        if t.matches(features):
            used |= t.all | (t.any & features)
    return used


def _history(
    spec: OptionSpec, features: frozenset[str], strength: Strength
) -> tuple[Strength, tuple[str, ...]]:
    """Earlier failure demotes (never to a stronger strength); partial / current are stated."""
    kinds = tuple(k for k in (FAILED, PARTIAL, CURRENT) if f"{k}:{spec.id}" in features)
    if FAILED in kinds and strength in POSITIVE and ORDER[spec.after_failure] > ORDER[strength]:
        strength = spec.after_failure
    return strength, kinds


def plan_option(
    spec: OptionSpec, features: frozenset[str], version: str, trace: list[TraceEntry]
) -> OptionPlan | None:
    best = _best(spec, features)
    if best is None:
        trace.append(TraceEntry(f"option.{spec.id}", False, "no indication applies"))
        return None
    used = used_features(best.statement.when, features)
    sources = set(best.statement.sources)
    contra = _matching(spec.contraindications, features)
    avoid = _matching(spec.avoid, features)
    for s in (*contra, *avoid):
        used |= used_features(s.when, features)
        sources.update(s.sources)
    strength = best.strength
    if avoid:
        strength = Strength.NOT_RECOMMENDED
    if contra:
        strength = Strength.CONTRAINDICATED
    strength, history = _history(spec, features, strength)
    used.update(f"{k}:{spec.id}" for k in history)
    head = tuple("Contraindicated: " + s.text for s in contra) + tuple(
        "Not recommended: " + s.text for s in avoid
    )
    body = (best.statement.text, *(s.text for s in _matching(spec.rationale, features)))
    cautions = tuple(s.text for s in _matching(spec.cautions, features))
    evidence = tuple(e.evidence for e in spec.evidence if e.test(features))
    provenance = Provenance(best.statement.id, tuple(sorted(used)), version, tuple(sorted(sources)))
    trace.append(
        TraceEntry(
            best.statement.id,
            True,
            f"{spec.id}: {strength.value} (facts: {', '.join(provenance.facts)})",
            provenance.sources,
        )
    )
    placeholders = any("{" in t for t in (*body, *cautions))
    dynamic = bool(history) or placeholders
    template = Option(
        spec.id, 0, strength, spec.title, head + body, cautions, evidence, provenance, spec.adjunct
    )
    return OptionPlan(template, dynamic, head, history, body, cautions, spec.priority, placeholders)


def cap_adjuncts(plans: list[OptionPlan]) -> list[OptionPlan]:
    """An adjunct is never stronger than the weakest positive primary treatment."""
    primaries = [
        p.template.strength
        for p in plans
        if not p.template.adjunct and p.template.strength in POSITIVE
    ]
    if not primaries:
        return plans
    weakest = max(primaries, key=ORDER.__getitem__)
    out = []
    for p in plans:
        o = p.template
        if o.adjunct and o.strength in POSITIVE and ORDER[o.strength] < ORDER[weakest]:
            p = _with(p, strength=weakest, rank=o.rank)
        out.append(p)
    return out


def _with(p: OptionPlan, *, strength: Strength, rank: int) -> OptionPlan:
    """This decision at another rank or strength; each variant is built once and kept."""
    o = p.template
    if o.rank == rank and o.strength == strength:
        return p
    variant = p.variants.get((rank, strength))
    if variant is None:
        option = Option(
            o.id,
            rank,
            strength,
            o.title,
            o.rationale,
            o.cautions,
            o.evidence,
            o.provenance,
            o.adjunct,
        )
        variant = OptionPlan(
            option, p.dynamic, p.head, p.history, p.body, p.cautions, p.priority, p.placeholders
        )
        p.variants[(rank, strength)] = variant
    return variant


def rank_plans(plans: list[OptionPlan]) -> list[OptionPlan]:
    """Strength, then adjuncts after primaries, then knowledge priority, then id; rank 1 first."""
    ordered = sorted(
        plans,
        key=lambda p: (ORDER[p.template.strength], p.template.adjunct, p.priority, p.template.id),
    )
    return [_with(p, strength=p.template.strength, rank=n) for n, p in enumerate(ordered, start=1)]


def render_option(
    p: OptionPlan,
    values: dict[str, str],
    failures: dict[str, list[str]],
    partial: dict[str, str],
    current: dict[str, str],
) -> Option:
    """Fill in the patient-specific words of a dynamic option plan."""
    o = p.template
    if not p.dynamic:
        return o
    oid = o.id
    before = p.head  # contraindication / avoid reasons, then an earlier failure
    later = []  # after the indication: partial response, current treatment
    for kind in p.history:  # FAILED, PARTIAL, CURRENT, in that order
        if kind == FAILED:
            before = (
                *before,
                "Tried before ("
                + "; ".join(failures.get(oid, ()))
                + "): not offered again as first choice.",
            )
        elif kind == PARTIAL:
            later.append(
                f"Partial response before ({partial.get(oid, '')}): review dose and response."
            )
        else:
            later.append(f"Current treatment: {current.get(oid, '')}.")
    body, cautions = p.body, p.cautions
    if p.placeholders:
        body = tuple(t.format_map(values) if "{" in t else t for t in body)
        cautions = tuple(t.format_map(values) if "{" in t else t for t in cautions)
    return Option(
        o.id,
        o.rank,
        o.strength,
        o.title,
        (*before, body[0], *later, *body[1:]),
        cautions,
        o.evidence,
        o.provenance,
        o.adjunct,
    )
