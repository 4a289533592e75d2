"""Card feedback: parse `POST /cds-services/{id}/feedback`, store it, summarise it per topic.

The body is small and rare, so it is validated with pydantic (`extra="forbid"`, with the
spec's reserved `extension` allowed), nested at most `MAX_DEPTH` levels, and held to the
specification's invariants: an `accepted` outcome names its `acceptedSuggestions`, an
`overridden` one may carry an `overrideReason` whose `reason` Coding (with a code) is then
required, and neither goes with the other's member. A card's topic comes from the key its uuid carries (`cardids`),
looked up in `cds_topic`; feedback about a card this service did not issue is reported under
the topic `unknown`. The summary counts distinct cards per topic and outcome; rates are shares of the
cards that received feedback, and `issued` is how many such cards were sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from dystonia_cds.cdshooks.cardids import key_of
from dystonia_cds.cdshooks.payload import decode_json, too_deep
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.nul import find_nul, nul_message
from dystonia_cds.store.feedback_models import CdsFeedback, CdsIssued, CdsTopic

UNKNOWN_TOPIC = "unknown"
MAX_DEPTH = 16  # a feedback body nests 6 levels; extensions get a few more


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodingIn(_Model):
    system: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=100)
    display: str | None = Field(default=None, max_length=300)
    version: str | None = None
    extension: dict[str, Any] | None = None


class OverrideReasonIn(_Model):
    reason: CodingIn
    userComment: str | None = Field(default=None, max_length=4000)
    extension: dict[str, Any] | None = None


class AcceptedSuggestionIn(_Model):
    id: str = Field(min_length=1, max_length=100)
    extension: dict[str, Any] | None = None


class FeedbackIn(_Model):
    card: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestionIn] = []
    overrideReason: OverrideReasonIn | None = None
    outcomeTimestamp: datetime
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _outcome_members(self) -> FeedbackIn:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an accepted outcome requires acceptedSuggestions")
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("an accepted outcome takes no overrideReason")
        if self.outcome == "overridden" and self.acceptedSuggestions:
            raise ValueError("an overridden outcome takes no acceptedSuggestions")
        if self.overrideReason is not None and not self.overrideReason.reason.code:
            raise ValueError("overrideReason.reason must be a Coding with a code")
        return self


class FeedbackBody(_Model):
    feedback: list[FeedbackIn] = Field(min_length=1, max_length=1000)
    extension: dict[str, Any] | None = None


def parse_feedback(body: bytes) -> FeedbackBody:
    data = decode_json(body)
    if too_deep(data, MAX_DEPTH):
        raise InvalidInput(f"the feedback is nested more than {MAX_DEPTH} levels deep")
    where = find_nul(data)
    if where is not None:
        raise InvalidInput(nul_message(""), location=where or "body")
    try:
        return FeedbackBody.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(first["msg"], location=where) from exc


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def store_feedback(session: Session, service_id: str, body: FeedbackBody) -> int:
    """Store every entry; returns how many were stored."""
    keys = {entry.card: key_of(entry.card) for entry in body.feedback}
    wanted = {k for k in keys.values() if k is not None}
    topics = dict(
        session.execute(select(CdsTopic.key, CdsTopic.topic).where(CdsTopic.key.in_(wanted))).all()
    )
    now = datetime.now(UTC)
    for entry in body.feedback:
        reason = entry.overrideReason.reason if entry.overrideReason else None
        key = keys[entry.card]
        session.add(
            CdsFeedback(
                service_id=service_id,
                card_uuid=entry.card,
                topic_key=key,
                topic=topics.get(key) if key is not None else None,
                outcome=entry.outcome,
                accepted_suggestions=orjson.dumps(
                    [s.id for s in entry.acceptedSuggestions]
                ).decode(),
                override_system=reason.system if reason else None,
                override_code=reason.code if reason else None,
                override_display=reason.display if reason else None,
                user_comment=entry.overrideReason.userComment if entry.overrideReason else None,
                outcome_at=_utc(entry.outcomeTimestamp),
                received_at=now,
            )
        )
    session.flush()
    return len(body.feedback)


def summarise(session: Session) -> dict[str, Any]:
    """Acceptance and override rates per card topic (the measure of alert fatigue)."""
    topic = func.coalesce(CdsFeedback.topic, CdsTopic.topic, literal_column(f"'{UNKNOWN_TOPIC}'"))
    counted = session.execute(
        select(topic, CdsFeedback.outcome, func.count(func.distinct(CdsFeedback.card_uuid)))
        .select_from(CdsFeedback)
        .outerjoin(CdsTopic, CdsTopic.key == CdsFeedback.topic_key)
        .group_by(topic, CdsFeedback.outcome)
    ).all()
    reasons = session.execute(
        select(topic, CdsFeedback.override_code, func.count())
        .select_from(CdsFeedback)
        .outerjoin(CdsTopic, CdsTopic.key == CdsFeedback.topic_key)
        .where(CdsFeedback.outcome == "overridden", CdsFeedback.override_code.is_not(None))
        .group_by(topic, CdsFeedback.override_code)
    ).all()
    issued_rows = session.execute(
        select(CdsIssued.topic, func.sum(CdsIssued.count)).group_by(CdsIssued.topic)
    ).all()
    issued = {name: int(total or 0) for name, total in issued_rows}
    return _report(list(counted), list(reasons), issued)


def _report(
    counted: list[tuple[str, str, int]],
    reasons: list[tuple[str, str | None, int]],
    issued: dict[str, int],
) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {}
    for name, outcome, count in counted:
        row = table.setdefault(name, _empty_row(name, issued))
        row[outcome] = row.get(outcome, 0) + count
    for name, code, count in reasons:
        table.setdefault(name, _empty_row(name, issued))["override_reasons"][code or ""] = count
    for name, count in issued.items():
        table.setdefault(name, _empty_row(name, issued))["issued"] = count
    for row in table.values():
        answered = row["accepted"] + row["overridden"]
        row["with_feedback"] = answered
        row["acceptance_rate"] = round(row["accepted"] / answered, 4) if answered else None
        row["override_rate"] = round(row["overridden"] / answered, 4) if answered else None
    topics = sorted(table.values(), key=lambda r: (-(r["overridden"]), r["topic"]))
    return {
        "topics": topics,
        "totals": {
            "issued": sum(issued.values()),
            "accepted": sum(r["accepted"] for r in topics),
            "overridden": sum(r["overridden"] for r in topics),
        },
    }


def _empty_row(name: str, issued: dict[str, int]) -> dict[str, Any]:
    return {
        "topic": name,
        "issued": issued.get(name, 0),
        "accepted": 0,
        "overridden": 0,
        "override_reasons": {},
    }
