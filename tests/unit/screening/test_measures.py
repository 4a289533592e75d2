"""Measures on a small hand-built population whose numerators and denominators are known."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import (
    Distribution,
    DystoniaForm,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
    TreatmentTrial,
    TrialOutcome,
)
from dystonia_cds.screening.grouping import score_record
from dystonia_cds.screening.measures import MEASURES, select_measures

ON = date(2026, 11, 1)
FAILED = TrialOutcome.INEFFECTIVE
EXCLUDED = frozenset({"wilson-disease-excluded"})


def _born(age: int) -> date:
    return date(ON.year - age, 1, 15)


def _form(
    *forms: DystoniaForm, onset: float | None = None, spread: Distribution | None = None
) -> Phenotype:
    return Phenotype(forms=frozenset(forms), onset_age_years=onset, distribution=spread)


def _shots(*days_ago: int) -> tuple[Injection, ...]:
    return tuple(Injection(ON - timedelta(days=d), "onabotulinumtoxinA", 200) for d in days_ago)


def _failed(*drugs: str) -> tuple[TreatmentTrial, ...]:
    return tuple(
        TreatmentTrial(d, date(2020, 1, 1), date(2020, 6, 1), False, FAILED) for d in drugs
    )


def _on(drug: str) -> tuple[Medication, ...]:
    return (Medication(drug, date(2026, 1, 1)),)


GENERALIZED = _form(DystoniaForm.GENETIC_TORSION, spread=Distribution.GENERALIZED)
TARDIVE = _form(DystoniaForm.TARDIVE)
POPULATION = [
    PatientRecord("child-no-levodopa", _born(10), phenotype=_form(DystoniaForm.GENETIC_TORSION)),
    PatientRecord(
        "child-had-levodopa",
        _born(12),
        phenotype=_form(DystoniaForm.CERVICAL),
        trials=_failed("levodopa"),
        findings=EXCLUDED,
    ),
    PatientRecord(
        "older-injected-30-days-ago",
        _born(70),
        phenotype=_form(DystoniaForm.CERVICAL, onset=60),
        injections=_shots(120, 30),
        medications=_on("trihexyphenidyl"),
    ),
    PatientRecord(
        "overdue-blepharospasm",
        _born(50),
        phenotype=_form(DystoniaForm.BLEPHAROSPASM, onset=45),
        injections=_shots(300, 200),
    ),
    PatientRecord(
        "tetrabenazine-depressed",
        _born(40),
        phenotype=TARDIVE,
        medications=_on("tetrabenazine"),
        conditions=frozenset({"depression"}),
        findings=EXCLUDED,
    ),
    PatientRecord(
        "tetrabenazine-well",
        _born(45),
        phenotype=TARDIVE,
        medications=_on("tetrabenazine"),
        findings=EXCLUDED,
    ),
    PatientRecord(
        "refractory-no-dbs",
        _born(25),
        phenotype=GENERALIZED,
        trials=_failed("trihexyphenidyl", "baclofen"),
        findings=EXCLUDED,
    ),
    PatientRecord(
        "refractory-with-dbs",
        _born(30),
        phenotype=GENERALIZED,
        trials=(
            *_failed("trihexyphenidyl", "baclofen"),
            TreatmentTrial("deep-brain-stimulation", date(2024, 1, 1), active=True),
        ),
        findings=EXCLUDED,
    ),
]
EXPECTED = {
    "levodopa-trial-missing": [1, 2],
    "botulinum-toxin-too-soon": [0, 2],  # intervals of 90 and 100 days: none under 84
    "botulinum-toxin-overdue": [1, 2],
    "anticholinergic-older-adult": [1, 1],
    "tetrabenazine-depression": [1, 2],
    "dbs-evaluation": [1, 2],
    "wilson-disease-screen": [2, 7],
}


@pytest.fixture(scope="module")
def counts() -> dict[str, list[int]]:
    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    for record in POPULATION:
        score_record(record, ON, MEASURES, totals)
    return totals


@pytest.mark.parametrize("measure", list(EXPECTED))
def test_numerator_and_denominator_match_the_hand_counted_population(
    counts: dict[str, list[int]], measure: str
) -> None:
    assert counts[measure] == EXPECTED[measure]


def test_a_row_carries_the_engine_alerts_and_a_flag_pair_per_measure() -> None:
    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    row = score_record(POPULATION[0], ON, MEASURES, totals)
    assert row[:4] == ("child-no-levodopa", 10, "unknown", "genetic-torsion-dystonia")
    assert "levodopa-trial-missing" in row[4].split(";")
    assert row[5] is False  # not deceased
    assert row[6:8] == (True, True)
    assert len(row) == 6 + 2 * len(MEASURES)


@pytest.mark.parametrize("spec", [",", " , ,"])
def test_a_measure_list_naming_nothing_is_refused(spec: str) -> None:
    with pytest.raises(InvalidInput, match="names no measure"):
        select_measures(spec)


def test_unknown_measure_ids_are_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match="no-such-measure"):
        select_measures("dbs-evaluation,no-such-measure")


def test_a_birth_date_after_the_evaluation_date_is_an_unknown_age_as_in_the_engine() -> None:
    """Not a child in any denominator (the engine raises no age-based alert for it either)."""
    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    record = PatientRecord(
        "born-later", ON + timedelta(days=30), phenotype=_form(DystoniaForm.GENETIC_TORSION)
    )
    row = score_record(record, ON, MEASURES, totals)
    assert row[1] is None
    assert "levodopa-trial-missing" not in row[4].split(";")
    assert totals["levodopa-trial-missing"] == [0, 0]


def test_the_report_places_every_age_in_a_band_however_old() -> None:
    from dystonia_cds.screening.report import render_report

    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    rows = [
        score_record(
            PatientRecord(
                "very-old",
                date(1776, 7, 4),
                phenotype=GENERALIZED,
                medications=_on("trihexyphenidyl"),
            ),
            ON,
            MEASURES,
            totals,
        ),
        score_record(POPULATION[0], ON, MEASURES, totals),
    ]
    summary = {
        "patients": 2,
        "errors": 0,
        "measures": {m: {"numerator": n, "denominator": d, "rate": n / d if d else 0.0}
                     for m, (n, d) in totals.items()},
    }  # fmt: skip
    assert "anticholinergic-older-adult" in rows[0][4].split(";")  # a gap: charted by age
    html = render_report(summary, rows, tuple(m.id for m in MEASURES), ON)
    assert "65+" in html


def _too_soon(record: PatientRecord) -> list[int]:
    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    score_record(record, ON, MEASURES, totals)
    return totals["botulinum-toxin-too-soon"]


CERVICAL = _form(DystoniaForm.CERVICAL, onset=40)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        ((200, 120), [1, 1]),  # 80 days apart, the later one within 12 months
        ((204, 120), [0, 1]),  # exactly 84 days apart is not too soon
        ((30,), [0, 0]),  # one session: no interval
        ((600, 500), [0, 0]),  # the later session is more than 12 months ago
        ((450, 400, 100), [0, 1]),  # the 50-day pair ended over 12 months ago
        ((120, 120, 40), [1, 1]),  # two records of one day are one session; 80 days apart
    ],
)
def test_too_soon_counts_consecutive_sessions_under_84_days_apart_in_the_last_12_months(
    days_ago: tuple[int, ...], expected: list[int]
) -> None:
    record = PatientRecord("p", _born(50), phenotype=CERVICAL, injections=_shots(*days_ago))
    assert _too_soon(record) == expected


def test_a_patient_without_active_dystonia_is_in_no_denominator() -> None:
    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    record = PatientRecord(
        "no-dystonia", _born(80), injections=_shots(200, 150), medications=_on("benztropine")
    )
    row = score_record(record, ON, MEASURES, totals)
    assert all(value == [0, 0] for value in totals.values())
    assert not any(row[6:])


def test_a_deceased_patient_is_in_no_denominator_and_shows_the_age_at_death() -> None:
    from dystonia_cds.screening.deceased import deceased_fact

    totals: dict[str, list[int]] = {m.id: [0, 0] for m in MEASURES}
    died = deceased_fact("older-injected-30-days-ago", None, "2016-01-20T10:00:00Z")
    assert died is not None
    row = score_record(POPULATION[2], ON, MEASURES, totals, died)
    assert all(value == [0, 0] for value in totals.values())
    assert row[1] == 60
    assert row[4] == ""
    assert row[5] is True
