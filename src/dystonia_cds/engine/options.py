"""Options: for each treatment in the knowledge base, the strongest indication that applies,
then contraindications (shown, never dropped), "avoid" rules, earlier failures, cautions,
rationale and evidence. Ordering follows the contract.
"""

from __future__ import annotations

from collections.abc import Iterable

from dystonia_cds.domain.recommendation import Option, Provenance, Strength, TraceEntry
from dystonia_cds.engine.context import Context
from dystonia_cds.knowledge.base import (
    Indication,
    KnowledgeBase,
    OptionSpec,
    Statement,
    Trigger,
    applies,
)

ORDER = {s: n for n, s in enumerate(Strength)}
POSITIVE = frozenset(s for s in Strength if s.is_positive)


def _text(s: Statement, ctx: Context) -> str:
    return s.text.format_map(ctx.values) if "{" in s.text else s.text


def _matching(items: Iterable[Statement], features: frozenset[str]) -> list[Statement]:
    return [s for s in items if not s.when or applies(s.when, features)]


def _best(spec: OptionSpec, features: frozenset[str]) -> Indication | None:
    best: Indication | None = None
    for ind in spec.indications:
        if applies(ind.statement.when, features) and (
            best is None or ORDER[ind.strength] < ORDER[best.strength]
        ):
            best = ind
    return best


def _used(when: tuple[Trigger, ...], features: frozenset[str]) -> set[str]:
    used: set[str] = set()
    for t in when:
        if t.matches(features):
            used |= t.all | (t.any & features)
    return used


def evaluate_option(
    spec: OptionSpec, ctx: Context, features: frozenset[str], version: str
) -> Option | None:
    best = _best(spec, features)
    if best is None:
        ctx.trace.append(TraceEntry(f"option.{spec.id}", False, "no indication applies"))
        return None
    strength = best.strength
    reasons: list[str] = []
    used = _used(best.statement.when, features)
    sources = set(best.statement.sources)
    contra = _matching(spec.contraindications, features)
    avoid = _matching(spec.avoid, features)
    for s in (*contra, *avoid):
        used |= _used(s.when, features)
        sources.update(s.sources)
    if contra:
        strength = Strength.CONTRAINDICATED
        reasons.extend("Contraindicated: " + _text(s, ctx) for s in contra)
    if avoid:
        strength = Strength.CONTRAINDICATED if contra else Strength.NOT_RECOMMENDED
        reasons.extend("Not recommended: " + _text(s, ctx) for s in avoid)
    strength = _history(spec, ctx, strength, reasons, used)
    rationale = (
        *reasons,
        _text(best.statement, ctx),
        *(_text(s, ctx) for s in _matching(spec.rationale, features)),
    )
    cautions = tuple(_text(s, ctx) for s in _matching(spec.cautions, features))
    evidence = tuple(e.evidence for e in spec.evidence if not e.when or applies(e.when, features))
    provenance = Provenance(best.statement.id, tuple(sorted(used)), version, tuple(sorted(sources)))
    ctx.trace.append(
        TraceEntry(best.statement.id, True, f"{spec.id}: {strength.value}", provenance.sources)
    )
    return Option(
        id=spec.id,
        rank=0,
        strength=strength,
        title=spec.title,
        rationale=rationale,
        cautions=cautions,
        evidence=evidence,
        provenance=provenance,
        adjunct=spec.adjunct,
    )


def _history(
    spec: OptionSpec, ctx: Context, strength: Strength, reasons: list[str], used: set[str]
) -> Strength:
    """Earlier failure demotes; current use and partial response are stated."""
    failures = ctx.failures.get(spec.id)
    if failures:
        used.add(f"failed:{spec.id}")
        reasons.append(
            "Tried before without adequate benefit ("
            + "; ".join(failures)
            + "): not offered again as first choice."
        )
        if strength in POSITIVE and ORDER[spec.after_failure] > ORDER[strength]:
            strength = spec.after_failure
    if spec.id in ctx.partial:
        used.add(f"partial:{spec.id}")
        reasons.append(
            f"Partial response before ({ctx.partial[spec.id]}): review dose and response."
        )
    if spec.id in ctx.current:
        used.add(f"current:{spec.id}")
        reasons.append(f"Current treatment: {ctx.current[spec.id]}.")
    return strength


def evaluate_options(kb: KnowledgeBase, ctx: Context, features: frozenset[str]) -> list[Option]:
    found = [o for spec in kb.options if (o := evaluate_option(spec, ctx, features, kb.version))]
    return rank_options(_cap_adjuncts(found))


def _cap_adjuncts(options: list[Option]) -> list[Option]:
    """An adjunct is never stronger than the weakest positive primary treatment."""
    primaries = [o.strength for o in options if not o.adjunct and o.strength in POSITIVE]
    if not primaries:
        return options
    weakest = max(primaries, key=ORDER.__getitem__)
    out = []
    for o in options:
        if o.adjunct and o.strength in POSITIVE and ORDER[o.strength] < ORDER[weakest]:
            o = _replace_strength(o, weakest)
        out.append(o)
    return out


def _replace_strength(o: Option, strength: Strength) -> Option:
    return Option(
        o.id,
        o.rank,
        strength,
        o.title,
        o.rationale,
        o.cautions,
        o.evidence,
        o.provenance,
        o.adjunct,
    )


def rank_options(options: list[Option]) -> list[Option]:
    """Strength, then adjuncts after primaries, then the knowledge order (priority, id).

    `options` must come in knowledge order; the sort is stable. Rank 1 = most preferred.
    """
    ordered = sorted(options, key=lambda o: (ORDER[o.strength], o.adjunct))
    return [
        Option(
            o.id,
            n,
            o.strength,
            o.title,
            o.rationale,
            o.cautions,
            o.evidence,
            o.provenance,
            o.adjunct,
        )
        for n, o in enumerate(ordered, start=1)
    ]
