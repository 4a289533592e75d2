"""Turn validated knowledge files into the engine's frozen tables (once, at load time)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from dystonia_cds.domain.recommendation import Evidence, Severity, Strength
from dystonia_cds.knowledge.base import (
    UNVERIFIED_LABEL,
    AlertSpec,
    DoseLimit,
    DrugClass,
    EvidenceRule,
    Indication,
    KnowledgeBase,
    Limits,
    OnsetBand,
    OptionSpec,
    Source,
    Statement,
    Threshold,
    Trigger,
    compile_test,
    frozen_mapping,
)
from dystonia_cds.knowledge.checks import KnowledgeFiles
from dystonia_cds.knowledge.features import windowed
from dystonia_cds.knowledge.models import (
    AlertModel,
    EvidenceModel,
    FactModel,
    OptionModel,
    StatementModel,
    TriggerModel,
)

LEVEL_BY_TAG = {"V": "verified", "S": "secondary source", "U": "unverified"}


def _trigger(t: TriggerModel) -> Trigger:
    return Trigger(all=frozenset(t.all), any=frozenset(t.any), none=frozenset(t.none))


def _when(items: list[TriggerModel]) -> tuple[Trigger, ...]:
    return tuple(_trigger(t) for t in items)


def _statement(s: StatementModel) -> Statement:
    text = s.text if s.tag != "U" else UNVERIFIED_LABEL + s.text
    text += f" [{', '.join(s.sources)}; {LEVEL_BY_TAG[s.tag]}]"
    kind = s.kind if isinstance(s, FactModel) else ""
    when = _when(s.when)
    return Statement(
        s.id, text, s.tag, tuple(s.sources), when, kind, compile_test(when), s.alert_in_use
    )


def _evidence(kb: KnowledgeFiles, ev: EvidenceModel) -> EvidenceRule:
    src = kb.sources.sources[ev.source]
    level = ev.level if ev.tag != "U" else f"unverified: {ev.level}"
    evidence = Evidence(source=f"{src.short} [{ev.source}]", level=level, key=ev.source)
    when = _when(ev.when)
    return EvidenceRule(evidence, when, compile_test(when))


def _reads(*groups: tuple[Trigger, ...]) -> frozenset[str]:
    out: set[str] = set()
    for when in groups:
        for t in when:
            out |= t.all | t.any | t.none
    return frozenset(out)


def _option(kb: KnowledgeFiles, file: str, o: OptionModel) -> OptionSpec:
    spec = _option_spec(kb, file, o)
    statements = (
        *(i.statement for i in spec.indications),
        *spec.contraindications,
        *spec.avoid,
        *spec.cautions,
        *spec.rationale,
    )
    reads = _reads(*(s.when for s in statements), *(e.when for e in spec.evidence))
    history = {f"{p}:{o.id}" for p in ("failed", "current", "partial")}
    return replace(spec, reads=reads | history)


def _option_spec(kb: KnowledgeFiles, file: str, o: OptionModel) -> OptionSpec:
    return OptionSpec(
        id=o.id,
        title=o.title,
        priority=o.priority,
        adjunct=o.adjunct,
        treatments=frozenset(o.treatments),
        after_failure=Strength(o.after_failure),
        indications=tuple(Indication(_statement(i), Strength(i.strength)) for i in o.indications),
        contraindications=tuple(_statement(s) for s in o.contraindications),
        avoid=tuple(_statement(s) for s in o.avoid),
        cautions=tuple(_statement(s) for s in o.cautions),
        rationale=tuple(_statement(s) for s in o.rationale),
        evidence=tuple(_evidence(kb, e) for e in o.evidence),
        facts=tuple(_statement(s) for s in o.facts),
        counts_for_refractory=o.counts_for_refractory,
        file=file,
    )


def _alert(a: AlertModel) -> AlertSpec:
    spec = _alert_spec(a)
    reads = _reads(spec.when, *(s.when for s in spec.addenda)) | spec.critical_when
    return replace(spec, reads=reads)


def _alert_spec(a: AlertModel) -> AlertSpec:
    return AlertSpec(
        id=a.id,
        title=a.title,
        severity=Severity(a.severity),
        message=a.message,
        tag=a.tag,
        sources=tuple(a.sources),
        when=_when(a.when),
        addenda=tuple(_statement(s) for s in a.addenda),
        test=compile_test(_when(a.when)),
        covers=frozenset(a.covers),
        critical_when=frozenset(a.critical_when),
    )


def _all_features(kb: KnowledgeBase) -> set[str]:
    feats: set[str] = set()
    triggers: list[Trigger] = []
    for o in kb.options:
        for s in (*(i.statement for i in o.indications), *o.contraindications, *o.avoid):
            triggers.extend(s.when)
        for s in (*o.cautions, *o.rationale):
            triggers.extend(s.when)
        for e in o.evidence:
            triggers.extend(e.when)
    for a in kb.alerts:
        triggers.extend(a.when)
        for s in a.addenda:
            triggers.extend(s.when)
    for t in triggers:
        feats |= t.all | t.any | t.none
    return feats


def _windows(kb: KnowledgeBase) -> tuple[tuple[str, str, int], ...]:
    found = {w for f in _all_features(kb) if (w := windowed(f)) is not None}
    return tuple(sorted(found))


def compile_knowledge(files: KnowledgeFiles) -> KnowledgeBase:
    options = sorted(
        (_option(files, file, o) for file, o in files.options.items()),
        key=lambda o: (o.priority, o.id),
    )
    classes = tuple(
        DrugClass(c.id, c.label, c.tag, tuple(c.sources), frozenset(c.ingredients))
        for c in files.classes.classes
    )
    by_ingredient: dict[str, set[str]] = {}
    for c in classes:
        for ing in c.ingredients:
            by_ingredient.setdefault(ing, set()).add(c.id)
    terms = files.terms
    kb = KnowledgeBase(
        version=files.manifest.version,
        title=files.manifest.title,
        history=tuple((h.version, h.date, h.change) for h in files.manifest.history),
        sources=frozen_mapping(
            {k: Source(k, s.short, s.citation) for k, s in files.sources.sources.items()}
        ),
        options=tuple(options),
        alerts=tuple(_alert(a) for a in files.alerts.alerts),
        classes=classes,
        thresholds=frozen_mapping(
            {
                n: Threshold(n, t.value, t.unit, t.tag, tuple(t.sources), t.note)
                for n, t in files.thresholds.thresholds.items()
            }
        ),
        onset_bands=tuple(
            OnsetBand(b.id, b.label, b.min_years, b.max_years, tuple(b.sources))
            for b in files.thresholds.onset_bands
        ),
        terms=frozen_mapping(
            {
                kind: frozen_mapping({t.id: t.label for t in getattr(terms, kind)})
                for kind in ("conditions", "findings", "genes", "ingredients", "procedures")
            }
        ),
        windows=(),
        refractory_extra=frozenset(files.thresholds.refractory.other_treatments),
        dose_limits=_dose_limits(files),
        treatment_options=frozen_mapping({t: o.id for o in options for t in sorted(o.treatments)}),
        ingredient_classes=frozen_mapping({k: frozenset(v) for k, v in by_ingredient.items()}),
        _options_by_id=frozen_mapping({o.id: o for o in options}),
    )
    windows = _windows(kb)
    relevant = _relevant(kb)
    names = tuple(sorted(relevant))
    bits = {name: 1 << n for n, name in enumerate(names)}
    return replace(
        kb,
        windows=windows,
        limits=_limits(kb),
        relevant=relevant,
        window_index=_window_index(kb, windows),
        feature_bits=bits,
        feature_names=names,
        option_masks=tuple(_mask(bits, o.reads) for o in kb.options),
        alert_masks=tuple(_mask(bits, a.reads) for a in kb.alerts),
    )


def _dose_limits(files: KnowledgeFiles) -> Mapping[str, tuple[DoseLimit, ...]]:
    out: dict[str, list[DoseLimit]] = {}
    for d in files.thresholds.dose_limits:
        limit = DoseLimit(
            d.id, d.ingredient, d.max_daily_mg, frozenset(d.when), frozenset(d.unless),
            d.limit, d.tag, tuple(d.sources),
        )  # fmt: skip
        out.setdefault(d.ingredient, []).append(limit)
    return frozen_mapping({k: tuple(v) for k, v in out.items()})


def _mask(bits: dict[str, int], features: frozenset[str]) -> int:
    mask = 0
    for feature in features:
        mask |= bits[feature]
    return mask


def _limits(kb: KnowledgeBase) -> Limits:
    t = kb.threshold
    return Limits(
        child_age_below=t("child_age_below"),
        adolescent_age_max=t("adolescent_age_max"),
        older_adult_from=t("older_adult_from"),
        anticholinergic_sensitive_over=t("anticholinergic_sensitive_over"),
        neonate_days_below=t("neonate_days_below"),
        benztropine_age_below=t("benztropine_age_below"),
        dbs_age_below=t("dbs_age_below"),
        early_onset_max=t("early_onset_max"),
        wilson_onset_below=t("wilson_onset_below"),
        genetic_onset_below=t("genetic_onset_below"),
        acute_window_days=t("acute_window_days"),
        acute_reaction_recent_days=t("acute_reaction_recent_days"),
        bont_min_days=round(t("bont_min_interval_weeks") * 7),
        bont_overdue_after_days=t("bont_overdue_after_weeks") * 7,
        refractory_min_failures=t("refractory_min_failures"),
        diary_wearing_off_before_days=t("diary_wearing_off_before_weeks") * 7,
        diary_benefit_lost_percent=t("diary_benefit_lost_percent"),
    )


def _relevant(kb: KnowledgeBase) -> frozenset[str]:
    """Every feature a rule reads, plus the history words the engine itself reads."""
    history = {f"{p}:{o.id}" for o in kb.options for p in ("failed", "current", "partial")}
    return frozenset(_all_features(kb) | history | {"dystonia"})


def _window_index(
    kb: KnowledgeBase, windows: tuple[tuple[str, str, int], ...]
) -> dict[str, tuple[tuple[str, int], ...]]:
    index: dict[str, list[tuple[str, int]]] = {}
    for ingredient in kb.terms["ingredients"]:
        classes = kb.drug_classes(ingredient)
        for kind, ident, days in windows:
            if (ident in classes) if kind == "class" else (ident == ingredient):
                index.setdefault(ingredient, []).append((f"{kind}:{ident}@{days}", days))
    return {k: tuple(v) for k, v in index.items()}
