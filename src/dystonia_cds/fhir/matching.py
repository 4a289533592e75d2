"""Match a CodeableConcept against the vocabulary: codes first, names as the fallback."""

from __future__ import annotations

from dystonia_cds.knowledge.vocabulary import CodeHit, Vocabulary

SYSTEM_LABELS = {
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://snomed.info/sct": "SNOMED CT",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://loinc.org": "LOINC",
}


def match_concepts(
    vocab: Vocabulary, kinds: tuple[str, ...], found: list[tuple[str, str, str]], text: str
) -> list[tuple[str, str]]:
    """(kind, concept id) pairs a concept stands for.

    A code counts when the vocabulary knows it for one of `kinds`; an `unverified` code counts
    only when the text also names that concept. With no code match, names in `text` decide.
    """
    hits: list[tuple[str, str]] = []
    for system, code, _ in found:
        hit = vocab.lookup(system, code) if code else None
        if hit is None or hit.kind not in kinds:
            continue
        if hit.verified == "unverified" and not vocab.names_concept(hit.kind, hit.concept, text):
            continue
        for concept in refined(vocab, hit, text):
            if (hit.kind, concept) not in hits:
                hits.append((hit.kind, concept))
    if hits or not text:
        return hits
    return [(kind, cid) for kind in kinds for cid in vocab.match_names(kind, text)]


def refined(vocab: Vocabulary, hit: CodeHit, text: str) -> tuple[str, ...]:
    """A generic code's concept, or the more specific forms its text names (reference §7.1:
    text refines a generic code, never contradicts a specific one)."""
    if not hit.refine or not text:
        return (hit.concept,)
    named = [c for c in vocab.match_names(hit.kind, text) if c in hit.refine]
    return tuple(named) if named else (hit.concept,)


def how_matched(
    vocab: Vocabulary, kind: str, concept: str, found: list[tuple[str, str, str]], text: str
) -> str:
    """Which code or text made a concept: 'ICD-10-CM L03.221', 'ICD-10-CM G24.09 refined by its
    text', or "text 'tardive dystonia'" (the result says it; reference §7.1)."""
    for system, code, _ in found:
        hit = vocab.lookup(system, code) if code else None
        if hit is None or hit.kind != kind:
            continue
        label = f"{SYSTEM_LABELS.get(system, system)} {code}"
        if hit.concept == concept:
            return label
        if concept in hit.refine:
            return f"{label} refined by its text {text[:60]!r}"
    return f"text {text[:60]!r}"


def describe(found: list[tuple[str, str, str]], text: str) -> str:
    """How an unmatched concept reads in a message: its codes, else its text."""
    parts = [
        f"{SYSTEM_LABELS.get(s, s or 'no system')} {c} {d!r}"
        if d
        else f"{SYSTEM_LABELS.get(s, s)} {c}"
        for s, c, d in found
        if c
    ]
    if parts:
        return "; ".join(parts[:3])
    return repr(text[:80]) if text else "no code and no text"
