"""`anticholinergic-older-adult` (Beers Criteria, R27): the alert is about an older adult who
TAKES an anticholinergic; an anticholinergic merely offered is cautioned on its option."""

from __future__ import annotations

import pytest

from builders import ON, med, patient, stopped
from dystonia_cds.domain.recommendation import Recommendation, Strength
from dystonia_cds.engine import recommend
from dystonia_cds.knowledge import load_knowledge

ALERT = "anticholinergic-older-adult"
GENERALIZED = {
    "forms": ["genetic-torsion-dystonia"],
    "regions": ["trunk", "upper-limb", "lower-limb"],
}


def _run(age: int, *drugs: str, **extra: object) -> Recommendation:
    meds = [med(d) for d in drugs]
    record = patient(age=age, onset_age=40, medications=meds, **GENERALIZED, **extra)  # type: ignore[arg-type]
    return recommend(record, load_knowledge(), on=ON)


def _alert_ids(rec: Recommendation) -> list[str]:
    return [a.id for a in rec.alerts]


@pytest.mark.parametrize("drug", ["trihexyphenidyl", "benztropine", "diphenhydramine"])
def test_an_older_adult_taking_an_anticholinergic_gets_the_alert_naming_it(drug: str) -> None:
    rec = _run(70, drug)
    alert = next(a for a in rec.alerts if a.id == ALERT)
    assert f"takes {drug}" in alert.message
    assert "R27" in alert.provenance.sources


def test_trihexyphenidyl_only_offered_to_an_older_adult_is_cautioned_not_alerted() -> None:
    rec = _run(70)
    assert ALERT not in _alert_ids(rec)
    option = next(o for o in rec.options if o.id == "trihexyphenidyl")
    assert option.strength is Strength.NOT_RECOMMENDED
    assert any("Beers Criteria" in r for r in option.rationale)


@pytest.mark.parametrize(("age", "alerted"), [(64, False), (65, True)])
def test_the_beers_alert_starts_at_65(age: int, alerted: bool) -> None:
    assert (ALERT in _alert_ids(_run(age, "trihexyphenidyl"))) is alerted


def test_a_stopped_anticholinergic_does_not_alert() -> None:
    record = patient(
        age=70,
        onset_age=40,
        medications=[stopped("benztropine", end=ON.replace(year=2025))],
        **GENERALIZED,  # type: ignore[arg-type]
    )
    assert ALERT not in _alert_ids(recommend(record, load_knowledge(), on=ON))


def test_a_drug_that_is_not_anticholinergic_does_not_alert_an_older_adult() -> None:
    assert ALERT not in _alert_ids(_run(80, "clonazepam"))
