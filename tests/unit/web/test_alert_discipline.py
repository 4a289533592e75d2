"""Alert discipline in the web app: every warning or critical alert carries an action, the
page arranges alerts by severity and place, and an acknowledgement's digest survives the
passing of time but not a change of facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from builders import ON, injection, patient, weeks_ago
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Alert, Provenance, Severity
from dystonia_cds.engine import recommend
from dystonia_cds.knowledge.loader import load_knowledge
from dystonia_cds.web.acknowledgements import Answer
from dystonia_cds.web.alert_actions import (
    ALERT_ACTIONS,
    alert_digest,
    alert_title,
    interruptive_unacknowledged,
    is_actionable,
    stable_message,
)
from dystonia_cds.web.alert_board import arrange_alerts

KNOWN_TARGETS = {"/trials/new", "/medications/new", "/injections/new", "/edit", "#options-h"}


def alert(
    alert_id: str,
    severity: Severity = Severity.WARNING,
    message: str = "Do this.",
    facts: tuple[str, ...] = ("chronic",),
) -> Alert:
    return Alert(alert_id, severity, message, Provenance(f"alert.{alert_id}", facts, "k1"))


def answer() -> Answer:
    return Answer("acknowledged", "Patient declined", "", "doc", datetime(2026, 12, 1, tzinfo=UTC))


def test_every_warning_or_critical_alert_of_the_knowledge_base_carries_an_action() -> None:
    kb = load_knowledge()
    interruptive = {a.id for a in kb.alerts if a.severity != Severity.INFO}
    # botulinum-toxin-too-soon is `info` in a patient view (DESIGN.md); its warning belongs to
    # the injection form's check, which carries the action (confirm or change the date)
    assert interruptive - set(ALERT_ACTIONS) <= {"botulinum-toxin-too-soon"}


def test_every_action_links_to_a_form_of_the_web_app() -> None:
    targets = {a.target for actions in ALERT_ACTIONS.values() for a in actions}
    assert targets <= KNOWN_TARGETS
    (first, *_) = ALERT_ACTIONS["levodopa-trial-missing"]
    assert first.href("p-1") == "/patients/p-1/trials/new"


@pytest.mark.parametrize(
    ("alert_id", "target"),
    [
        ("wilson-disease-screen", "/edit"),
        ("levodopa-trial-missing", "/trials/new"),
        ("botulinum-toxin-due", "/injections/new"),
        ("botulinum-toxin-overdue", "/injections/new"),
        ("dbs-evaluation", "/trials/new"),
        ("acute-dystonic-reaction", "/medications/new"),
    ],
)
def test_an_alert_links_first_to_the_form_that_does_what_it_asks(
    alert_id: str, target: str
) -> None:
    assert ALERT_ACTIONS[alert_id][0].target == target


def test_an_alert_without_a_listed_action_is_unactionable() -> None:
    assert not is_actionable(alert("something-new"))
    assert is_actionable(alert("wilson-disease-screen"))


def test_alert_titles_are_plain_words_never_the_id() -> None:
    kb = load_knowledge()
    for spec in kb.alerts:
        assert alert_title(spec.id) != spec.id
    assert alert_title("some-future-alert") == "Some future alert"


def test_the_digest_ignores_weeks_and_age_that_change_with_time_alone() -> None:
    before = alert("botulinum-toxin-overdue", message="20 weeks since the injection (2026-07-01).")
    later = alert("botulinum-toxin-overdue", message="23.5 weeks since the injection (2026-07-01).")
    assert alert_digest(before) == alert_digest(later)
    child = alert("levodopa-trial-missing", message="Child or adolescent (age 9) with dystonia")
    older = alert("levodopa-trial-missing", message="Child or adolescent (age 10) with dystonia")
    assert alert_digest(child) == alert_digest(older)
    assert stable_message("aged 70 takes x") == "# takes x"


def test_the_digest_changes_with_the_facts_behind_the_alert() -> None:
    first = alert("botulinum-toxin-overdue", message="20 weeks since the injection (2026-07-01).")
    new_date = alert(
        "botulinum-toxin-overdue", message="20 weeks since the injection (2026-09-01)."
    )
    assert alert_digest(first) != alert_digest(new_date)
    other_facts = alert(
        "botulinum-toxin-overdue",
        message="20 weeks since the injection (2026-07-01).",
        facts=("chronic", "class:anticholinergic"),
    )
    assert alert_digest(first) != alert_digest(other_facts)
    assert len(alert_digest(first)) == 32


def test_the_board_puts_critical_first_info_aside_and_the_injection_alerts_in_the_panel() -> None:
    alerts = [
        alert("wilson-disease-screen"),
        alert("genetic-testing", Severity.INFO),
        alert("acute-dystonic-reaction", Severity.CRITICAL),
        alert("botulinum-toxin-overdue"),
    ]
    board = arrange_alerts(alerts, "p-1", {})
    assert [r.alert.id for r in board.active] == [
        "acute-dystonic-reaction",
        "wilson-disease-screen",
    ]
    assert [r.alert.id for r in board.context] == ["genetic-testing"]
    assert [r.alert.id for r in board.panel] == ["botulinum-toxin-overdue"]
    assert board.overdue_warning
    assert board.active[1].actions[0][1] == "/patients/p-1/edit"


def test_an_acknowledged_alert_moves_out_of_the_way_until_its_digest_changes() -> None:
    wilson = alert("wilson-disease-screen", message="onset age 12: exclude Wilson disease")
    answers = {("wilson-disease-screen", alert_digest(wilson)): answer()}
    board = arrange_alerts([wilson], "p-1", answers)
    assert board.active == []
    assert [r.alert.id for r in board.answered] == ["wilson-disease-screen"]
    changed = alert("wilson-disease-screen", message="onset age 14: exclude Wilson disease")
    assert [r.alert.id for r in arrange_alerts([changed], "p-1", answers).active] == [
        "wilson-disease-screen"
    ]


def test_an_info_overdue_is_not_a_warning_in_the_panel() -> None:
    board = arrange_alerts([alert("botulinum-toxin-overdue", Severity.INFO)], "p-1", {})
    assert not board.overdue_warning


def test_the_alerts_filter_counts_warning_and_critical_not_yet_acknowledged() -> None:
    wilson = alert("wilson-disease-screen")
    due = alert("botulinum-toxin-due", Severity.INFO)
    acute = alert("acute-dystonic-reaction", Severity.CRITICAL)
    answered = {("wilson-disease-screen", alert_digest(wilson))}
    assert interruptive_unacknowledged([wilson, due, acute], answered) == [acute]
    assert interruptive_unacknowledged([due], set()) == []


def engine_alert(record: PatientRecord, alert_id: str, on: date) -> Alert:
    alerts = {a.id: a for a in recommend(record, load_knowledge(), on=on).alerts}
    return alerts[alert_id]


def test_an_acknowledged_levodopa_alert_stays_quiet_past_the_childs_birthday() -> None:
    child = patient(
        age=9,
        forms=["genetic-torsion-dystonia"],
        regions=["neck", "trunk", "lower-limb"],
        distribution="generalized",
        onset_age=6,
    )
    now = engine_alert(child, "levodopa-trial-missing", ON)
    next_year = engine_alert(child, "levodopa-trial-missing", ON + timedelta(days=400))
    assert now.message != next_year.message
    assert alert_digest(now) == alert_digest(next_year)


def test_an_acknowledged_overdue_session_returns_after_a_new_injection() -> None:
    def adult(*injections: date) -> PatientRecord:
        return patient(
            age=50,
            forms=["cervical-dystonia"],
            regions=["neck"],
            distribution="focal",
            onset_age=45,
            findings=["wilson-disease-excluded"],
            injections=[injection(day) for day in injections],
        )

    first = adult(weeks_ago(30), weeks_ago(20))
    overdue = engine_alert(first, "botulinum-toxin-overdue", ON)
    two_weeks_on = engine_alert(first, "botulinum-toxin-overdue", ON + timedelta(days=14))
    assert alert_digest(overdue) == alert_digest(two_weeks_on)
    later = adult(weeks_ago(30), weeks_ago(20), weeks_ago(3))
    again = engine_alert(later, "botulinum-toxin-overdue", ON + timedelta(weeks=15))
    assert alert_digest(again) != alert_digest(overdue)
