"""Recommendation feedback from the web app (helpful yes/no, error reports) and the summaries
admins see, including CDS Hooks card feedback when that table exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, inspect, select
from sqlalchemy.orm import Session

from dystonia_cds.store.account_models import RecommendationFeedback, WebUser
from dystonia_cds.web.accounts import now

MAX_REPORT = 2000


@dataclass(slots=True)
class OptionSummary:
    option_id: str
    helpful: int = 0
    not_helpful: int = 0
    errors: int = 0
    reports: list[tuple[str, str, str]] = field(default_factory=list)  # (when, who, text)

    @property
    def answered(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class CardSummary:
    topic: str
    accepted: int
    overridden: int

    @property
    def acceptance_rate(self) -> float | None:
        total = self.accepted + self.overridden
        return self.accepted / total if total else None


def add_feedback(
    session: Session,
    *,
    patient_id: str,
    option_id: str,
    user_id: int,
    helpful: bool | None,
    text: str | None,
    knowledge_version: str,
) -> None:
    session.add(
        RecommendationFeedback(
            patient_id=patient_id,
            option_id=option_id,
            user_id=user_id,
            kind="error" if text is not None else "helpful",
            helpful=helpful,
            text=text,
            knowledge_version=knowledge_version[:64],
            created_at=now(),
        )
    )


def option_summaries(session: Session, recent_reports: int = 5) -> list[OptionSummary]:
    counts = session.execute(
        select(
            RecommendationFeedback.option_id,
            func.sum(case((RecommendationFeedback.helpful.is_(True), 1), else_=0)),
            func.sum(case((RecommendationFeedback.helpful.is_(False), 1), else_=0)),
            func.sum(case((RecommendationFeedback.kind == "error", 1), else_=0)),
        )
        .group_by(RecommendationFeedback.option_id)
        .order_by(RecommendationFeedback.option_id)
    )
    summaries = {
        oid: OptionSummary(oid, int(yes or 0), int(no or 0), int(err or 0))
        for oid, yes, no, err in counts
    }
    reports = session.execute(
        select(RecommendationFeedback, WebUser.username)
        .outerjoin(WebUser, WebUser.id == RecommendationFeedback.user_id)
        .where(RecommendationFeedback.kind == "error")
        .order_by(RecommendationFeedback.created_at.desc(), RecommendationFeedback.id.desc())
        .limit(200)
    )
    for row, username in reports:
        summary = summaries[row.option_id]
        if len(summary.reports) < recent_reports:
            when = row.created_at.strftime("%Y-%m-%d %H:%M")
            summary.reports.append((when, username or "(deleted)", row.text or ""))
    return list(summaries.values())


def card_summaries(session: Session) -> list[CardSummary] | None:
    """CDS Hooks card feedback per topic, or None when that table does not exist."""
    if not inspect(session.get_bind()).has_table("cds_feedback"):
        return None
    from dystonia_cds.store.feedback_models import CdsFeedback

    rows = session.execute(
        select(
            CdsFeedback.topic,
            func.sum(case((CdsFeedback.outcome == "accepted", 1), else_=0)),
            func.sum(case((CdsFeedback.outcome == "overridden", 1), else_=0)),
        )
        .group_by(CdsFeedback.topic)
        .order_by(CdsFeedback.topic)
    )
    return [CardSummary(topic or "(unknown)", int(a or 0), int(o or 0)) for topic, a, o in rows]
