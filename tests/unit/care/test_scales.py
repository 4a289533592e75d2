"""Rating scales: hand-computed scores, item validation, meaningful change (reference §6)."""

from __future__ import annotations

import pytest

from dystonia_cds.care import change, scale_definitions, score_assessment
from dystonia_cds.domain.errors import InvalidInput

DEFS = {d["id"]: d for d in scale_definitions()}


def _items(scale: str, value: str = "min", **overrides: int) -> dict[str, int]:
    items = {i["key"]: i[value] for i in DEFS[scale]["items"]}
    items.update(overrides)
    return items


BFMDRS_REGIONS = (
    "eyes",
    "mouth",
    "speech_swallowing",
    "neck",
    "right_arm",
    "left_arm",
    "trunk",
    "right_leg",
    "left_leg",
)


@pytest.mark.parametrize(
    ("scale", "minimum", "maximum"),
    [
        (
            "twstrs",
            {"total": 0, "severity": 0, "disability": 0, "pain": 0},
            {"total": 85, "severity": 35, "disability": 30, "pain": 20},
        ),
        (
            "bfmdrs",
            {"total": 0, "movement": 0, "disability": 0},
            {"total": 150, "movement": 120, "disability": 30},
        ),
        ("jrs", {"total": 0}, {"total": 8}),
    ],
)
def test_every_item_at_min_and_at_max_gives_the_scale_bounds(scale, minimum, maximum):
    assert score_assessment(scale, _items(scale, "min")).as_dict() == minimum
    assert score_assessment(scale, _items(scale, "max")).as_dict() == maximum


def test_twstrs_severity_counts_duration_twice_and_sums_subscales():
    items = _items(
        "twstrs",
        severity_rotation=2,
        severity_laterocollis=1,
        severity_duration=3,
        severity_sensory_trick=1,
        disability_work=4,
        disability_reading=2,
        pain_severity=6,
        pain_duration=2,
    )
    score = score_assessment("twstrs", items)
    # severity 2 + 1 + 3*2 + 1 = 10; disability 4 + 2 = 6; pain 6 + 2 = 8
    assert score.subscales == {"severity": 10, "disability": 6, "pain": 8}
    assert score.total == 24


def test_bfmdrs_movement_is_provoking_times_severity_times_region_weight():
    items = _items(
        "bfmdrs",
        eyes_provoking=2,
        eyes_severity=3,  # 2*3*0.5 = 3
        neck_provoking=3,
        neck_severity=3,  # 3*3*0.5 = 4.5
        right_arm_provoking=4,
        right_arm_severity=2,  # 4*2*1 = 8
        trunk_provoking=1,
        trunk_severity=0,  # 0
        disability_walking=6,
        disability_speech=1,
    )
    score = score_assessment("bfmdrs", items)
    assert score.subscales == {"movement": 15.5, "disability": 7}
    assert score.as_dict() == {"total": 22.5, "movement": 15.5, "disability": 7}


@pytest.mark.parametrize("region", BFMDRS_REGIONS)
def test_bfmdrs_each_region_at_max_scores_its_weighted_maximum(region):
    expected = 8 if region in ("eyes", "mouth", "neck") else 16
    items = _items("bfmdrs", **{f"{region}_provoking": 4, f"{region}_severity": 4})
    assert score_assessment("bfmdrs", items).subscales["movement"] == expected


def test_jrs_total_is_severity_plus_frequency():
    assert score_assessment("jrs", {"severity": 3, "frequency": 2}).total == 5


ALL_ITEMS = [(s, i["key"], i["min"], i["max"]) for s in DEFS for i in DEFS[s]["items"]]


@pytest.mark.parametrize(("scale", "key", "low", "high"), ALL_ITEMS)
def test_each_item_accepts_its_range_bounds_and_refuses_one_beyond(scale, key, low, high):
    score_assessment(scale, _items(scale, **{key: low}))
    score_assessment(scale, _items(scale, **{key: high}))
    for bad in (low - 1, high + 1):
        with pytest.raises(InvalidInput) as err:
            score_assessment(scale, _items(scale, **{key: bad}))
        assert err.value.location == f"items.{key}"
        assert "out of range" in str(err.value)


def test_a_missing_item_is_named():
    items = _items("jrs")
    del items["frequency"]
    with pytest.raises(InvalidInput, match="missing") as err:
        score_assessment("jrs", items)
    assert err.value.location == "items.frequency"


def test_an_unknown_item_is_named():
    with pytest.raises(InvalidInput, match="unknown item") as err:
        score_assessment("jrs", {**_items("jrs"), "blink_rate": 2})
    assert err.value.location == "items.blink_rate"


@pytest.mark.parametrize("bad", [2.5, "2", None, True, float("nan"), float("inf")])
def test_a_non_integer_score_is_refused_with_the_item_named(bad):
    with pytest.raises(InvalidInput, match="whole number") as err:
        score_assessment("jrs", {"severity": bad, "frequency": 1})
    assert err.value.location == "items.severity"


def test_a_float_with_no_fraction_is_accepted_as_a_whole_number():
    assert score_assessment("jrs", {"severity": 2.0, "frequency": 1}).total == 3


def test_an_unknown_scale_is_named():
    with pytest.raises(InvalidInput) as err:
        score_assessment("udrs", {})
    assert err.value.location == "scale"


def test_items_must_be_an_object():
    with pytest.raises(InvalidInput) as err:
        score_assessment("jrs", [1, 2])  # type: ignore[arg-type]
    assert err.value.location == "items"


# ---------------------------------------------------------------- meaningful change


def _jrs(total_severity: int, frequency: int = 0):
    return score_assessment("jrs", {"severity": total_severity, "frequency": frequency})


@pytest.mark.parametrize(
    ("before", "after", "direction", "meaningful"),
    [
        ((4, 4), (3, 4), "improved", False),  # -1
        ((4, 4), (3, 3), "improved", True),  # -2: the 2-point threshold (R65)
        ((2, 2), (3, 3), "worsened", True),  # +2
        ((2, 2), (2, 3), "worsened", False),  # +1
        ((2, 2), (2, 2), "unchanged", False),
    ],
)
def test_jrs_change_of_two_points_is_meaningful(before, after, direction, meaningful):
    result = change("jrs", _jrs(*before), _jrs(*after))
    assert result.primary_change.direction == direction
    assert result.meaningful is meaningful
    assert result.primary_change.source == "R65"


def _bfm_movement(arm_provoking: int, arm_severity: int, leg: tuple[int, int] = (0, 0), walking=0):
    return score_assessment(
        "bfmdrs",
        _items(
            "bfmdrs",
            right_arm_provoking=arm_provoking,
            right_arm_severity=arm_severity,
            right_leg_provoking=leg[0],
            right_leg_severity=leg[1],
            disability_walking=walking,
        ),
    )


def test_bfmdrs_movement_improvement_must_exceed_16_6_percent():
    # baseline 16 + 9 = 25; -4 is 16 % (not meaningful), -5 is 20 % (meaningful)
    base = _bfm_movement(4, 4, (3, 3))
    assert base.subscales["movement"] == 25
    small = _bfm_movement(3, 4, (3, 3))  # 12 + 9 = 21: -4 = 16 %
    assert change("bfmdrs", base, small).meaningful is False
    large = _bfm_movement(4, 4, (2, 2))  # 16 + 4 = 20: -5 = 20 %
    assert change("bfmdrs", base, large).meaningful is True


def test_bfmdrs_movement_worsening_must_exceed_21_5_percent():
    base = _bfm_movement(4, 4, (2, 2))  # 20
    plus_four = _bfm_movement(4, 4, (4, 2))  # 24: +20 %
    plus_five = _bfm_movement(4, 4, (3, 3))  # 25: +25 %
    assert change("bfmdrs", base, plus_four).meaningful is False
    assert change("bfmdrs", base, plus_five).meaningful is True


def test_bfmdrs_movement_worsening_from_zero_has_no_percent_and_no_verdict():
    result = change("bfmdrs", _bfm_movement(0, 0), _bfm_movement(2, 2))
    assert result.primary_change.percent is None
    assert result.meaningful is None


def test_bfmdrs_disability_change_of_one_point_passes_the_half_point_threshold():
    result = change("bfmdrs", _bfm_movement(1, 1, walking=3), _bfm_movement(1, 1, walking=2))
    disability = next(p for p in result.parts if p.part == "disability")
    assert disability.meaningful is True
    assert disability.delta == -1


def _twstrs_total(total: int):
    """A TWSTRS score with the given total (disability and pain items filled first)."""
    items = _items("twstrs")
    remaining = total
    for item in DEFS["twstrs"]["items"]:
        if item["key"] == "severity_duration":
            continue
        take = min(item["max"], remaining)
        items[item["key"]] = take
        remaining -= take
    assert remaining == 0
    return score_assessment("twstrs", items)


@pytest.mark.parametrize(
    ("before", "after", "meaningful"),
    [
        (40, 38, False),  # -2: below R60's smallest MCIC
        (40, 37, None),  # -3: depends on baseline
        (40, 29, None),  # -11
        (40, 28, True),  # -12: meets R60's estimate for baselines 40-45
        (30, 40, None),  # worsening: no threshold stated
        (30, 30, False),
    ],
)
def test_twstrs_total_change_is_judged_by_the_baseline_dependent_mcic(before, after, meaningful):
    result = change("twstrs", _twstrs_total(before), _twstrs_total(after))
    assert result.meaningful is meaningful
    assert "R60" in result.primary_change.rule


def test_twstrs_subscales_have_no_threshold_and_say_so():
    result = change("twstrs", _twstrs_total(40), _twstrs_total(20))
    pain = next(p for p in result.parts if p.part == "pain")
    assert pain.meaningful is None
    assert "No meaningful-change threshold" in pain.rule


def test_change_refuses_scores_of_another_scale():
    with pytest.raises(InvalidInput) as err:
        change("jrs", _jrs(1), _twstrs_total(3))
    assert err.value.location == "after"
