"""Card feedback round trip into the real database (SQLite file and PostgreSQL): cards are
issued, the EHR posts outcomes, the summary reports acceptance and override rates per topic."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from cdshooks_support import condition, hook_body, patient, serve
from sqlalchemy import select

from dystonia_cds.app import create_app, create_context
from dystonia_cds.config import Settings
from dystonia_cds.store.feedback_models import CdsFeedback, CdsIssued
from dystonia_cds.store.tokens import create_token

TREATMENT = "dystonia-treatment-options"
PID = "fb-1"


def round_trip(database_url: str) -> None:
    settings = Settings(database_url=database_url, insecure_dev=True)
    ctx = create_context(settings)
    with ctx.sessions.begin() as session:
        token = create_token(session, "quality-team")
    with serve(create_app(settings, ctx)) as base:
        resources = [patient(PID, 45), condition(PID, "G24.3", "Spasmodic torticollis")]
        response = httpx.post(
            f"{base}/cds-services/{TREATMENT}",
            json=hook_body("patient-view", PID, resources),
            timeout=20,
        )
        assert response.status_code == 200, response.text
        cards: list[dict[str, Any]] = response.json()["cards"]
        assert len(cards) >= 2
        accepted = next(c for c in cards if c.get("suggestions"))
        overridden = next(c for c in cards if c is not accepted)
        feedback = {"feedback": [entry_accepted(accepted), entry_overridden(overridden)]}
        stored = httpx.post(f"{base}/cds-services/{TREATMENT}/feedback", json=feedback, timeout=20)
        assert stored.status_code == 200, stored.text
        assert stored.json() == {"stored": 2}

        assert httpx.get(f"{base}/feedback/summary", timeout=10).status_code == 401
        bad = httpx.get(
            f"{base}/feedback/summary", headers={"Authorization": "Bearer nope"}, timeout=10
        )
        assert bad.status_code == 401
        summary = httpx.get(
            f"{base}/feedback/summary", headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).json()

    rows = {row["topic"]: row for row in summary["topics"]}
    a_topic = accepted["source"]["topic"]["code"]
    o_topic = overridden["source"]["topic"]["code"]
    if a_topic != o_topic:
        assert rows[a_topic]["accepted"] == 1
        assert rows[a_topic]["acceptance_rate"] == 1.0
        assert rows[o_topic]["overridden"] == 1
        assert rows[o_topic]["override_rate"] == 1.0
    assert rows[o_topic]["override_reasons"] == {"patient-declined": 1}
    assert summary["totals"]["issued"] == len(cards)
    assert summary["totals"]["accepted"] == 1
    assert summary["totals"]["overridden"] == 1

    with ctx.sessions() as session:
        saved = session.scalars(select(CdsFeedback).order_by(CdsFeedback.id)).all()
        assert [(f.card_uuid, f.outcome) for f in saved] == [
            (accepted["uuid"], "accepted"),
            (overridden["uuid"], "overridden"),
        ]
        assert saved[1].override_code == "patient-declined"
        assert saved[1].user_comment == "Prefers to wait"
        assert saved[0].topic == a_topic
        issued = sum(session.scalars(select(CdsIssued.count)).all())
        assert issued == len(cards)


def entry_accepted(card: dict[str, Any]) -> dict[str, Any]:
    suggestions = [{"id": s["uuid"]} for s in card.get("suggestions", [])[:1]]
    return {
        "card": card["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": suggestions,
        "outcomeTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def entry_overridden(card: dict[str, Any]) -> dict[str, Any]:
    reason = next(r for r in card["overrideReasons"] if r["code"] == "patient-declined")
    return {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": reason, "userComment": "Prefers to wait"},
        "outcomeTimestamp": "2026-11-26T10:00:00Z",
    }


def test_feedback_round_trip_into_sqlite(sqlite_url: str) -> None:
    round_trip(sqlite_url)


@pytest.mark.postgres
def test_feedback_round_trip_into_postgresql(postgres_url: str) -> None:
    round_trip(postgres_url)


BAD_FEEDBACK = {
    "no feedback list": ({"cards": []}, "feedback"),
    "unknown outcome": (
        {
            "feedback": [
                {"card": "c", "outcome": "ignored", "outcomeTimestamp": "2026-11-26T10:00:00Z"}
            ]
        },
        "outcome",
    ),
    "bad timestamp": (
        {"feedback": [{"card": "c", "outcome": "accepted", "outcomeTimestamp": "soon"}]},
        "outcomeTimestamp",
    ),
    "override system longer than can be stored": (
        {
            "feedback": [
                {
                    "card": "c",
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-11-26T10:00:00Z",
                    "overrideReason": {"reason": {"system": "urn:" + "x" * 300, "code": "x"}},
                }
            ]
        },
        "system",
    ),
    "NUL in an override reason": (
        {
            "feedback": [
                {
                    "card": "c",
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-11-26T10:00:00Z",
                    "overrideReason": {"reason": {"code": "x", "display": "a\u0000b"}},
                }
            ]
        },
        "NUL",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FEEDBACK))
def test_bad_feedback_is_a_400_and_nothing_is_stored(sqlite_url: str, case: str) -> None:
    body, expected = BAD_FEEDBACK[case]
    settings = Settings(database_url=sqlite_url, insecure_dev=True)
    ctx = create_context(settings)
    with serve(create_app(settings, ctx)) as base:
        response = httpx.post(f"{base}/cds-services/{TREATMENT}/feedback", json=body, timeout=10)
    assert response.status_code == 400
    assert expected in response.json()["error"]
    with ctx.sessions() as session:
        assert session.scalars(select(CdsFeedback)).all() == []


def test_cards_link_to_the_patient_page_when_the_patient_is_in_the_store(sqlite_url: str) -> None:
    from datetime import date

    from dystonia_cds.store.repository import CareRepository

    settings = Settings(
        database_url=sqlite_url, insecure_dev=True, public_url="https://cds.example.org"
    )
    ctx = create_context(settings)
    with ctx.sessions.begin() as session:
        stored = CareRepository(session).add_patient(birth_date=date(1980, 5, 1), sex="female")
    with serve(create_app(settings, ctx)) as base:
        url = f"{base}/cds-services/{TREATMENT}"
        known = [patient(stored, 45), condition(stored, "G24.3", "Spasmodic torticollis")]
        cards = httpx.post(url, json=hook_body("patient-view", stored, known), timeout=20).json()[
            "cards"
        ]
        unknown = [
            patient("not-stored", 45),
            condition("not-stored", "G24.3", "Spasmodic torticollis"),
        ]
        others = httpx.post(
            url, json=hook_body("patient-view", "not-stored", unknown), timeout=20
        ).json()["cards"]
    assert cards
    for card in cards:
        assert card["links"] == [
            {
                "label": "Open in dystonia-cds",
                "url": f"https://cds.example.org/patients/{stored}",
                "type": "absolute",
            }
        ]
    assert all("links" not in card for card in others)
