"""The patient's own pages read at US grade 8 at most (textstat 0.7.8), say that the
information supports and does not replace the clinician's advice, call trouble swallowing or
breathing after an injection urgent, and label every side effect of the domain's checklist."""

from __future__ import annotations

import pytest
import textstat

from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS, URGENT_SIDE_EFFECTS
from dystonia_cds.web.patient_portal import texts
from dystonia_cds.web.patient_portal.check_in import whole
from dystonia_cds.web.patient_portal.guard import needs_check

MAX_GRADE = 8.0
ADVICE = [texts.URGENT, texts.SOON, texts.AT_VISIT, *texts.EXPECT]


@pytest.mark.parametrize("advice", ADVICE, ids=[a.heading for a in ADVICE])
def test_each_advice_reads_at_grade_8_or_below_and_names_its_source(advice: texts.Advice) -> None:
    assert textstat.flesch_kincaid_grade(advice.text) <= MAX_GRADE
    assert advice.sources


def test_all_the_page_texts_together_read_at_grade_8_or_below() -> None:
    assert textstat.flesch_kincaid_grade(" ".join(texts.all_texts())) <= MAX_GRADE


def test_the_notice_is_the_patient_wording_of_decision_support() -> None:
    assert texts.NOTICE == (
        "This information supports, and does not replace, your clinician's advice."
    )


def test_trouble_swallowing_or_breathing_after_an_injection_is_urgent() -> None:
    assert "trouble swallowing, trouble breathing" in texts.URGENT.text
    assert "right away" in texts.URGENT.text
    urgent = {sid for sid, _label, is_urgent in texts.side_effect_choices() if is_urgent}
    assert urgent == URGENT_SIDE_EFFECTS


def test_the_checklist_labels_every_side_effect_of_the_domain_in_its_order() -> None:
    assert [sid for sid, _l, _u in texts.side_effect_choices()] == list(DIARY_SIDE_EFFECTS)


def test_injections_are_every_12_to_16_weeks_and_dbs_helps_over_months() -> None:
    toxin, dbs = texts.EXPECT
    assert "every 12 to 16 weeks" in toxin.text
    assert "six months or more" in dbs.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("10", 10), ("11", None), ("-1", None), ("3.5", None), ("", None)],
)
def test_a_check_in_number_is_a_whole_number_within_its_range(
    raw: str, expected: int | None
) -> None:
    assert whole(raw, 0, 10) == expected


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("/api/patients", True),
        ("/cds-services", True),
        ("/metrics", True),
        ("/", True),
        ("/my", False),
        ("/my/check-in", False),
        ("/mystery", True),
        ("/invitation/abc", False),
        ("/patients/x", False),
    ],
)
def test_the_guard_checks_every_path_but_the_patients_and_the_self_checking_ones(
    path: str, checked: bool
) -> None:
    assert needs_check(path) is checked
