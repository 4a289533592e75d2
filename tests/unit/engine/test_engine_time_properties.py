"""Properties of time and actual use (issue 10): an acute reaction is critical only while
recent, its culprit is named the same whatever the evaluation date, and a contraindication
raises a critical alert only for a drug being taken."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from builders import med, patient
from dystonia_cds.domain.recommendation import Severity
from dystonia_cds.engine import recommend
from dystonia_cds.knowledge import load_knowledge

REACTION = date(2026, 5, 3)
RECENT_DAYS = 7  # thresholds.toml acute_reaction_recent_days (project convention)


def _acute(on: date, *, culprit_start: date, culprit_end: date | None) -> object:
    return patient(
        age=25,
        on=on,
        forms=["acute-drug-induced-dystonia"],
        regions=["neck"],
        onset_date=REACTION,
        medications=[med("haloperidol", start=culprit_start, end=culprit_end, active=False)],
    )


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=RECENT_DAYS + 1, max_value=3000), st.integers(0, 5))
def test_an_aged_out_acute_reaction_never_raises_the_critical_alert(days: int, lead: int) -> None:
    on = REACTION + timedelta(days=days)
    record = _acute(on, culprit_start=REACTION - timedelta(days=lead), culprit_end=REACTION)
    rec = recommend(record, load_knowledge(), on=on)  # type: ignore[arg-type]
    assert "acute-dystonic-reaction" not in {a.id for a in rec.alerts}
    assert all(a.severity is not Severity.CRITICAL for a in rec.alerts)
    history = next(a for a in rec.alerts if a.id == "acute-dystonic-reaction-history")
    assert "haloperidol" in history.message  # the culprit, named the same at any date


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=RECENT_DAYS), st.integers(0, 5))
def test_a_recent_acute_reaction_is_critical_and_names_its_culprit(days: int, lead: int) -> None:
    on = REACTION + timedelta(days=days)
    record = _acute(on, culprit_start=REACTION - timedelta(days=lead), culprit_end=None)
    rec = recommend(record, load_knowledge(), on=on)  # type: ignore[arg-type]
    alert = next(a for a in rec.alerts if a.id == "acute-dystonic-reaction")
    assert alert.severity is Severity.CRITICAL
    assert "haloperidol" in alert.message


@settings(max_examples=40, deadline=None)
@given(st.booleans(), st.sampled_from(["trihexyphenidyl", "clonazepam", "baclofen"]))
def test_a_contraindication_is_critical_only_for_a_drug_taken(taken: bool, drug: str) -> None:
    condition = {
        "trihexyphenidyl": "narrow-angle-glaucoma",
        "clonazepam": "hepatic-impairment",  # label text not re-read: a caution, never critical
        "baclofen": "renal-impairment",
    }[drug]
    on = date(2026, 11, 25)
    record = patient(
        age=40,
        on=on,
        forms=["idiopathic-nonfamilial-dystonia"],
        regions=["neck", "trunk", "upper-limb"],
        onset_age=30,
        findings=["wilson-disease-excluded"],
        conditions=[condition],
        medications=[med(drug, start=date(2026, 1, 1))] if taken else [],
    )
    rec = recommend(record, load_knowledge(), on=on)
    option = next(o for o in rec.options if o.id == drug)
    critical = [a.id for a in rec.alerts if a.severity is Severity.CRITICAL]
    if option.strength.value == "contraindicated" and taken:
        assert critical == ["contraindicated-drug-in-use"]
    else:
        assert critical == []
