"""The diary on the clinician's page: benefit reports grouped into toxin cycles by week since
injection, a wearing-off chart with one line per cycle, and side effects newest first."""

from __future__ import annotations

from datetime import date, timedelta

from dystonia_cds.domain.patient import DiaryEntry, Injection, PatientRecord
from dystonia_cds.web.diary_view import (
    MAX_CYCLES,
    cycles,
    diary_context,
    side_effect_rows,
    wearing_off_chart,
)

FIRST = date(2026, 1, 5)
SECOND = FIRST + timedelta(weeks=13)


def _entry(on: date, benefit: int | None, *effects: str, note: str = "") -> DiaryEntry:
    return DiaryEntry(
        date=on, severity=5, benefit_percent=benefit, side_effects=frozenset(effects), note=note
    )


def _record(*entries: DiaryEntry, injections: tuple[date, ...] = (FIRST, SECOND)) -> PatientRecord:
    return PatientRecord(
        patient_id="p1",
        injections=tuple(Injection(date=d, product="onabotulinumtoxinA") for d in injections),
        diary=entries,
    )


def test_benefit_reports_fall_in_the_cycle_of_the_injection_before_them() -> None:
    record = _record(
        _entry(FIRST - timedelta(days=3), 10),  # before any injection: no cycle
        _entry(FIRST + timedelta(weeks=2), 80),
        _entry(FIRST + timedelta(weeks=9), 30),
        _entry(SECOND, 20),  # the day of the second injection starts its cycle
        _entry(SECOND + timedelta(weeks=4), 90),
    )
    found = cycles(record)
    assert [c.injected for c in found] == [FIRST, SECOND]
    assert [(w, b) for w, b, _ in found[0].points] == [(2.0, 80), (9.0, 30)]
    assert [(w, b) for w, b, _ in found[1].points] == [(0.0, 20), (4.0, 90)]


def test_check_ins_without_a_benefit_are_not_drawn() -> None:
    assert cycles(_record(_entry(FIRST + timedelta(weeks=1), None))) == []


def test_only_the_latest_cycles_are_drawn() -> None:
    starts = tuple(FIRST + timedelta(weeks=12 * i) for i in range(MAX_CYCLES + 2))
    entries = tuple(_entry(s + timedelta(weeks=1), 50) for s in starts)
    found = cycles(_record(*entries, injections=starts))
    assert [c.injected for c in found] == list(starts[-MAX_CYCLES:])


def test_the_chart_has_one_group_per_cycle_and_hover_text_for_each_report() -> None:
    record = _record(
        _entry(FIRST + timedelta(weeks=2), 80), _entry(SECOND + timedelta(weeks=3), 60)
    )
    svg = str(wearing_off_chart(cycles(record)))
    assert svg.startswith('<svg class="chart"')
    assert 'data-cycles="2"' in svg
    assert svg.count('<g class="cycle"') == 2
    assert "week 3, benefit 60 %" in svg
    assert "style=" not in svg  # no inline styles (CSP)


def test_no_cycle_gives_no_chart() -> None:
    assert str(wearing_off_chart([])) == ""


def test_side_effects_are_listed_newest_first_with_urgent_ones_marked() -> None:
    diary = (
        _entry(FIRST + timedelta(weeks=1), 70, "dry-mouth"),
        _entry(FIRST + timedelta(weeks=2), 70),
        _entry(FIRST + timedelta(weeks=3), 70, "trouble-swallowing", "neck-weakness", note="soup"),
    )
    rows = side_effect_rows(diary)
    assert [r.when for r in rows] == [FIRST + timedelta(weeks=3), FIRST + timedelta(weeks=1)]
    assert rows[0].effects == ("trouble-swallowing", "neck-weakness")  # urgent first
    assert (rows[0].urgent, rows[1].urgent) == (True, False)
    assert rows[0].note == "soup"


def test_the_context_counts_check_ins_and_names_the_last() -> None:
    context = diary_context(_record(_entry(FIRST, 10), _entry(SECOND, 20)))
    assert (context["diary_count"], context["diary_last"]) == (2, SECOND)
    assert diary_context(_record())["diary_count"] == 0
