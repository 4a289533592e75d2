"""The diary in FHIR: check-ins become QuestionnaireResponses to the project Questionnaire and
are read back the same; odd answers are reported, other questionnaires are not read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS, DiaryEntry
from dystonia_cds.fhir.fastpath import fast_facts
from dystonia_cds.fhir.mapping import record_from_resources
from dystonia_cds.fhir.questionnaire import (
    CANONICAL,
    SIDE_EFFECT_SYSTEM,
    diary_response,
    questionnaire,
)
from dystonia_cds.knowledge.vocabulary import load_vocabulary

PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01", "gender": "female"}
ENTRY = DiaryEntry(
    date=date(2026, 3, 2),
    severity=4,
    benefit_percent=55,
    side_effects=frozenset({"trouble-swallowing", "dry-mouth"}),
    note="worse in the evening",
)


def _read(*resources: dict[str, Any]) -> Any:
    return record_from_resources([PATIENT, *resources])


def test_a_check_in_survives_the_round_trip_through_a_questionnaire_response() -> None:
    record = _read(questionnaire(), diary_response(ENTRY, "p1", "diary-entry-7"))
    (entry,) = record.diary
    assert (entry.date, entry.severity, entry.benefit_percent) == (date(2026, 3, 2), 4, 55)
    assert entry.side_effects == ENTRY.side_effects
    assert entry.note == ENTRY.note
    assert entry.source == "QuestionnaireResponse/diary-entry-7"
    assert record.unrecognized == ()


def test_a_check_in_without_benefit_side_effects_or_note_reads_as_empty_values() -> None:
    bare = DiaryEntry(date=date(2026, 3, 9), severity=0)
    (entry,) = _read(diary_response(bare, "p1", "d1")).diary
    assert (entry.benefit_percent, entry.side_effects, entry.note) == (None, frozenset(), "")


def test_the_diary_is_oldest_first_whatever_the_input_order() -> None:
    later = DiaryEntry(date=date(2026, 3, 16), severity=2)
    record = _read(diary_response(later, "p1", "a"), diary_response(ENTRY, "p1", "b"))
    assert [e.date for e in record.diary] == [date(2026, 3, 2), date(2026, 3, 16)]


def test_the_questionnaire_offers_every_side_effect_with_the_project_system() -> None:
    items = {i["linkId"]: i for i in questionnaire()["item"]}
    assert set(items) == {"severity", "benefit_percent", "side_effects", "note"}
    assert (items["severity"]["type"], items["note"]["type"]) == ("integer", "string")
    codes = [o["valueCoding"] for o in items["side_effects"]["answerOption"]]
    assert [c["code"] for c in codes] == list(DIARY_SIDE_EFFECTS)
    assert {c["system"] for c in codes} == {SIDE_EFFECT_SYSTEM}


def test_the_questionnaire_and_a_response_are_valid_fhir() -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    Questionnaire.model_validate(questionnaire())
    QuestionnaireResponse.model_validate(diary_response(ENTRY, "p1", "d1"))


def test_a_response_to_another_questionnaire_is_not_read() -> None:
    other = diary_response(ENTRY, "p1", "d1") | {"questionnaire": "http://example.org/Q/phq9"}
    record = _read(other)
    assert record.diary == ()
    assert "QuestionnaireResponse" in record.unrecognized[-1].reason


@pytest.mark.parametrize("status", ["in-progress", "entered-in-error", "stopped"])
def test_a_response_not_completed_is_not_read(status: str) -> None:
    assert _read(diary_response(ENTRY, "p1", "d1") | {"status": status}).diary == ()


def test_a_severity_out_of_range_drops_the_entry_and_says_where() -> None:
    response = diary_response(ENTRY, "p1", "d1")
    response["item"][0]["answer"] = [{"valueInteger": 12}]
    record = _read(response)
    assert record.diary == ()
    assert any("severity must be a whole number 0-10" in u.reason for u in record.unrecognized)


def test_an_unknown_side_effect_is_reported_and_the_rest_kept() -> None:
    response = diary_response(ENTRY, "p1", "d1")
    odd = {"valueCoding": {"system": SIDE_EFFECT_SYSTEM, "code": "hiccups"}}
    response["item"][2]["answer"].append(odd)
    record = _read(response)
    assert record.diary[0].side_effects == ENTRY.side_effects
    assert any("'hiccups'" in u.reason for u in record.unrecognized)


def test_the_fast_path_leaves_questionnaire_responses_to_the_checked_path() -> None:
    response = diary_response(ENTRY, "p1", "d1")
    assert fast_facts(response, load_vocabulary()) is None
    assert fast_facts(questionnaire(), load_vocabulary()) is None


def test_the_canonical_is_the_project_urn() -> None:
    assert diary_response(ENTRY, "p1", "d1")["questionnaire"] == CANONICAL
    assert CANONICAL == "urn:dystonia-cds:questionnaire:weekly-check-in"
