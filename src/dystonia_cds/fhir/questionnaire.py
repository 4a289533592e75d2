"""The patient diary in FHIR R4: the project Questionnaire of the weekly check-in, a diary entry
as a QuestionnaireResponse to it, and back (pure; docs/diary.md).

- `questionnaire()`: the Questionnaire (`CANONICAL`), items `severity` (integer 0-10),
  `benefit_percent` (integer 0-100), `side_effects` (choice, repeats; codings of
  `SIDE_EFFECT_SYSTEM`, the ids of `DIARY_SIDE_EFFECTS`) and `note` (string).
- `diary_response(entry, patient_id, rid)`: one check-in as a QuestionnaireResponse
  (status completed, `authored` the entry's date).
- `questionnaire_response_facts`: a QuestionnaireResponse -> a `DiaryFact`. Responses to other
  questionnaires, and ones not completed or amended (in progress, stopped, entered in error),
  are not read; an answer out of range or an unknown side effect is reported as unrecognized
  (the entry is dropped without a valid severity; an unknown side effect alone is left out).
"""

from __future__ import annotations

from typing import Any, Protocol

from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS
from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.facts import DiaryFact, Fact, IgnoredFact, UnrecognizedFact
from dystonia_cds.knowledge.vocabulary import Vocabulary

CANONICAL = "urn:dystonia-cds:questionnaire:weekly-check-in"
SIDE_EFFECT_SYSTEM = "urn:dystonia-cds:diary-side-effect"
READ_STATUSES = frozenset({"completed", "amended"})
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
RANGES = {"severity": (0, 10), "benefit_percent": (0, 100)}
TEXTS = {
    "severity": "How bad was your dystonia this week? (0 = not at all, 10 = the worst)",
    "benefit_percent": "How much is your last injection helping this week? (0 to 100 %)",
    "side_effects": "Did you notice any of these since your last injection?",
    "note": "Anything else your clinic should know?",
}


class DiaryEntryLike(Protocol):
    @property
    def date(self) -> Any: ...
    @property
    def severity(self) -> int: ...
    @property
    def benefit_percent(self) -> int | None: ...
    @property
    def side_effects(self) -> Any: ...
    @property
    def note(self) -> str: ...


def side_effect_coding(effect: str) -> dict[str, str]:
    return {"system": SIDE_EFFECT_SYSTEM, "code": effect, "display": effect.replace("-", " ")}


def _integer_item(link_id: str, required: bool) -> dict[str, Any]:
    low, high = RANGES[link_id]
    return {
        "linkId": link_id,
        "text": TEXTS[link_id],
        "type": "integer",
        "required": required,
        "extension": [
            {"url": MIN_VALUE, "valueInteger": low},
            {"url": MAX_VALUE, "valueInteger": high},
        ],
    }


def questionnaire() -> dict[str, Any]:
    """The project Questionnaire every diary QuestionnaireResponse answers."""
    options = [{"valueCoding": side_effect_coding(s)} for s in DIARY_SIDE_EFFECTS]
    return {
        "resourceType": "Questionnaire",
        "id": "weekly-check-in",
        "url": CANONICAL,
        "version": "1",
        "name": "WeeklyCheckIn",
        "title": "Weekly check-in between visits (dystonia diary)",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            _integer_item("severity", True),
            _integer_item("benefit_percent", False),
            {"linkId": "side_effects", "text": TEXTS["side_effects"], "type": "choice",
             "repeats": True, "answerOption": options},
            {"linkId": "note", "text": TEXTS["note"], "type": "string"},
        ],
    }  # fmt: skip


def diary_response(entry: DiaryEntryLike, patient_id: str, rid: str) -> dict[str, Any]:
    """One check-in as a QuestionnaireResponse to `CANONICAL`."""
    items = [_answer("severity", {"valueInteger": entry.severity})]
    if entry.benefit_percent is not None:
        items.append(_answer("benefit_percent", {"valueInteger": entry.benefit_percent}))
    chosen = set(entry.side_effects)
    codings = [{"valueCoding": side_effect_coding(s)} for s in DIARY_SIDE_EFFECTS if s in chosen]
    if codings:
        items.append({"linkId": "side_effects", "text": TEXTS["side_effects"], "answer": codings})
    if entry.note:
        items.append(_answer("note", {"valueString": entry.note}))
    reference = {"reference": f"Patient/{patient_id}"}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": CANONICAL,
        "status": "completed",
        "subject": reference,
        "source": reference,
        "authored": entry.date.isoformat(),
        "item": items,
    }


def _answer(link_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link_id, "text": TEXTS[link_id], "answer": [value]}


def questionnaire_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    """The project Questionnaire itself carries no patient facts; another is not read."""
    if r.get("url") == CANONICAL:
        return []
    return [IgnoredFact(pid, a.where(r), "Questionnaire")]


def questionnaire_response_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    """A diary check-in, when `r` is a completed response to the project Questionnaire."""
    canonical = a.get_str(r, r, "questionnaire", "questionnaire") or ""
    status = a.get_str(r, r, "status", "status")
    if canonical.split("|")[0] != CANONICAL or status not in READ_STATUSES:
        return [IgnoredFact(pid, a.where(r), "QuestionnaireResponse")]
    on = a.parse_date(r, r.get("authored"), "authored")
    answers = _answers(r)
    problems: list[Fact] = []
    severity = _integer(r, answers, "severity", pid, problems)
    if on is None or severity is None:
        reason = "a check-in needs an authored date and a severity 0-10"
        return [*problems, UnrecognizedFact(pid, a.where(r), reason)]
    fact = DiaryFact(
        pid,
        a.where(r),
        on,
        severity,
        _integer(r, answers, "benefit_percent", pid, problems),
        _side_effects(r, answers, pid, problems),
        _note(r, answers),
    )
    return [fact, *problems]


def _answers(r: dict[str, Any]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """linkId -> (item index, answer) of the top-level items."""
    found: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, item in enumerate(a.dicts(r, r, "item", "item")):
        link = a.get_str(r, item, "linkId", f"item[{i}].linkId") or ""
        answers = a.dicts(r, item, "answer", f"item[{i}].answer")
        found.setdefault(link, []).extend((i, answer) for answer in answers)
    return found


def _integer(
    r: dict[str, Any], answers: dict[str, Any], link: str, pid: str, problems: list[Fact]
) -> int | None:
    low, high = RANGES[link]
    for i, answer in answers.get(link, []):
        value = answer.get("valueInteger")
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        where = f"{a.where(r)}.item[{i}].answer.valueInteger"
        problems.append(UnrecognizedFact(pid, where, f"{link} must be a whole number {low}-{high}"))
    return None


def _side_effects(
    r: dict[str, Any], answers: dict[str, Any], pid: str, problems: list[Fact]
) -> tuple[str, ...]:
    chosen: set[str] = set()
    for i, answer in answers.get("side_effects", []):
        coding = a.get_dict(r, answer, "valueCoding", f"item[{i}].answer.valueCoding")
        code = a.get_str(r, coding, "code", f"item[{i}].answer.valueCoding.code") or ""
        if coding.get("system") == SIDE_EFFECT_SYSTEM and code in DIARY_SIDE_EFFECTS:
            chosen.add(code)
            continue
        where = f"{a.where(r)}.item[{i}].answer.valueCoding"
        problems.append(UnrecognizedFact(pid, where, f"unknown diary side effect {code[:40]!r}"))
    return tuple(s for s in DIARY_SIDE_EFFECTS if s in chosen)


def _note(r: dict[str, Any], answers: dict[str, Any]) -> str:
    texts = [
        a.get_str(r, answer, "valueString", f"item[{i}].answer.valueString") or ""
        for i, answer in answers.get("note", [])
    ]
    return "\n".join(t for t in texts if t)
