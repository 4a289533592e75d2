"""Secondary non-response heuristic (project rule, documented in care/response.py)."""

from __future__ import annotations

from datetime import date, timedelta

from dystonia_cds.care import (
    DatedScore,
    InjectionVisit,
    MuscleDose,
    check_injection,
    score_assessment,
    secondary_non_response,
)
from dystonia_cds.care.response import cycle_responses

START = date(2025, 1, 6)


def jrs(total: int) -> dict[str, int]:
    return {"severity": min(total, 4), "frequency": max(total - 4, 0)}


def history(responses: list[tuple[int, int]]):
    """One cycle per (baseline JRS, peak JRS); 12 weeks apart, peak 4 weeks after."""
    injections, assessments = [], []
    for index, (baseline, peak) in enumerate(responses):
        day = START + timedelta(weeks=12 * index)
        injections.append(
            InjectionVisit(
                day, "onabotulinumtoxinA", "blepharospasm", (MuscleDose("procerus", "midline", 5),)
            )
        )
        assessments.append(DatedScore(day, score_assessment("jrs", jrs(baseline))))
        assessments.append(DatedScore(day + timedelta(weeks=4), score_assessment("jrs", jrs(peak))))
    return injections, assessments


def test_loss_of_benefit_over_two_consecutive_cycles_is_flagged():
    injections, assessments = history([(7, 3), (7, 6), (7, 7)])
    check = secondary_non_response(injections, assessments)
    assert check is not None
    assert check.id == "botulinum-toxin-secondary-non-response"
    assert check.severity == "warning"
    assert "Project heuristic" in check.message
    assert "-4" in check.message


def test_a_single_poor_cycle_is_not_flagged():
    injections, assessments = history([(7, 3), (7, 3), (7, 6)])
    assert secondary_non_response(injections, assessments) is None


def test_never_having_responded_is_primary_not_secondary_non_response():
    injections, assessments = history([(7, 6), (7, 7), (7, 6)])
    assert secondary_non_response(injections, assessments) is None


def test_sustained_benefit_is_not_flagged():
    injections, assessments = history([(7, 3), (7, 4), (7, 5)])
    assert secondary_non_response(injections, assessments) is None


def test_the_peak_is_the_best_score_between_two_sessions_and_the_baseline_the_last_before():
    injections, assessments = history([(7, 3), (7, 6)])
    extra = DatedScore(START + timedelta(weeks=6), score_assessment("jrs", jrs(2)))
    cycles = cycle_responses(injections, [*assessments, extra], "jrs")
    assert [c.change.delta for c in cycles] == [-5, -1]


def test_cycles_without_a_baseline_are_not_evaluable():
    injections, assessments = history([(7, 3), (7, 6), (7, 7)])
    without_baselines = [a for a in assessments if a.date not in {i.date for i in injections[1:]}]
    assert len(cycle_responses(injections, without_baselines, "jrs")) == 1
    assert secondary_non_response(injections, without_baselines) is None


def test_check_injection_reports_secondary_non_response_when_given_assessments():
    injections, assessments = history([(7, 3), (7, 6), (7, 7)])
    new = InjectionVisit(
        START + timedelta(weeks=36),
        "onabotulinumtoxinA",
        "blepharospasm",
        (MuscleDose("procerus", "midline", 5),),
    )
    checks = check_injection(new, injections, on=date(2026, 1, 1), assessments=assessments)
    assert "botulinum-toxin-secondary-non-response" in [c.id for c in checks]


def test_total_only_domain_results_feed_the_heuristic_for_twstrs_and_jrs_but_not_bfmdrs():
    from dystonia_cds.care import from_scale_results
    from dystonia_cds.domain.patient import Injection, ScaleResult

    injections = [
        Injection(START + timedelta(weeks=12 * i), "onabotulinumtoxinA") for i in range(3)
    ]
    results = []
    for index, (baseline, peak) in enumerate([(7, 3), (7, 6), (7, 7)]):
        day = START + timedelta(weeks=12 * index)
        results += [
            ScaleResult("jrs", day, baseline),
            ScaleResult("jrs", day + timedelta(weeks=4), peak),
        ]
    results.append(ScaleResult("bfmdrs", START, 40))
    scores = from_scale_results(results)
    assert {s.score.scale for s in scores} == {"jrs"}
    check = secondary_non_response(injections, scores)
    assert check is not None
    assert check.id == "botulinum-toxin-secondary-non-response"
