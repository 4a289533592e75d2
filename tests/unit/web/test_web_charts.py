"""Inline SVG charts: escaped hover text, markers, tick steps, nothing for no data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dystonia_cds.web.charts import Marker, Point, nice_step, rate_chart, time_chart


def test_hover_text_and_titles_are_escaped() -> None:
    svg = time_chart(
        "<b>title</b>",
        [Point(date(2024, 1, 1), 10, "<script>x</script>")],
        [Marker(date(2024, 1, 5), 'a"b<c')],
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;title" in svg
    assert "a&#34;b&lt;c" in svg


def test_a_scale_chart_marks_every_injection_and_every_point() -> None:
    points = [Point(date(2020 + i, 3, 1), 40 - i, f"p{i}") for i in range(5)]
    markers = [Marker(date(2020 + i, 2, 1), f"m{i}") for i in range(4)]
    svg = time_chart("TWSTRS", points, markers, y_max=85, chart_id="chart-twstrs")
    assert svg.count('class="injection-marker"') == 4
    assert svg.count('class="point"') == 5
    assert 'data-points="5"' in svg
    assert "<polyline" in svg


def test_no_data_gives_no_chart() -> None:
    assert time_chart("empty", []) == ""
    assert rate_chart("empty", []) == ""


def test_rate_chart_shows_percentages() -> None:
    svg = rate_chart("rates", [("botulinum-toxin", 0.75, "3 of 4")])
    assert "75 %" in svg
    assert "<title>3 of 4</title>" in svg


@pytest.mark.parametrize(("top", "step"), [(85, 20), (8, 2), (150, 50), (1, 0.2)])
def test_nice_steps(top: float, step: float) -> None:
    assert nice_step(top) == pytest.approx(step)


@given(st.floats(min_value=0.01, max_value=1e6))
def test_nice_step_gives_at_most_five_intervals(top: float) -> None:
    step = nice_step(top)
    assert step > 0
    assert top / step <= 5 + 1e-9


def test_values_near_the_float_maximum_still_draw_and_infinite_ones_are_left_out() -> None:
    points = [
        Point(date(2024, 1, 1), 5.0, "5 mg"),
        Point(date(2024, 6, 1), 1e308, "implausible"),
        Point(date(2025, 1, 1), float("inf"), "not a number to draw"),
    ]
    svg = str(time_chart("Doses", points, chart_id="c"))
    assert svg.startswith("<svg")
    assert 'data-points="2"' in svg
    assert "not a number to draw" not in svg
