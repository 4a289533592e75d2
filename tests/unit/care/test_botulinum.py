"""Botulinum-toxin visits: validation, interval, maxima, product switch, off-label (§3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dystonia_cds.care import (
    InjectionVisit,
    MuscleDose,
    check_injection,
    injection_vocabulary,
    next_injection_check,
    parse_visit,
)
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import Injection

DAY = date(2026, 6, 1)
ON = date(2026, 11, 25)


def visit(
    day: date = DAY,
    product: str = "onabotulinumtoxinA",
    indication: str = "cervical-dystonia",
    *doses: tuple[str, str, float],
) -> InjectionVisit:
    rows = doses or (("sternocleidomastoid", "left", 50.0), ("splenius-capitis", "right", 100.0))
    return InjectionVisit(
        date=day,
        product=product,
        indication=indication,
        muscles=tuple(MuscleDose(m, s, u) for m, s, u in rows),
    )


def ids(checks) -> list[str]:
    return [c.id for c in checks]


def body(**overrides):
    data = {
        "date": "2026-06-01",
        "product": "incobotulinumtoxinA",
        "indication": "cervical-dystonia",
        "muscles": [
            {"muscle": "sternocleidomastoid", "side": "left", "units": 40},
            {"muscle": "trapezius", "side": "right", "units": 30},
            {"muscle": "splenius-capitis", "side": "bilateral", "units": 50},
        ],
        "lot": "C1234",
        "dilution": "100 U in 2 mL",
        "guidance": "emg",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- interval


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "botulinum-toxin-too-soon"),
        (83, "botulinum-toxin-too-soon"),
        (84, "botulinum-toxin-due"),
        (112, "botulinum-toxin-due"),
        (113, "botulinum-toxin-overdue"),
        (400, "botulinum-toxin-overdue"),
    ],
)
def test_interval_since_previous_session_is_classified_at_12_and_16_weeks(days, expected):
    previous = visit(DAY - timedelta(days=days))
    checks = check_injection(visit(), [previous], on=ON)
    interval_ids = [i for i in ids(checks) if i.split("-")[-1] in ("soon", "due", "overdue")]
    assert interval_ids == [expected]


def test_too_soon_is_a_warning_that_names_the_due_date():
    previous = visit(date(2026, 3, 10))
    (check,) = [c for c in check_injection(visit(), [previous], on=ON) if "soon" in c.id]
    assert check.severity == "warning"
    assert "2026-06-02" in check.message  # 2026-03-10 + 84 days
    assert check.as_dict() == {"id": check.id, "severity": "warning", "message": check.message}


def test_the_latest_earlier_session_sets_the_interval_whatever_the_list_order():
    history = [visit(DAY - timedelta(days=200)), visit(DAY - timedelta(days=90))]
    assert "botulinum-toxin-due" in ids(check_injection(visit(), history[::-1], on=ON))


def test_a_first_session_has_no_interval_check():
    assert not [i for i in ids(check_injection(visit(), [], on=ON)) if "due" in i or "soon" in i]


def test_later_sessions_recorded_before_do_not_count_as_previous():
    later = visit(DAY + timedelta(days=20))
    assert ids(check_injection(visit(), [later], on=ON)) == []


def test_domain_injections_from_fhir_history_are_accepted_as_previous_sessions():
    old = Injection(date=DAY - timedelta(days=50), product="onabotulinumtoxinA", total_units=200)
    assert "botulinum-toxin-too-soon" in ids(check_injection(visit(), [old], on=ON))


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (83, "botulinum-toxin-too-soon"),
        (84, "botulinum-toxin-due"),
        (113, "botulinum-toxin-overdue"),
    ],
)
def test_next_injection_check_reports_where_the_patient_stands_today(days, expected):
    check = next_injection_check([visit(ON - timedelta(days=days))], on=ON)
    assert check is not None
    assert check.id == expected


def test_next_injection_check_without_history_is_none():
    assert next_injection_check([], on=ON) is None


# ---------------------------------------------------------------- dose maxima


def test_incobotulinumtoxina_session_of_400_units_is_within_label_and_401_is_above():
    at_max = visit(DAY, "incobotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 400))
    above = visit(DAY, "incobotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 401))
    assert "botulinum-toxin-dose-above-label-max" not in ids(check_injection(at_max, [], on=ON))
    checks = check_injection(above, [], on=ON)
    (check,) = [c for c in checks if c.id == "botulinum-toxin-dose-above-label-max"]
    assert check.severity == "warning"
    assert "401 U" in check.message
    assert "R13c" in check.message


def test_onabotulinumtoxina_cumulative_400_units_in_3_months_counts_earlier_sessions():
    earlier = visit(
        date(2026, 3, 2), "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 250)
    )
    now_ok = visit(DAY, "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 150))
    now_above = visit(DAY, "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 151))
    assert "botulinum-toxin-dose-above-label-max" not in ids(
        check_injection(now_ok, [earlier], on=ON)
    )
    checks = check_injection(now_above, [earlier], on=ON)
    (check,) = [c for c in checks if c.id == "botulinum-toxin-dose-above-label-max"]
    assert "401 U" in check.message
    assert "2026-03-02" in check.message


def test_a_session_exactly_3_calendar_months_earlier_is_outside_the_window():
    earlier = visit(
        date(2026, 3, 1), "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 300)
    )
    now = visit(DAY, "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 300))
    assert "botulinum-toxin-dose-above-label-max" not in ids(check_injection(now, [earlier], on=ON))


def test_onabotulinumtoxina_blepharospasm_200_units_per_30_days():
    eyelid = ("orbicularis-oculi-pretarsal-upper", "bilateral")
    first = visit(date(2026, 5, 3), "onabotulinumtoxinA", "blepharospasm", (*eyelid, 100))
    inside = visit(DAY, "onabotulinumtoxinA", "blepharospasm", (*eyelid, 101))  # 29 days later
    assert "botulinum-toxin-dose-above-label-max" in ids(check_injection(inside, [first], on=ON))
    outside_first = visit(date(2026, 5, 2), "onabotulinumtoxinA", "blepharospasm", (*eyelid, 100))
    checks = check_injection(inside, [outside_first], on=ON)  # 30 days later
    assert "botulinum-toxin-dose-above-label-max" not in ids(checks)


def test_units_of_other_products_never_count_toward_a_products_maximum():
    other = visit(
        date(2026, 5, 20), "abobotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 1000)
    )
    now = visit(DAY, "onabotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 300))
    assert "botulinum-toxin-dose-above-label-max" not in ids(check_injection(now, [other], on=ON))


def test_products_without_a_stated_maximum_get_no_maximum_check():
    huge = visit(DAY, "abobotulinumtoxinA", "cervical-dystonia", ("trapezius", "left", 1500))
    assert "botulinum-toxin-dose-above-label-max" not in ids(check_injection(huge, [], on=ON))


@pytest.mark.parametrize(
    ("product", "top"), [("daxibotulinumtoxinA", 250), ("rimabotulinumtoxinB", 5000)]
)
def test_above_the_labelled_dose_range_is_information(product, top):
    at_top = visit(DAY, product, "cervical-dystonia", ("trapezius", "left", top))
    above = visit(DAY, product, "cervical-dystonia", ("trapezius", "left", top + 1))
    assert "botulinum-toxin-dose-above-label-range" not in ids(check_injection(at_top, [], on=ON))
    (check,) = [c for c in check_injection(above, [], on=ON) if "range" in c.id]
    assert check.severity == "info"


# ---------------------------------------------------------------- switch and off-label


def test_a_product_switch_says_units_are_not_comparable():
    previous = visit(
        DAY - timedelta(days=90),
        "abobotulinumtoxinA",
        "cervical-dystonia",
        ("trapezius", "left", 500),
    )
    checks = check_injection(visit(), [previous], on=ON)
    (check,) = [c for c in checks if c.id == "botulinum-toxin-product-switch"]
    assert check.severity == "warning"
    assert "abobotulinumtoxinA" in check.message
    assert "cannot be converted" in check.message


def test_the_same_product_again_is_not_a_switch():
    previous = visit(DAY - timedelta(days=90))
    assert "botulinum-toxin-product-switch" not in ids(check_injection(visit(), [previous], on=ON))


@pytest.mark.parametrize(
    ("product", "indication", "muscle", "off_label"),
    [
        ("onabotulinumtoxinA", "cervical-dystonia", "trapezius", False),
        ("onabotulinumtoxinA", "blepharospasm", "procerus", False),
        ("incobotulinumtoxinA", "blepharospasm", "procerus", False),
        ("abobotulinumtoxinA", "blepharospasm", "procerus", True),
        ("daxibotulinumtoxinA", "cervical-dystonia", "trapezius", False),
        ("rimabotulinumtoxinB", "cervical-dystonia", "trapezius", False),
        ("onabotulinumtoxinA", "limb-dystonia", "flexor-carpi-radialis", True),
        ("onabotulinumtoxinA", "laryngeal-dystonia", "thyroarytenoid", True),
        ("incobotulinumtoxinA", "oromandibular-dystonia", "masseter", True),
    ],
)
def test_off_label_follows_the_fda_dystonia_indications(product, indication, muscle, off_label):
    checks = check_injection(visit(DAY, product, indication, (muscle, "left", 10)), [], on=ON)
    assert ("botulinum-toxin-off-label" in ids(checks)) is off_label


def test_checks_come_most_severe_first():
    previous = visit(
        DAY - timedelta(days=30),
        "abobotulinumtoxinA",
        "cervical-dystonia",
        ("trapezius", "left", 500),
    )
    now = visit(DAY, "incobotulinumtoxinA", "limb-dystonia", ("biceps-brachii", "left", 10))
    severities = [c.severity for c in check_injection(now, [previous], on=ON)]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)


# ---------------------------------------------------------------- validation


def test_a_valid_body_parses_into_a_visit():
    parsed = parse_visit(body(), on=ON)
    assert parsed.total_units == 120
    assert parsed.guidance == "emg"
    assert parsed.muscles[2].side == "bilateral"


@pytest.mark.parametrize(
    ("overrides", "location"),
    [
        ({"product": "botox"}, "product"),
        ({"product": None}, "product"),
        ({"indication": "migraine"}, "indication"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "2026-11-26"}, "date"),  # after the evaluation date
        ({"guidance": "x-ray"}, "guidance"),
        ({"muscles": []}, "muscles"),
        ({"muscles": "trapezius"}, "muscles"),
        ({"lot": ""}, "lot"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_visit_fields_are_named(overrides, location):
    with pytest.raises(InvalidInput) as err:
        parse_visit(body(**overrides), on=ON)
    assert err.value.location == location


@pytest.mark.parametrize(
    ("row", "location"),
    [
        ({"muscle": "deltoid-x", "side": "left", "units": 10}, "muscles[2].muscle"),
        ({"muscle": "masseter", "side": "left", "units": 10}, "muscles[2].muscle"),  # jaw in CD
        ({"muscle": "trapezius", "side": "up", "units": 10}, "muscles[2].side"),
        ({"muscle": "trapezius", "side": "left", "units": 0}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left", "units": -5}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left", "units": "10"}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left", "units": True}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left", "units": float("nan")}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left"}, "muscles[2].units"),
        ({"muscle": "trapezius", "side": "left", "units": 5, "depth": 1}, "muscles[2].depth"),
        ("trapezius", "muscles[2]"),
    ],
)
def test_invalid_muscle_rows_are_named_with_their_index(row, location):
    muscles = [*body()["muscles"][:2], row]
    with pytest.raises(InvalidInput) as err:
        parse_visit(body(muscles=muscles), on=ON)
    assert err.value.location == location
    assert location in str(err.value)


def test_check_injection_validates_the_visit_first():
    bad = visit(ON + timedelta(days=1))
    with pytest.raises(InvalidInput) as err:
        check_injection(bad, [], on=ON)
    assert err.value.location == "date"


def test_segmental_dystonia_accepts_muscles_of_several_regions():
    both = visit(
        DAY,
        "onabotulinumtoxinA",
        "segmental-dystonia",
        ("procerus", "midline", 5),
        ("masseter", "left", 20),
    )
    assert "botulinum-toxin-off-label" in ids(check_injection(both, [], on=ON))


# ---------------------------------------------------------------- vocabulary


def test_injection_vocabulary_has_the_contract_shape():
    vocab = injection_vocabulary()
    assert vocab["products"] == [
        "onabotulinumtoxinA",
        "abobotulinumtoxinA",
        "incobotulinumtoxinA",
        "rimabotulinumtoxinB",
        "daxibotulinumtoxinA",
    ]
    assert {"cervical-dystonia", "blepharospasm"} <= set(vocab["indications"])
    assert vocab["sides"] == ["left", "right", "bilateral", "midline"]
    regions = {m["region"] for m in vocab["muscles"]}
    assert regions == {"neck", "eyelids", "limbs", "jaw", "larynx"}
    assert all(set(m) == {"id", "region", "label"} for m in vocab["muscles"])


# ---------------------------------------------------------------- patient and muscle cautions


@pytest.mark.parametrize(
    ("conditions", "expected", "severity"),
    [
        ({"injection-site-infection"}, "botulinum-toxin-contraindicated", "critical"),
        ({"botulinum-toxin-hypersensitivity"}, "botulinum-toxin-contraindicated", "critical"),
        ({"myasthenia-gravis"}, "botulinum-toxin-caution", "warning"),
        ({"lambert-eaton-syndrome"}, "botulinum-toxin-caution", "warning"),
        ({"motor-neuron-disease"}, "botulinum-toxin-caution", "warning"),
        ({"dysphagia"}, "botulinum-toxin-caution", "warning"),
        ({"pregnancy"}, "botulinum-toxin-caution", "warning"),
    ],
)
def test_patient_conditions_raise_contraindications_and_cautions(conditions, expected, severity):
    checks = check_injection(visit(), [], on=ON, conditions=conditions)
    (check,) = [c for c in checks if c.id == expected]
    assert check.severity == severity


def test_several_cautions_are_one_check_listing_each_and_contraindications_come_first():
    checks = check_injection(
        visit(),
        [],
        on=ON,
        conditions={"dysphagia", "myasthenia-gravis", "injection-site-infection", "epilepsy"},
    )
    assert ids(checks)[0] == "botulinum-toxin-contraindicated"
    (caution,) = [c for c in checks if c.id == "botulinum-toxin-caution"]
    assert "myasthenia gravis" in caution.message
    assert "dysphagia" in caution.message


@pytest.mark.parametrize(
    ("product", "indication", "muscle", "age", "off_label"),
    [
        ("onabotulinumtoxinA", "blepharospasm", "procerus", 12, False),
        ("onabotulinumtoxinA", "blepharospasm", "procerus", 11, True),
        ("onabotulinumtoxinA", "cervical-dystonia", "trapezius", 17, True),
        ("incobotulinumtoxinA", "cervical-dystonia", "trapezius", 18, False),
        ("onabotulinumtoxinA", "cervical-dystonia", "trapezius", None, False),
    ],
)
def test_patients_younger_than_the_labelled_population_are_off_label(
    product, indication, muscle, age, off_label
):
    checks = check_injection(
        visit(DAY, product, indication, (muscle, "left", 5)), [], on=ON, age_years=age
    )
    assert ("botulinum-toxin-off-label" in ids(checks)) is off_label


def test_onabotulinumtoxina_sternocleidomastoid_above_100_units_in_total_notes_dysphagia():
    at = visit(
        DAY,
        "onabotulinumtoxinA",
        "cervical-dystonia",
        ("sternocleidomastoid", "left", 60),
        ("sternocleidomastoid", "right", 40),
    )
    above = visit(
        DAY,
        "onabotulinumtoxinA",
        "cervical-dystonia",
        ("sternocleidomastoid", "left", 60),
        ("sternocleidomastoid", "right", 41),
    )
    assert "botulinum-toxin-dysphagia-risk" not in ids(check_injection(at, [], on=ON))
    (check,) = [
        c for c in check_injection(above, [], on=ON) if c.id == "botulinum-toxin-dysphagia-risk"
    ]
    assert check.severity == "info"
    assert "R11" in check.message


def test_abobotulinumtoxina_counts_the_sternocleidomastoid_per_side():
    split = visit(
        DAY,
        "abobotulinumtoxinA",
        "cervical-dystonia",
        ("sternocleidomastoid", "left", 150),
        ("sternocleidomastoid", "right", 150),
    )
    one_side = visit(
        DAY, "abobotulinumtoxinA", "cervical-dystonia", ("sternocleidomastoid", "left", 151)
    )
    assert "botulinum-toxin-dysphagia-risk" not in ids(check_injection(split, [], on=ON))
    assert "botulinum-toxin-dysphagia-risk" in ids(check_injection(one_side, [], on=ON))
