"""Golden clinical cases: one readable TOML file per case in `cases/` (synthetic patients).

Each file holds the patient's facts and what a clinician expects: the option at rank 1,
a relative order, strengths, options that must be absent, the exact set of alerts, and
phrases that must appear in notes, rationale or cautions.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from builders import injection, med, patient, scale, trial
from dystonia_cds.domain.patient import DiaryEntry, PatientRecord
from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.knowledge import load_knowledge

CASES = sorted((Path(__file__).parent / "cases").glob("*.toml"))


def load_case(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def build_record(case: dict[str, Any]) -> PatientRecord:
    p = dict(case["patient"])
    meds = [med(m.pop("ingredient"), **m) for m in p.pop("medications", [])]
    stopped = [
        med(m.pop("ingredient"), active=False, **m) for m in p.pop("stopped_medications", [])
    ]
    trials = [trial(t.pop("treatment"), t.pop("outcome", None), **t) for t in p.pop("trials", [])]
    injections = [injection(i.pop("date"), **i) for i in p.pop("injections", [])]
    scores = [scale(s["scale"], s["date"], s["total"]) for s in p.pop("assessments", [])]
    diary = [
        DiaryEntry(
            date=d["date"],
            severity=d.get("severity", 5),
            benefit_percent=d.get("benefit_percent"),
            side_effects=frozenset(d.get("side_effects", ())),
        )
        for d in p.pop("diary", [])
    ]
    return patient(
        p.pop("id", "golden"),
        on=case["on"],
        medications=meds + stopped,
        trials=trials,
        injections=injections,
        assessments=scores,
        diary=diary,
        **p,
    )


def _texts(rec: Recommendation, option_id: str) -> str:
    option = next(o for o in rec.options if o.id == option_id)
    return " ".join((*option.rationale, *option.cautions))


def check_expectations(rec: Recommendation, expect: dict[str, Any]) -> None:
    ids = [o.id for o in rec.options]
    strengths = {o.id: o.strength.value for o in rec.options}
    if "first" in expect:
        assert ids[0] == expect["first"], ids
    if "order" in expect:
        positions = [ids.index(i) for i in expect["order"]]
        assert positions == sorted(positions), ids
    for option_id, strength in expect.get("strength", {}).items():
        assert strengths.get(option_id) == strength, (option_id, strengths)
    for option_id in expect.get("absent", []):
        assert option_id not in ids
    if "alerts" in expect:
        assert sorted(a.id for a in rec.alerts) == sorted(expect["alerts"])
    for phrase in expect.get("notes", []):
        assert any(phrase in n for n in rec.notes), rec.notes
    for option_id, phrases in expect.get("says", {}).items():
        for phrase in phrases:
            assert phrase in _texts(rec, option_id), (option_id, phrase)
    for option_id, phrases in expect.get("not_says", {}).items():
        for phrase in phrases:
            assert phrase not in _texts(rec, option_id), (option_id, phrase)
    severities = {a.id: a.severity.value for a in rec.alerts}
    for alert_id, severity in expect.get("severity", {}).items():
        assert severities.get(alert_id) == severity, (alert_id, severities)
    for alert_id, phrases in expect.get("alert_says", {}).items():
        message = next(a.message for a in rec.alerts if a.id == alert_id)
        for phrase in phrases:
            assert phrase in message


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path: Path) -> None:
    case = load_case(path)
    rec = recommend(build_record(case), load_knowledge(), on=case["on"])
    check_expectations(rec, case["expect"])
    out = orjson.loads(orjson.dumps(recommendation_to_dict(rec)))
    assert out["evaluated_at"] == case["on"].isoformat()
    assert [o["rank"] for o in out["options"]] == list(range(1, len(out["options"]) + 1))


def test_there_is_a_golden_case_for_every_option_and_alert() -> None:
    kb = load_knowledge()
    seen_options: set[str] = set()
    seen_alerts: set[str] = set()
    for path in CASES:
        case = load_case(path)
        rec = recommend(build_record(case), kb, on=case["on"])
        seen_options.update(o.id for o in rec.options)
        seen_alerts.update(a.id for a in rec.alerts)
    assert {o.id for o in kb.options} <= seen_options
    assert {a.id for a in kb.alerts} <= seen_alerts


def test_golden_dates_are_dates() -> None:
    assert all(isinstance(load_case(p)["on"], date) for p in CASES)
