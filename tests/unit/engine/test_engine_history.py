"""Treatment history: loss of benefit across botulinum-toxin cycles, stopped drugs, windows."""

from __future__ import annotations

from datetime import date

from builders import ON, days_ago, injection, med, patient, scale, stopped, trial, weeks_ago
from dystonia_cds.engine import recommend
from dystonia_cds.engine.history import lost_benefit
from dystonia_cds.knowledge import load_knowledge

D = date


def test_peak_scores_worsening_over_two_cycles_is_loss_of_benefit() -> None:
    shots = [injection(D(2026, 1, 1)), injection(D(2026, 4, 1)), injection(D(2026, 7, 1))]
    scores = (
        scale("twstrs", D(2026, 2, 1), 30),
        scale("twstrs", D(2026, 5, 1), 35),
        scale("twstrs", D(2026, 8, 1), 40),
    )
    assert lost_benefit(shots, scores, ON)


def test_stable_peaks_are_not_loss_of_benefit() -> None:
    shots = [injection(D(2026, 1, 1)), injection(D(2026, 4, 1)), injection(D(2026, 7, 1))]
    scores = (
        scale("twstrs", D(2026, 2, 1), 30),
        scale("twstrs", D(2026, 5, 1), 31),
        scale("twstrs", D(2026, 8, 1), 30),
    )
    assert not lost_benefit(shots, scores, ON)


def test_no_improvement_from_baseline_in_the_last_two_cycles_is_loss_of_benefit() -> None:
    shots = [injection(D(2026, 4, 1)), injection(D(2026, 7, 1))]
    scores = (
        scale("twstrs", D(2026, 4, 1), 40),
        scale("twstrs", D(2026, 5, 1), 41),
        scale("twstrs", D(2026, 7, 1), 42),
        scale("twstrs", D(2026, 8, 1), 42),
    )
    assert lost_benefit(shots, scores, ON)


def test_one_injection_or_no_scores_is_never_loss_of_benefit() -> None:
    assert not lost_benefit([injection(D(2026, 1, 1))], (scale("twstrs", D(2026, 2, 1), 1),), ON)
    assert not lost_benefit([injection(D(2026, 1, 1)), injection(D(2026, 4, 1))], (), ON)


def test_a_drug_stopped_on_an_unknown_date_is_a_note_not_a_guess() -> None:
    record = patient(
        age=50,
        forms=["tardive-dystonia"],
        onset_age=49,
        medications=[stopped("phenelzine", end=None)],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert any("phenelzine was stopped on an unknown date" in n for n in rec.notes)
    assert next(o for o in rec.options if o.id == "tetrabenazine").strength.value == "first-line"


def test_a_stopped_drug_is_not_current() -> None:
    record = patient(
        age=40,
        forms=["cervical-dystonia"],
        onset_age=39,
        medications=[stopped("trihexyphenidyl", end=days_ago(60))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    option = next(o for o in rec.options if o.id == "trihexyphenidyl")
    assert not any("Current treatment" in r for r in option.rationale)
    assert rec.phenotype is not None
    assert rec.phenotype.current_drugs == ()


def test_a_current_drug_is_stated_in_its_option() -> None:
    record = patient(
        age=40,
        forms=["cervical-dystonia"],
        onset_age=39,
        medications=[med("clonazepam", start=D(2026, 3, 1))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    option = next(o for o in rec.options if o.id == "clonazepam")
    assert "Current treatment: clonazepam since 2026-03-01." in option.rationale


def test_a_partial_response_is_stated_and_keeps_the_option() -> None:
    record = patient(
        age=12,
        forms=["genetic-torsion-dystonia"],
        regions=["trunk", "upper-limb", "lower-limb"],
        trials=[trial("trihexyphenidyl", "partial-response")],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    option = next(o for o in rec.options if o.id == "trihexyphenidyl")
    assert option.strength.value == "first-line"
    assert any("Partial response before" in r for r in option.rationale)


def test_acute_timing_with_unknown_onset_date_is_a_note() -> None:
    record = patient(
        age=30, forms=["cervical-dystonia"], medications=[med("haloperidol", start=days_ago(2))]
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert "acute-dystonic-reaction" not in {a.id for a in rec.alerts}
    assert any("onset date is unknown" in n for n in rec.notes)


def test_product_switch_between_sessions_is_a_caution() -> None:
    record = patient(
        age=50,
        forms=["cervical-dystonia"],
        onset_age=45,
        injections=[
            injection(weeks_ago(26), "onabotulinumtoxinA"),
            injection(weeks_ago(13), "abobotulinumtoxinA"),
        ],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    option = next(o for o in rec.options if o.id == "botulinum-toxin")
    assert any("product changed" in c for c in option.cautions)


def test_a_trial_planned_after_the_evaluation_date_does_not_count() -> None:
    record = patient(
        age=10,
        forms=["genetic-torsion-dystonia"],
        regions=["trunk", "upper-limb", "lower-limb"],
        trials=[trial("levodopa", "ineffective", start=D(2027, 1, 1))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert "levodopa-trial-missing" in {a.id for a in rec.alerts}
    assert next(o for o in rec.options if o.id == "levodopa-trial").strength.value == "first-line"


def test_a_dopamine_blocker_starting_after_the_evaluation_date_is_not_a_culprit() -> None:
    record = patient(
        age=30,
        forms=["acute-drug-induced-dystonia"],
        medications=[med("haloperidol", start=D(2026, 12, 1))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    alert = next(a for a in rec.alerts if a.id == "acute-dystonic-reaction")
    assert "none on record" in alert.message


def test_failed_drugs_without_an_option_count_toward_refractory() -> None:
    record = patient(
        age=14,
        forms=["genetic-torsion-dystonia"],
        regions=["trunk", "upper-limb", "lower-limb"],
        trials=[trial("diazepam", "ineffective"), trial("trihexyphenidyl", "not-tolerated")],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert "dbs-evaluation" in {a.id for a in rec.alerts}
    message = next(a.message for a in rec.alerts if a.id == "dbs-evaluation")
    assert "diazepam: no adequate benefit" in message


def test_one_failed_drug_is_not_yet_refractory() -> None:
    record = patient(
        age=14,
        forms=["genetic-torsion-dystonia"],
        regions=["trunk", "upper-limb", "lower-limb"],
        trials=[trial("trihexyphenidyl", "ineffective", start=D(2025, 1, 1))],
    )
    rec = recommend(record, load_knowledge(), on=ON)
    assert "dbs-evaluation" not in {a.id for a in rec.alerts}
    assert "deep-brain-stimulation" not in {o.id for o in rec.options}


def test_an_impossible_onset_age_is_treated_as_unknown_with_a_note() -> None:
    for bad in (float("nan"), float("inf"), -3.0, 400.0):
        rec = recommend(
            patient(age=60, forms=["cervical-dystonia"], onset_age=bad), load_knowledge(), on=ON
        )
        assert rec.phenotype is not None
        assert rec.phenotype.onset_age_years is None
        assert any("not a possible age" in n for n in rec.notes)
