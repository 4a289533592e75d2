"""What a draft order asks for: knowledge ids read from a MedicationRequest or ServiceRequest
through the vocabulary (`dystonia_cds.knowledge.vocabulary`): codes first, names as a fallback;
an unverified code counts only when the coding's display or the text also names the concept
(the vocabulary's rule for input matching).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

DRUG_KINDS = ("ingredient", "botulinum-toxin")
PROCEDURE_KINDS = ("procedure",)


class CodeHitLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def concept(self) -> str: ...

    @property
    def verified(self) -> str: ...


class VocabularyLike(Protocol):
    def lookup(self, system: str, code: str) -> CodeHitLike | None: ...

    def match_names(self, kind: str, text: str) -> tuple[str, ...]: ...

    def emit_code(self, concept_id: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class DraftOrder:
    reference: str | None  # "MedicationRequest/abc" when the order has an id
    kind: str  # "MedicationRequest" | "ServiceRequest"
    label: str  # what the order says, for the card
    concepts: frozenset[str]  # ingredient, product or procedure ids


def _codeable_concept(order: dict[str, Any]) -> dict[str, Any]:
    if order.get("resourceType") == "ServiceRequest":
        concept = order.get("code")
    else:
        concept = order.get("medicationCodeableConcept")
        if concept is None:
            concept = _contained_medication_code(order)
    return concept if isinstance(concept, dict) else {}


def _contained_medication_code(order: dict[str, Any]) -> Any:
    reference = order.get("medicationReference")
    ref = reference.get("reference") if isinstance(reference, dict) else None
    display = reference.get("display") if isinstance(reference, dict) else None
    for contained in order.get("contained") or []:
        if isinstance(contained, dict) and ref == f"#{contained.get('id')}":
            return contained.get("code")
    return {"text": display} if isinstance(display, str) else None


def _texts(concept: dict[str, Any]) -> list[str]:
    texts = [concept.get("text")]
    texts += [c.get("display") for c in concept.get("coding") or [] if isinstance(c, dict)]
    return [t for t in texts if isinstance(t, str) and t]


def recognise(concept: dict[str, Any], kinds: tuple[str, ...], vocab: VocabularyLike) -> set[str]:
    """Concept ids named by a CodeableConcept: codes first, then names."""
    text = " / ".join(_texts(concept))
    found: set[str] = set()
    for coding in concept.get("coding") or []:
        if not isinstance(coding, dict):
            continue
        system, code = coding.get("system"), coding.get("code")
        hit = (
            vocab.lookup(system, code)
            if isinstance(system, str) and isinstance(code, str)
            else None
        )
        if hit is None or hit.kind not in kinds:
            continue
        if hit.verified != "unverified" or hit.concept in vocab.match_names(hit.kind, text):
            found.add(hit.concept)
    if not found:
        for kind in kinds:
            found.update(vocab.match_names(kind, text))
    return found


def read_order(order: dict[str, Any], vocab: VocabularyLike) -> DraftOrder:
    kind = str(order.get("resourceType"))
    concept = _codeable_concept(order)
    kinds = PROCEDURE_KINDS + DRUG_KINDS if kind == "ServiceRequest" else DRUG_KINDS
    concepts = recognise(concept, kinds, vocab)
    label = next(iter(_texts(concept)), kind)
    reference = f"{kind}/{order['id']}" if isinstance(order.get("id"), str) else None
    return DraftOrder(reference, kind, label, frozenset(concepts))
