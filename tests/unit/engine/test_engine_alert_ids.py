"""`alert_ids` (what population screening reads) gives exactly the ids of the alerts
`recommend` returns, in the same order: over every golden case and any valid record."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from test_engine_properties import COLD, KB, ON, records

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.engine import alert_ids, recommend
from golden.test_golden_cases import build_record, load_case

GOLDEN = sorted((Path(__file__).parents[2] / "golden" / "cases").glob("*.toml"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_alert_ids_are_the_ids_of_the_golden_cases_alerts(path: Path) -> None:
    case = load_case(path)
    record = build_record(case)
    expected = tuple(a.id for a in recommend(record, KB, on=case["on"]).alerts)
    assert alert_ids(record, KB, on=case["on"]) == expected


def test_the_golden_cases_raise_alerts_at_all() -> None:
    cases = [load_case(p) for p in GOLDEN]
    assert sum(bool(alert_ids(build_record(c), KB, on=c["on"])) for c in cases) >= 10


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_alert_ids_are_the_ids_of_recommends_alerts_for_any_record(record: PatientRecord) -> None:
    assert alert_ids(record, KB, on=ON) == tuple(a.id for a in recommend(record, KB, on=ON).alerts)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_alert_ids_on_a_cold_memo_match_recommend(record: PatientRecord) -> None:
    COLD.plans.clear()
    COLD.memo.clear()
    ids = alert_ids(record, COLD, on=ON)
    assert ids == tuple(a.id for a in recommend(record, KB, on=ON).alerts)
