"""The recommendation engine: pure functions from a patient record, an evaluation date and
the knowledge base to ranked options, alerts, notes and an explanation trace.

    recommend(record, kb, *, on) -> Recommendation
    alert_ids(record, kb, *, on) -> tuple[str, ...]   (the ids of recommend's alerts, only)
    recommendation_to_dict(rec) -> dict   (the contract's JSON)
"""

from __future__ import annotations

from dystonia_cds.engine.core import alert_ids, recommend
from dystonia_cds.engine.output import recommendation_to_dict

__all__ = ["alert_ids", "recommend", "recommendation_to_dict"]
