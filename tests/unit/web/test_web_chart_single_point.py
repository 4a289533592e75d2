"""A chart with one point shows that point's date (its tick and caption), not a padded range."""

from __future__ import annotations

import re
from datetime import date

from dystonia_cds.web.charts import Point, time_chart


def test_a_one_point_chart_shows_its_date_under_the_point_and_in_the_caption() -> None:
    svg = str(time_chart("TWSTRS", [Point(date(2026, 5, 17), 30, "30")]))
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels.count("2026-05-17") == 2
    assert "–" not in "".join(labels)  # no "start – end" range of made-up dates


def test_a_chart_of_several_dates_keeps_its_range_caption() -> None:
    points = [Point(date(2026, 1, 5), 30, "a"), Point(date(2026, 6, 5), 20, "b")]
    assert "2026-01-05 – 2026-06-05" in str(time_chart("TWSTRS", points))
