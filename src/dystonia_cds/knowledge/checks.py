"""Cross-file checks of the knowledge base (the after-validator of `KnowledgeFiles`).

Every problem names the file, the entry and the field, so a bad edit stops start-up with
a message a knowledge editor can act on.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from pydantic import model_validator

from dystonia_cds.knowledge.features import OPTION_PREFIXES, feature_problem
from dystonia_cds.knowledge.models import (
    AlertsFile,
    DrugClassesFile,
    ManifestFile,
    OptionModel,
    SourcesFile,
    StatementModel,
    Strict,
    TermsFile,
    ThresholdsFile,
    TriggerModel,
)

# The public contract (DESIGN.md): these ids must exist.
REQUIRED_OPTIONS = frozenset(
    {
        "rehabilitation-therapy",
        "diphenhydramine",
        "benztropine",
        "stop-causative-drug",
        "levodopa-trial",
        "trihexyphenidyl",
        "clonazepam",
        "baclofen",
        "intrathecal-baclofen",
        "tetrabenazine",
        "botulinum-toxin",
        "deep-brain-stimulation",
    }
)
REQUIRED_ALERTS = frozenset(
    {
        "acute-dystonic-reaction",
        "botulinum-toxin-too-soon",
        "botulinum-toxin-due",
        "botulinum-toxin-overdue",
        "anticholinergic-older-adult",
        "tetrabenazine-depression",
        "levodopa-trial-missing",
        "wilson-disease-screen",
        "dbs-evaluation",
    }
)
REQUIRED_CLASSES = frozenset(
    {
        "dopamine-blocker",
        "anticholinergic",
        "benzodiazepine",
        "opioid",
        "maoi",
        "vmat2-inhibitor",
        "dopamine-depleter",
        "first-generation-antihistamine",
    }
)
# Thresholds the engine reads by name.
REQUIRED_THRESHOLDS = frozenset(
    {
        "child_age_below",
        "adolescent_age_max",
        "older_adult_from",
        "anticholinergic_sensitive_over",
        "neonate_days_below",
        "benztropine_age_below",
        "dbs_age_below",
        "early_onset_max",
        "wilson_onset_below",
        "genetic_onset_below",
        "acute_window_days",
        "acute_reaction_recent_days",
        "bont_min_interval_weeks",
        "bont_overdue_after_weeks",
        "refractory_min_failures",
        "diary_wearing_off_before_weeks",
        "diary_benefit_lost_percent",
    }
)
PLACEHOLDERS = frozenset(
    {
        "culprits",
        "weeks",
        "last_injection",
        "next_date",
        "age",
        "onset_age",
        "failures",
        "anticholinergics",
        "acute_date",
        "contraindicated_in_use",
        "dose_breaches",
        "cautions_in_use",
        "vmat2",
        "diary_date",
        "diary_weeks",
        "wear_off_weeks",
    }
)

Problem = str


def where(file: str, entry: str, field: str, problem: str) -> Problem:
    return f"{file}: entry {entry}: field {field}: {problem}"


class KnowledgeFiles(Strict):
    """All knowledge files together; the after-validator runs the cross-file checks."""

    manifest: ManifestFile
    sources: SourcesFile
    terms: TermsFile
    classes: DrugClassesFile
    thresholds: ThresholdsFile
    alerts: AlertsFile
    options: dict[str, OptionModel]  # file name (options/<id>.toml) -> option

    @model_validator(mode="after")
    def _cross_file(self) -> KnowledgeFiles:
        problems = list(cross_check(self))
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def vocabulary(self) -> dict[str, frozenset[str]]:
        ingredients = frozenset(t.id for t in self.terms.ingredients)
        options = frozenset(o.id for o in self.options.values())
        vocab = {
            "gene": frozenset(t.id for t in self.terms.genes),
            "condition": frozenset(t.id for t in self.terms.conditions),
            "finding": frozenset(t.id for t in self.terms.findings),
            "class": frozenset(c.id for c in self.classes.classes),
            "active": ingredients,
            "ingredient": ingredients,
            "onset-band": frozenset(b.id for b in self.thresholds.onset_bands),
        }
        vocab.update({p: options for p in OPTION_PREFIXES})
        return vocab


def cross_check(kb: KnowledgeFiles) -> Iterator[Problem]:
    yield from _check_manifest(kb)
    yield from _check_required(kb)
    yield from _check_classes(kb)
    yield from _check_thresholds(kb)
    yield from _check_options(kb)
    yield from _check_alerts(kb)
    yield from _check_unique_statements(kb)


def _check_manifest(kb: KnowledgeFiles) -> Iterator[Problem]:
    if kb.manifest.version not in {h.version for h in kb.manifest.history}:
        yield where("manifest.toml", "history", "version", "the current version has no entry")


def _check_required(kb: KnowledgeFiles) -> Iterator[Problem]:
    ids = {o.id for o in kb.options.values()}
    for missing in sorted(REQUIRED_OPTIONS - ids):
        yield where("options/", missing, "id", "option required by the contract is missing")
    alert_ids = {a.id for a in kb.alerts.alerts}
    for missing in sorted(REQUIRED_ALERTS - alert_ids):
        yield where("alerts.toml", missing, "id", "alert required by the contract is missing")
    class_ids = {c.id for c in kb.classes.classes}
    for missing in sorted(REQUIRED_CLASSES - class_ids):
        yield where("drug_classes.toml", missing, "id", "required drug class is missing")


def _sources(kb: KnowledgeFiles, file: str, entry: str, keys: list[str]) -> Iterator[Problem]:
    for key in keys:
        if key not in kb.sources.sources:
            yield where(file, entry, "sources", f"unknown source key {key!r}")


def _check_classes(kb: KnowledgeFiles) -> Iterator[Problem]:
    known = {t.id for t in kb.terms.ingredients}
    seen: set[str] = set()
    for i, c in enumerate(kb.classes.classes):
        entry = f"classes[{i}] (id {c.id!r})"
        if c.id in seen:
            yield where("drug_classes.toml", entry, "id", "duplicate class id")
        seen.add(c.id)
        yield from _sources(kb, "drug_classes.toml", entry, c.sources)
        for ing in c.ingredients:
            if ing not in known:
                yield where(
                    "drug_classes.toml", entry, "ingredients", f"unknown ingredient {ing!r}"
                )


def _check_thresholds(kb: KnowledgeFiles) -> Iterator[Problem]:
    file = "thresholds.toml"
    for missing in sorted(REQUIRED_THRESHOLDS - kb.thresholds.thresholds.keys()):
        yield where(file, f"thresholds.{missing}", "value", "required threshold is missing")
    for name, t in kb.thresholds.thresholds.items():
        yield from _sources(kb, file, f"thresholds.{name}", t.sources)
    yield from _check_refractory(kb)
    yield from _check_dose_limits(kb)
    bands = kb.thresholds.onset_bands
    for i, band in enumerate(bands):
        entry = f"onset_bands[{i}] (id {band.id!r})"
        yield from _sources(kb, file, entry, band.sources)
        if band.max_years is not None and band.max_years < band.min_years:
            yield where(file, entry, "max_years", "is below min_years")
        if band.max_years is None and i != len(bands) - 1:
            yield where(file, entry, "max_years", "only the last band may be open-ended")
        if i and (prev := bands[i - 1]).max_years is not None:
            if band.min_years <= prev.max_years:
                yield where(file, entry, "min_years", f"overlaps band {prev.id!r}")
            elif band.min_years != prev.max_years + 1:
                yield where(file, entry, "min_years", f"leaves a gap after band {prev.id!r}")


def _check_refractory(kb: KnowledgeFiles) -> Iterator[Problem]:
    refractory = kb.thresholds.refractory
    yield from _sources(kb, "thresholds.toml", "refractory", refractory.sources)
    ingredients = {t.id for t in kb.terms.ingredients}
    for ident in refractory.other_treatments:
        if ident not in ingredients:
            yield where(
                "thresholds.toml", "refractory", "other_treatments", f"unknown ingredient {ident!r}"
            )


def _check_dose_limits(kb: KnowledgeFiles) -> Iterator[Problem]:
    ingredients = {t.id for t in kb.terms.ingredients}
    vocab = kb.vocabulary()
    seen: set[str] = set()
    for d in kb.thresholds.dose_limits:
        entry = f"dose_limits.{d.id}"
        if d.id in seen:
            yield where("thresholds.toml", entry, "id", "duplicate dose limit id")
        seen.add(d.id)
        yield from _sources(kb, "thresholds.toml", entry, d.sources)
        if d.ingredient not in ingredients:
            yield where("thresholds.toml", entry, "ingredient", f"unknown {d.ingredient!r}")
        for part in ("when", "unless"):
            for feature in getattr(d, part):
                problem = feature_problem(feature, vocab)
                if problem:
                    yield where("thresholds.toml", entry, part, problem)
        if d.tag == "U":
            yield where(
                "thresholds.toml", entry, "tag", "an unverified [U] limit cannot be checked"
            )


def _triggers(
    file: str, entry: str, when: list[TriggerModel], vocab: dict[str, frozenset[str]]
) -> Iterator[Problem]:
    for n, trig in enumerate(when):
        for part in ("all", "any", "none"):
            for feature in getattr(trig, part):
                problem = feature_problem(feature, vocab)
                if problem:
                    yield where(file, entry, f"when[{n}].{part}", problem)


def _statements(
    kb: KnowledgeFiles, file: str, group: str, items: list[StatementModel]
) -> Iterator[Problem]:
    vocab = kb.vocabulary()
    for i, s in enumerate(items):
        entry = f"{group}[{i}] (id {s.id!r})"
        yield from _sources(kb, file, entry, s.sources)
        yield from _triggers(file, entry, s.when, vocab)
        yield from _placeholders(file, entry, s.text)
        if s.tag == "U" and group in ("indications", "contraindications", "avoid"):
            yield where(file, entry, "tag", f"an unverified [U] fact cannot be used as {group}")


def _placeholders(file: str, entry: str, text: str) -> Iterator[Problem]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        yield where(file, entry, "text", f"bad placeholder: {exc}")
        return
    for name in sorted(names - PLACEHOLDERS):
        yield where(file, entry, "text", f"unknown placeholder {{{name}}}")


def _check_options(kb: KnowledgeFiles) -> Iterator[Problem]:
    treatments = {t.id for t in kb.terms.ingredients} | {t.id for t in kb.terms.procedures}
    owner: dict[str, str] = {}
    vocab = kb.vocabulary()
    for file, opt in sorted(kb.options.items()):
        if file != f"options/{opt.id}.toml":
            yield where(file, "option", "id", f"{opt.id!r} does not match the file name")
        for group in (
            "indications",
            "contraindications",
            "avoid",
            "cautions",
            "rationale",
            "facts",
        ):
            yield from _statements(kb, file, group, getattr(opt, group))
        for i, ev in enumerate(opt.evidence):
            yield from _sources(kb, file, f"evidence[{i}]", [ev.source])
            yield from _triggers(file, f"evidence[{i}]", ev.when, vocab)
        for t in opt.treatments:
            if t not in treatments:
                yield where(file, "option", "treatments", f"unknown treatment id {t!r}")
            elif t in owner:
                yield where(file, "option", "treatments", f"{t!r} already belongs to {owner[t]!r}")
            owner.setdefault(t, opt.id)


def _check_alerts(kb: KnowledgeFiles) -> Iterator[Problem]:
    file = "alerts.toml"
    vocab = kb.vocabulary()
    seen: set[str] = set()
    for i, a in enumerate(kb.alerts.alerts):
        entry = f"alerts[{i}] (id {a.id!r})"
        if a.id in seen:
            yield where(file, entry, "id", "duplicate alert id")
        seen.add(a.id)
        yield from _sources(kb, file, entry, a.sources)
        yield from _triggers(file, entry, a.when, vocab)
        yield from _placeholders(file, entry, a.message)
        if a.tag == "U":
            yield where(file, entry, "tag", "an alert cannot rest on an unverified [U] fact")
        yield from _statements(kb, file, f"alerts[{i}].addenda", a.addenda)
        contra = {s.id for o in kb.options.values() for s in o.contraindications}
        for cid in a.covers:
            if cid not in contra:
                yield where(file, entry, "covers", f"unknown contraindication id {cid!r}")


def _check_unique_statements(kb: KnowledgeFiles) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for file, opt in sorted(kb.options.items()):
        for group in (
            "indications",
            "contraindications",
            "avoid",
            "cautions",
            "rationale",
            "facts",
        ):
            for s in getattr(opt, group):
                if s.id in seen:
                    yield where(
                        file,
                        f"{group} (id {s.id!r})",
                        "id",
                        f"duplicate rule id, also in {seen[s.id]}",
                    )
                seen.setdefault(s.id, file)
    ids = [o.id for o in kb.options.values()]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        yield where("options/", dup, "id", "duplicate option id")
