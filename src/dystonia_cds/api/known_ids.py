"""Id checks for API input: an id the knowledge base does not know is refused (422) rather
than stored and then silently ignored by the engine. The lists come from the vocabulary
(`knowledge/data/vocabulary/*.toml`); findings are the domain's `FINDING_IDS`."""

from __future__ import annotations

from dystonia_cds.domain.patient import FINDING_IDS
from dystonia_cds.knowledge.vocabulary import COMORBIDITY_IDS, PROCEDURE_IDS, load_vocabulary


def _known(value: str, allowed: frozenset[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r} (known: {', '.join(sorted(allowed))})")
    return value


def condition(value: str) -> str:
    return _known(value, COMORBIDITY_IDS, "condition")


def finding(value: str) -> str:
    return _known(value, frozenset(FINDING_IDS), "finding")


def gene(value: str) -> str:
    return _known(value, load_vocabulary().concept_ids("gene"), "gene")


def ingredient(value: str) -> str:
    return _known(value, load_vocabulary().concept_ids("ingredient"), "ingredient")


def treatment(value: str) -> str:
    """A dystonia treatment: a drug the vocabulary marks as one (`trial = true`) or a
    procedure. Other drugs are recorded with `POST .../medications`."""
    vocab = load_vocabulary()
    drugs = frozenset(i for i in vocab.concept_ids("ingredient") if vocab.is_trial(i))
    return _known(value, drugs | PROCEDURE_IDS, "treatment")
