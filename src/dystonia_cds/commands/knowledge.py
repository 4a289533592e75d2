"""`dystonia-cds knowledge check`: validate the knowledge files in full (pydantic models and
cross-file checks, never the cached snapshot) and summarise what they hold."""

from __future__ import annotations

import sys
from collections import Counter

from dystonia_cds import DISCLAIMER
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge.loader import DATA_DIR, load_validated


def summary_lines(kb: KnowledgeBase) -> list[str]:
    statements = kb.statements
    tags = Counter(s.tag for s in statements)
    lines = [
        f"knowledge base: {kb.title}",
        f"version: {kb.version}",
        f"options ({len(kb.options)}): " + ", ".join(o.id for o in kb.options),
        f"alerts ({len(kb.alerts)}): " + ", ".join(a.id for a in kb.alerts),
        f"rules (indications, contraindications, avoid): {_rule_count(kb)}",
        f"statements: {len(statements)} (verified {tags['V']}, secondary source {tags['S']}, "
        f"unverified {tags['U']} - shown labelled 'Unverified', never as fact)",
        f"drug classes ({len(kb.classes)}): "
        + ", ".join(f"{c.id} [{len(c.ingredients)}]" for c in kb.classes),
        f"thresholds: {len(kb.thresholds)}; onset bands: "
        + ", ".join(b.id for b in kb.onset_bands),
        f"sources: {len(kb.sources)}",
    ]
    lines.extend(_other_catalogs())
    lines.append(f"history: {kb.history[-1][0]} ({kb.history[-1][1]}): {kb.history[-1][2][:100]}")
    lines.append(DISCLAIMER)
    return lines


def _rule_count(kb: KnowledgeBase) -> int:
    return sum(len(o.indications) + len(o.contraindications) + len(o.avoid) for o in kb.options)


def _other_catalogs() -> list[str]:
    """The vocabulary (H2) and care catalogue (H3), when those modules exist."""
    lines = []
    try:
        from dystonia_cds.knowledge import vocabulary
    except ImportError:
        lines.append("vocabulary: not installed")
    else:
        vocab = vocabulary.load_vocabulary()
        entries = vocab.entries() if hasattr(vocab, "entries") else ()
        lines.append(f"vocabulary: {_size(vocab)}, {len(entries)} entries")
    try:
        from dystonia_cds.knowledge import care_catalog
    except ImportError:
        lines.append("care catalogue: not installed")
    else:
        catalog = care_catalog.load_care_catalog()
        lines.append(f"care catalogue: {_size(catalog)}{_care_counts(catalog)}")
    return lines


def _care_counts(catalog: object) -> str:
    try:
        bont = catalog.botulinum  # type: ignore[attr-defined]
        counts = (
            f"{len(bont.products)} botulinum toxin products",
            f"{len(catalog.scales.scales)} rating scales",  # type: ignore[attr-defined]
            f"{len(catalog.titration.drugs)} titration schedules",  # type: ignore[attr-defined]
        )
    except AttributeError:
        return ""
    return ", " + ", ".join(counts)


def _size(obj: object) -> str:
    version = getattr(obj, "version", None)
    return f"loaded (version {version})" if version else "loaded"


def check() -> int:
    """Full validation of the packaged files (never the cached snapshot), then a summary."""
    kb = load_validated(DATA_DIR)
    sys.stdout.write("\n".join(summary_lines(kb)) + "\n")
    return 0
