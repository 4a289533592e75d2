"""Tables of the web app: accounts, server-side web sessions, recommendation feedback.

Passwords are stored only as argon2 hashes; session tokens only as SHA-256 digests, so a copy
of the database does not hand out working sessions. Feedback rows name the patient and the
option by id (no foreign key to the care tables: the migrations are independent branches).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base

ROLES = ("clinician", "admin")


class WebUser(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RecommendationFeedback(Base):
    """One clinician's answer under one option: helpful yes/no, or an error report.

    One helpful vote per user, option and patient (a partial unique index over the `helpful`
    rows; a second vote changes the first); error reports are not limited."""

    __tablename__ = "recommendation_feedback"
    __table_args__ = (
        Index(
            "uq_recommendation_feedback_vote",
            "patient_id",
            "option_id",
            "user_id",
            unique=True,
            sqlite_where=text("kind = 'helpful'"),
            postgresql_where=text("kind = 'helpful'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    option_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "helpful" or "error"
    helpful: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    knowledge_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
