"""`recommendation_to_dict`: exactly the contract's JSON, plus the documented extras."""

from __future__ import annotations

import orjson

from builders import ON, days_ago, injection, med, patient, trial, weeks_ago
from dystonia_cds import DISCLAIMER
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.knowledge import load_knowledge

TOP = {"patient", "evaluated_at", "options", "alerts", "knowledge_version"}
EXTRAS = {"unrecognized", "notes", "trace", "disclaimer"}
STRENGTHS = {"first-line", "recommended", "consider", "not-recommended", "contraindicated"}


def _json(record):  # type: ignore[no-untyped-def]
    rec = recommend(record, load_knowledge(), on=ON)
    return orjson.loads(orjson.dumps(recommendation_to_dict(rec)))


def test_top_level_keys_are_the_contract_plus_extras() -> None:
    out = _json(patient(age=30, forms=["cervical-dystonia"], injections=[injection(weeks_ago(13))]))
    assert set(out) == TOP | EXTRAS
    assert out["disclaimer"] == DISCLAIMER
    assert out["knowledge_version"] == load_knowledge().version


def test_option_and_alert_objects_have_exactly_the_contract_fields() -> None:
    out = _json(patient(age=30, forms=["cervical-dystonia"], injections=[injection(weeks_ago(13))]))
    for option in out["options"]:
        assert set(option) == {
            "id",
            "rank",
            "recommendation",
            "title",
            "rationale",
            "cautions",
            "evidence",
        }
        assert option["recommendation"] in STRENGTHS
        assert all(set(e) == {"source", "level"} for e in option["evidence"])
    assert out["alerts"]
    for alert in out["alerts"]:
        assert set(alert) == {"id", "severity", "message"}
        assert alert["severity"] in {"info", "warning", "critical"}


def test_patient_carries_id_age_and_the_phenotype_as_understood() -> None:
    out = _json(
        patient(
            "pat-7",
            age=9,
            regions=["trunk", "upper-limb", "lower-limb"],
            forms=["genetic-torsion-dystonia"],
            onset_age=7,
        )
    )
    p = out["patient"]
    assert p["id"] == "pat-7"
    assert p["age_years"] == 9
    assert p["distribution"] == "generalized"
    assert p["distribution_derived"] is True
    assert p["onset_band"] == "childhood"
    assert p["forms"] == ["genetic-torsion-dystonia"]


def test_ranks_count_from_one_in_order() -> None:
    out = _json(
        patient(
            age=12,
            forms=["genetic-torsion-dystonia"],
            regions=["trunk", "upper-limb", "lower-limb"],
            trials=[trial("baclofen", "not-tolerated")],
        )
    )
    assert [o["rank"] for o in out["options"]] == list(range(1, len(out["options"]) + 1))


def test_trace_lists_fired_and_silent_rules_with_sources() -> None:
    out = _json(
        patient(
            age=25,
            forms=["acute-drug-induced-dystonia"],
            medications=[med("haloperidol", start=days_ago(1))],
        )
    )
    fired = [t for t in out["trace"] if t["fired"]]
    assert any(t["rule"] == "alert.acute-dystonic-reaction" for t in fired)
    assert all(t["sources"] for t in fired if t["rule"].startswith("alert."))
    assert any(not t["fired"] for t in out["trace"])


def test_unrecognized_input_is_reported() -> None:
    from dystonia_cds.domain.patient import Unrecognized

    out = _json(
        patient(
            age=40,
            forms=["blepharospasm"],
            unrecognized=[Unrecognized("Condition/x.code", "unknown code")],
        )
    )
    assert out["unrecognized"] == [{"location": "Condition/x.code", "reason": "unknown code"}]
