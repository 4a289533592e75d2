"""Treatment history as features: current drugs and their classes, drugs stopped within a
window, trials and their outcomes, medical refractoriness, botulinum-toxin timing and
secondary loss of benefit measured on rating scales.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from dystonia_cds.domain.patient import Injection, ScaleResult, TreatmentTrial, TrialOutcome
from dystonia_cds.knowledge.base import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine.context import Context

FAILED = (TrialOutcome.INEFFECTIVE, TrialOutcome.NOT_TOLERATED)
# Classes the Beers Criteria advise avoiding in older adults (R27): named in the alert message.
BEERS_ANTICHOLINERGIC = frozenset({"anticholinergic", "first-generation-antihistamine"})


def add_history(ctx: Context, kb: KnowledgeBase) -> None:
    _add_medications(ctx, kb)
    _add_trials(ctx, kb)
    _add_injections(ctx, kb)
    if ctx.record.trials:
        done = sorted((i for i in ctx.record.injections if i.date <= ctx.on), key=_injection_date)
        _add_toxin_outcomes(ctx, done)
    _add_refractory(ctx, kb)


def _add_medications(ctx: Context, kb: KnowledgeBase) -> None:
    f = ctx.features
    on = ctx.on
    active_drugs = []
    classes_of = kb.ingredient_classes
    options_of = kb.treatment_options
    for m in ctx.record.medications:
        if m.start is not None and m.start > on:
            continue
        ing = m.ingredient
        active = m.active and (m.end is None or m.end >= on)
        option = options_of.get(ing)
        if option is not None:
            f.add("tried:" + option)
        if active:
            active_drugs.append(ing)
            f.add("active:" + ing)
            f.update(["class:" + c for c in classes_of.get(ing, ())])
            if option is not None:
                f.add("current:" + option)
                ctx.current.setdefault(option, _since(ing, m.start))
        windows = kb.window_index.get(ing)
        if windows:
            _add_windows(ctx, ing, windows, active, m.end)
    ctx.active_drugs = tuple(sorted(set(active_drugs)))
    _check_doses(ctx, kb)
    taken = [d for d in ctx.active_drugs if BEERS_ANTICHOLINERGIC & classes_of.get(d, frozenset())]
    if taken:
        ctx.values["anticholinergics"] = ", ".join(taken)
    vmat2 = [d for d in ctx.active_drugs if "vmat2-inhibitor" in classes_of.get(d, frozenset())]
    if vmat2:
        ctx.values["vmat2"] = ", ".join(vmat2)


def _check_doses(ctx: Context, kb: KnowledgeBase) -> None:
    """A drug being taken above a reference daily-dose limit (medications and active trials)."""
    limits = kb.dose_limits
    if not limits:
        return
    breaches: list[str] = []
    for ingredient, daily in _current_doses(ctx):
        for lim in limits.get(ingredient, ()):
            if daily > lim.max_daily_mg and lim.applies(ctx.features):
                breaches.append(
                    f"{ingredient} {daily:g} mg/day: {lim.limit} [{', '.join(lim.sources)}]"
                )
                break  # the first (strictest) limit that applies is the one named
    if breaches:
        ctx.features.add("dose-above-limit")
        ctx.values["dose_breaches"] = "; ".join(breaches)


def _current_doses(ctx: Context) -> list[tuple[str, float]]:
    on = ctx.on
    latest: dict[str, tuple[date, float]] = {}  # the newest stated dose of each drug taken
    taken = [
        (m.ingredient, m.start, m.daily_dose_mg)
        for m in ctx.record.medications
        if _taken(m.active, m.start, m.end, on)
    ]
    taken += [
        (t.treatment, t.start, t.daily_dose_mg)
        for t in ctx.record.trials
        if _taken(t.active, t.start, t.end, on)
    ]
    for ingredient, start, dose in taken:
        when = start or date.min
        if dose is not None and (ingredient not in latest or when > latest[ingredient][0]):
            latest[ingredient] = (when, dose)
    return sorted((k, v[1]) for k, v in latest.items())


def _taken(active: bool, start: date | None, end: date | None, on: date) -> bool:
    return active and (start is None or start <= on) and (end is None or end >= on)


def _since(what: str, start: date | None) -> str:
    return f"{what} since {start.isoformat()}" if start else f"{what} (start date unknown)"


def _add_windows(
    ctx: Context,
    ingredient: str,
    windows: tuple[tuple[str, int], ...],
    active: bool,
    end: date | None,
) -> None:
    """`class:maoi@14` and the like: taken now or stopped within the window."""
    for feature, days in windows:
        if active or (end is not None and 0 <= (ctx.on - end).days <= days):
            ctx.features.add(feature)
        elif end is None:
            ctx.notes.append(
                f"{ingredient} was stopped on an unknown date: not enough data to decide "
                f"whether it was taken within the last {days} days."
            )


def _add_trials(ctx: Context, kb: KnowledgeBase) -> None:
    f = ctx.features
    for t in ctx.record.trials:
        if t.start is not None and t.start > ctx.on:
            continue  # planned, not yet tried
        if t.treatment == "deep-brain-stimulation":
            f.add("dbs-in-place")
        option = kb.treatment_options.get(t.treatment)
        if option is None:
            if t.outcome in FAILED and t.treatment in kb.refractory_extra:
                ctx.other_failures.setdefault(t.treatment, []).append(_describe(t))
            continue
        f.add(f"tried:{option}")
        if t.active and (t.end is None or t.end >= ctx.on):
            f.add(f"current:{option}")
            ctx.current.setdefault(option, _since(t.treatment, t.start))
            # an ongoing trial of a drug is a drug being taken: its classes count too
            f.add(f"active:{t.treatment}")
            f.update(["class:" + c for c in kb.ingredient_classes.get(t.treatment, ())])
        if t.outcome in FAILED:
            f.add(f"failed:{option}")
            ctx.failures.setdefault(option, []).append(_describe(t))
        elif t.outcome == TrialOutcome.PARTIAL_RESPONSE:
            f.add(f"partial:{option}")
            ctx.partial.setdefault(option, _describe(t))
        elif t.outcome == TrialOutcome.GOOD_RESPONSE:
            f.add(f"good:{option}")


# outcome codes (urn:dystonia-cds:trial-outcome) as clinicians say them
OUTCOME_WORDS = {
    TrialOutcome.INEFFECTIVE: "no adequate benefit",
    TrialOutcome.NOT_TOLERATED: "not tolerated",
    TrialOutcome.PARTIAL_RESPONSE: "partial response",
    TrialOutcome.GOOD_RESPONSE: "good response",
}


def _describe(t: TreatmentTrial) -> str:
    when = ""
    if t.start or t.end:
        start = t.start.isoformat() if t.start else "?"
        end = t.end.isoformat() if t.end else "ongoing"
        when = f" {start} to {end}"
    outcome = OUTCOME_WORDS[t.outcome] if t.outcome else "outcome unknown"
    return f"{t.treatment.replace('-', ' ')}{when}: {outcome}"


def _add_refractory(ctx: Context, kb: KnowledgeBase) -> None:
    """Distinct medical treatments ineffective or not tolerated (options and other drugs)."""
    if not ctx.failures and not ctx.other_failures:
        return
    failed = [o.id for o in kb.options if o.counts_for_refractory and o.id in ctx.failures]
    said = [d for o in failed for d in ctx.failures[o]]
    said.extend(d for ds in ctx.other_failures.values() for d in ds)
    if not said:
        return
    ctx.values["failures"] = "; ".join(said)
    count = len(failed) + len(ctx.other_failures)
    if kb.limits is not None and count >= kb.limits.refractory_min_failures:
        ctx.features.add("refractory")


def _add_injections(ctx: Context, kb: KnowledgeBase) -> None:
    on = ctx.on
    done = [i for i in ctx.record.injections if i.date <= on]
    if len(done) > 1:
        done.sort(key=_injection_date)
    if not done:
        return
    f = ctx.features
    f.add("tried:botulinum-toxin")
    last = done[-1]
    ongoing = not _course_stopped(ctx.record.trials, last.date, {i.source for i in done})
    days = (on - last.date).days
    lim = kb.limits
    if lim is None:
        return
    min_days = lim.bont_min_days
    ctx.values["weeks"] = str(days // 7) if days % 7 == 0 else f"{days / 7:.1f}"
    ctx.values["last_injection"] = last.date.isoformat()
    ctx.values["next_date"] = (last.date + timedelta(days=min_days)).isoformat()
    if days < min_days:
        f.add("bont-too-soon")
    if ongoing:
        f.add("bont-ongoing")
        f.add("current:botulinum-toxin")
        ctx.current.setdefault("botulinum-toxin", f"last injection {last.date.isoformat()}")
        if days >= min_days:
            f.add("bont-due")
        if days > lim.bont_overdue_after_days:
            f.add("bont-overdue")
    if len(done) >= 2 and _switched(done[-2].product, done[-1].product):
        f.add("bont-product-switch")
    if lost_benefit(done, ctx.record.assessments, on):
        f.add("bont-loss-of-benefit")


SEROTYPE_B = frozenset({"rimabotulinumtoxinB"})  # every other product named here is type A (§3.2)


def _add_toxin_outcomes(ctx: Context, done: list[Injection]) -> None:
    """Toxin cycles recorded with outcomes: a good response followed by an ineffective cycle
    (possible secondary non-response), and which serotypes were without adequate benefit."""
    cycles = sorted(
        (t for t in ctx.record.trials if t.treatment == "botulinum-toxin" and t.outcome),
        key=lambda t: t.start or t.end or date.min,
    )
    if not cycles:
        return
    outcomes = [t.outcome for t in cycles]
    good = TrialOutcome.GOOD_RESPONSE
    if good in outcomes and TrialOutcome.INEFFECTIVE in outcomes[outcomes.index(good) + 1 :]:
        ctx.features.add("bont-response-lost")
    failed = {_serotype(t, done) for t in cycles if t.outcome in FAILED}
    if {"A", "B"} <= failed:
        ctx.features.add("bont-both-serotypes-failed")


def _serotype(t: TreatmentTrial, done: list[Injection]) -> str | None:
    """The serotype of a toxin course: its own product, its injection's, else the last one
    injected before it."""
    same = [i for i in done if t.source and i.source == t.source]
    when = t.start or t.end
    before = [i for i in done if when is not None and i.date <= when]
    found = same or before
    name = t.product or (found[-1].product if found else None)
    if name is None:
        return None
    return "B" if name in SEROTYPE_B else "A"


def _injection_date(i: Injection) -> date:
    return i.date


def _switched(before: str | None, after: str | None) -> bool:
    return before is not None and after is not None and before != after


def _course_stopped(trials: tuple[TreatmentTrial, ...], last: date, cycles: set[str]) -> bool:
    """A botulinum-toxin course recorded as ended on or after the last injection. An outcome
    recorded on an injection itself (its own source) rates that cycle; it ends no course."""
    return any(
        t.treatment == "botulinum-toxin"
        and not t.active
        and t.end is not None
        and t.end >= last
        and not (t.source and t.source in cycles)
        for t in trials
    )


def lost_benefit(
    injections: list[Injection], assessments: tuple[ScaleResult, ...], on: date
) -> bool:
    """Secondary loss of benefit over the last two injection cycles, on one rating scale.

    Scores are severity totals (higher = worse: TWSTRS, BFMDRS, JRS). A cycle runs from an
    injection to the next one (or the evaluation date); its peak is its best score after the
    injection, its baseline the last score on or before the injection day. Benefit is lost
    when the peak worsened in each of the last two cycles (three cycles with a peak), or when
    neither of the last two cycles improved on its baseline.
    """
    if len(injections) < 2 or len(assessments) < 2:
        return False
    counts: dict[str, int] = {}
    for a in assessments:
        counts[a.scale] = counts.get(a.scale, 0) + 1
    scale = min(counts, key=lambda s: (-counts[s], s))
    scores = sorted((a.date, a.total) for a in assessments if a.scale == scale)
    cycles = _cycles(injections, scores, on)
    peaks = [peak for _, peak in cycles if peak is not None]
    if len(peaks) >= 3 and peaks[-3] < peaks[-2] < peaks[-1]:
        return True
    responses = [base - peak for base, peak in cycles if base is not None and peak is not None]
    return len(responses) >= 2 and responses[-1] <= 0 and responses[-2] <= 0


def _cycles(
    injections: list[Injection], scores: list[tuple[date, float]], on: date
) -> list[tuple[float | None, float | None]]:
    out: list[tuple[float | None, float | None]] = []
    for n, inj in enumerate(injections):
        end = injections[n + 1].date if n + 1 < len(injections) else on + timedelta(days=1)
        post = [s for d, s in scores if inj.date < d < end]
        before = [s for d, s in scores if d <= inj.date]
        out.append((before[-1] if before else None, min(post) if post else None))
    return out
