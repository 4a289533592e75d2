"""The rating-scale form: the scale that fits the phenotype, subscale groups, movement-only
BFMDRS scoring; charts and the timeline read the score clinicians report."""

from __future__ import annotations

from datetime import date

import pytest

from dystonia_cds.web.scale_form import (
    assessment_data,
    fitting_scale,
    item_groups,
    scale_or_default,
)


@pytest.mark.parametrize(
    ("forms", "regions", "distribution", "scale"),
    [
        ({"cervical-dystonia"}, {"neck"}, "focal", "twstrs"),
        ({"blepharospasm"}, {"eyes"}, "focal", "jrs"),
        ({"genetic-torsion-dystonia"}, {"neck", "trunk", "upper-limb"}, "generalized", "bfmdrs"),
        ({"cervical-dystonia"}, {"neck", "upper-limb"}, "segmental", "bfmdrs"),
        ({"blepharospasm", "oromandibular-dystonia"}, {"eyes", "lower-face"}, None, "bfmdrs"),
        (set(), {"neck"}, None, "twstrs"),
        (set(), set(), None, "twstrs"),
    ],
)
def test_the_fitting_scale_follows_the_phenotype(forms, regions, distribution, scale) -> None:
    assert fitting_scale(forms, regions, distribution) == scale


def test_twstrs_items_are_grouped_under_severity_disability_and_pain() -> None:
    groups = item_groups(scale_or_default("twstrs"))
    assert [sub.id for sub, _ in groups if sub] == ["severity", "disability", "pain"]
    assert sum(len(items) for _, items in groups) == len(scale_or_default("twstrs").items)


def test_jrs_has_one_group_without_a_heading() -> None:
    groups = item_groups(scale_or_default("jrs"))
    assert len(groups) == 1
    assert groups[0][0] is None


def _bfmdrs_items(movement: int, disability: int | None) -> dict[str, int]:
    scale = scale_or_default("bfmdrs")
    return {
        i.key: movement if i.subscale == "movement" else disability
        for i in scale.items
        if i.subscale == "movement" or disability is not None
    }


def test_a_movement_only_bfmdrs_stores_the_movement_score_as_its_total() -> None:
    data = assessment_data(
        date(2026, 12, 1), scale_or_default("bfmdrs"), _bfmdrs_items(2, None), "disability"
    )
    assert data.total == 30.0
    assert data.scores == {"total": 30.0, "movement": 30.0}
    assert len(data.items) == sum(
        1 for i in scale_or_default("bfmdrs").items if i.subscale == "movement"
    )


def test_a_full_bfmdrs_keeps_movement_plus_disability() -> None:
    data = assessment_data(date(2026, 12, 1), scale_or_default("bfmdrs"), _bfmdrs_items(2, 1), None)
    assert data.scores["movement"] == 30.0
    assert data.total == 30.0 + data.scores["disability"]
