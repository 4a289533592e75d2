"""The treatment knowledge base: data files in `data/`, validated and compiled at load time.

load_knowledge() -> KnowledgeBase      (cached; package data)
load_knowledge(directory) -> KnowledgeBase
"""

from __future__ import annotations

from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.loader import load_knowledge

__all__ = ["KnowledgeBase", "load_knowledge"]
