"""First behaviour checks of the engine over the packaged knowledge base."""

from __future__ import annotations

from builders import ON, days_ago, med, patient
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.knowledge import load_knowledge


def ids(rec):  # type: ignore[no-untyped-def]
    return [o.id for o in rec.options]


def test_acute_reaction_to_metoclopramide_puts_diphenhydramine_first() -> None:
    record = patient(
        age=24,
        forms=["acute-drug-induced-dystonia"],
        medications=[med("metoclopramide", start=days_ago(1))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert ids(rec)[:3] == ["diphenhydramine", "benztropine", "stop-causative-drug"]
    assert rec.alerts[0].id == "acute-dystonic-reaction"
    assert "metoclopramide" in rec.alerts[0].message


def test_no_active_dystonia_offers_no_treatment_and_says_so() -> None:
    rec = recommend(patient(age=40), load_knowledge(), on=ON)
    assert rec.options == ()
    assert any("No active dystonia recorded" in n for n in rec.notes)


def test_json_has_the_contract_keys() -> None:
    rec = recommend(patient(age=9, forms=["genetic-torsion-dystonia"]), load_knowledge(), on=ON)
    out = recommendation_to_dict(rec)
    assert {"patient", "evaluated_at", "options", "alerts", "knowledge_version"} <= out.keys()
    assert out["evaluated_at"] == "2026-11-25"
    assert out["patient"]["age_years"] == 9


def test_the_knowledge_base_pickles_for_worker_processes_without_its_memo() -> None:
    import pickle

    kb = load_knowledge()
    record = patient(age=50, forms=["cervical-dystonia"])
    before = recommend(record, kb, on=ON)
    copy = pickle.loads(pickle.dumps(kb))  # noqa: S301 - our own object
    assert copy.memo == {}
    assert recommend(record, copy, on=ON) == before
