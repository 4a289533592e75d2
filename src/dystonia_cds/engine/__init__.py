"""The recommendation engine: pure functions from a patient record, an evaluation date and
the knowledge base to ranked options, alerts, notes and an explanation trace.

    recommend(record, kb, *, on) -> Recommendation
    recommendation_to_dict(rec) -> dict   (the contract's JSON)
"""

from __future__ import annotations

from dystonia_cds.engine.core import recommend
from dystonia_cds.engine.output import recommendation_to_dict

__all__ = ["recommend", "recommendation_to_dict"]
