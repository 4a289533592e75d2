"""Recommendation feedback from the web app (helpful yes/no, error reports) and the summaries
admins see, including CDS Hooks card feedback when that table exists.

A helpful vote counts once per user, option and patient: a second click changes the first
(a partial unique index backs it). Summaries show option titles, patient names and dates,
never internal ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dystonia_cds.store.account_models import RecommendationFeedback, WebUser
from dystonia_cds.store.care_models import Patient
from dystonia_cds.web.accounts import now

MAX_REPORT = 2000


@dataclass(slots=True)
class OptionSummary:
    option_id: str
    helpful: int = 0
    not_helpful: int = 0
    errors: int = 0
    reports: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (when, who, patient, text)
    title: str = ""

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
    """An error report (any number), or the user's helpful vote on this option for this
    patient: one per user, option and patient, a second vote changes the first."""
    row = RecommendationFeedback(
        patient_id=patient_id,
        option_id=option_id,
        user_id=user_id,
        kind="error" if text is not None else "helpful",
        helpful=helpful,
        text=text,
        knowledge_version=knowledge_version[:64],
        created_at=now(),
    )
    if text is not None:
        session.add(row)
        return
    for _ in range(2):  # a concurrent first vote wins the insert; this one then updates it
        if _change_vote(session, row):
            return
        try:
            with session.begin_nested():
                session.add(row)
            return
        except IntegrityError:
            continue


def _change_vote(session: Session, vote: RecommendationFeedback) -> bool:
    """Update the user's existing vote in place; False when there is none."""
    changed = session.execute(
        update(RecommendationFeedback)
        .where(
            RecommendationFeedback.kind == "helpful",
            RecommendationFeedback.patient_id == vote.patient_id,
            RecommendationFeedback.option_id == vote.option_id,
            RecommendationFeedback.user_id == vote.user_id,
        )
        .values(
            helpful=vote.helpful,
            knowledge_version=vote.knowledge_version,
            created_at=vote.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(changed, "rowcount", 0))


def votes_for(session: Session, patient_id: str, user_id: int) -> dict[str, bool]:
    """The user's helpful votes on this patient's options: option id -> helpful."""
    query = select(RecommendationFeedback.option_id, RecommendationFeedback.helpful).where(
        RecommendationFeedback.kind == "helpful",
        RecommendationFeedback.patient_id == patient_id,
        RecommendationFeedback.user_id == user_id,
        RecommendationFeedback.helpful.is_not(None),
    )
    return {option_id: bool(helpful) for option_id, helpful in session.execute(query)}


def option_summaries(
    session: Session, titles: Mapping[str, str] | None = None, recent_reports: int = 5
) -> list[OptionSummary]:
    """Per option (by title): helpful and not-helpful votes, error reports, the latest reports
    with their date, author and patient."""
    titles = titles or {}
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
        oid: OptionSummary(
            oid, int(yes or 0), int(no or 0), int(err or 0), title=_title(oid, titles)
        )
        for oid, yes, no, err in counts
    }
    for row in feedback_rows(session, kind="error", limit=200):
        summary = summaries[row.option_id]
        if len(summary.reports) < recent_reports:
            summary.reports.append((row.when, row.who, row.patient, row.text))
    return sorted(summaries.values(), key=lambda o: o.title.lower())


def _title(option_id: str, titles: Mapping[str, str]) -> str:
    return titles.get(option_id) or option_id.replace("-", " ").capitalize()


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One stored answer as people read it: no internal ids but the option's (for its title)."""

    when: str
    who: str
    patient: str
    option_id: str
    kind: str
    helpful: bool | None
    text: str
    knowledge_version: str


def feedback_rows(
    session: Session, *, kind: str | None = None, limit: int | None = None
) -> list[FeedbackRow]:
    """Stored answers, newest first, with the author's username and the patient's name."""
    query = (
        select(RecommendationFeedback, WebUser.username, Patient.display_name)
        .outerjoin(WebUser, WebUser.id == RecommendationFeedback.user_id)
        .outerjoin(Patient, Patient.id == RecommendationFeedback.patient_id)
        .order_by(RecommendationFeedback.created_at.desc(), RecommendationFeedback.id.desc())
    )
    if kind is not None:
        query = query.where(RecommendationFeedback.kind == kind)
    if limit is not None:
        query = query.limit(limit)
    return [
        FeedbackRow(
            when=row.created_at.strftime("%Y-%m-%d %H:%M"),
            who=username or "(deleted)",
            patient=name or "(no name)",
            option_id=row.option_id,
            kind=row.kind,
            helpful=row.helpful,
            text=row.text or "",
            knowledge_version=row.knowledge_version,
        )
        for row, username, name in session.execute(query)
    ]


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
