"""Properties of the engine over any valid PatientRecord (hypothesis): it never raises, the
contract's ordering rules always hold, and the same input gives the same output."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    Course,
    Distribution,
    DystoniaForm,
    Etiology,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
    ScaleResult,
    Sex,
    TreatmentTrial,
    TrialOutcome,
    Variability,
)
from dystonia_cds.domain.recommendation import Recommendation, Strength
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.knowledge.base import UNVERIFIED_LABEL
from dystonia_cds.knowledge.loader import DATA_DIR

ON = date(2026, 11, 25)
KB = load_knowledge()
COLD = load_knowledge(DATA_DIR)  # a second copy whose memo is cleared before use
INGREDIENTS = [*sorted(KB.terms["ingredients"]), "aspirin", ""]
TREATMENTS = INGREDIENTS + sorted(KB.terms["procedures"]) + ["acupuncture"]
CONDITIONS = [*sorted(KB.terms["conditions"]), "asthma"]
FINDINGS = [*sorted(KB.terms["findings"]), "something-else"]
GENES = [*sorted(KB.terms["genes"]), "PANK2"]
ORDER = {s: n for n, s in enumerate(Strength)}

dates = st.dates(min_value=date(1915, 1, 1), max_value=date(2027, 12, 31))
near = st.integers(min_value=-400, max_value=1500).map(lambda d: ON - timedelta(days=d))
maybe_near = st.none() | near


def sets(values: list[str] | type, max_size: int = 4) -> st.SearchStrategy[frozenset]:  # type: ignore[type-arg]
    base = st.sampled_from(list(values))  # type: ignore[arg-type]
    return st.frozensets(base, max_size=max_size)


phenotypes = st.builds(
    Phenotype,
    forms=sets(DystoniaForm, 3),
    regions=sets(BodyRegion, 5),
    distribution=st.none() | st.sampled_from(list(Distribution)),
    onset_age_years=st.none() | st.floats(min_value=0, max_value=100, allow_nan=False),
    course=st.none() | st.sampled_from(list(Course)),
    variability=sets(Variability, 2),
    association=st.none() | st.sampled_from(list(Association)),
    etiology=st.none() | st.sampled_from(list(Etiology)),
    genes=sets(GENES, 2),
    onset_date=maybe_near,
)
trials = st.builds(
    TreatmentTrial,
    treatment=st.sampled_from(TREATMENTS),
    start=maybe_near,
    end=maybe_near,
    active=st.booleans(),
    outcome=st.none() | st.sampled_from(list(TrialOutcome)),
    daily_dose_mg=st.none() | st.floats(min_value=0, max_value=500),
)
medications = st.builds(
    Medication,
    ingredient=st.sampled_from(INGREDIENTS),
    start=maybe_near,
    end=maybe_near,
    active=st.booleans(),
)
injections = st.builds(
    Injection,
    date=near,
    product=st.none()
    | st.sampled_from(["onabotulinumtoxinA", "abobotulinumtoxinA", "rimabotulinumtoxinB"]),
    total_units=st.none() | st.floats(min_value=0, max_value=1000),
)
assessments = st.builds(
    ScaleResult,
    scale=st.sampled_from(["twstrs", "bfmdrs", "jrs"]),
    date=near,
    total=st.floats(min_value=0, max_value=120),
)
records = st.builds(
    PatientRecord,
    patient_id=st.text(min_size=1, max_size=8),
    birth_date=st.none() | dates,
    sex=st.sampled_from(list(Sex)),
    weight_kg=st.none() | st.floats(min_value=0.5, max_value=200),
    phenotype=phenotypes,
    trials=st.lists(trials, max_size=4).map(tuple),
    injections=st.lists(injections, max_size=4).map(tuple),
    medications=st.lists(medications, max_size=4).map(tuple),
    conditions=sets(CONDITIONS, 4),
    findings=sets(FINDINGS, 2),
    assessments=st.lists(assessments, max_size=6).map(tuple),
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_contract_order(rec: Recommendation) -> None:
    options = rec.options
    assert [o.rank for o in options] == list(range(1, len(options) + 1))
    strengths = [ORDER[o.strength] for o in options]
    assert strengths == sorted(strengths)
    positives = [o for o in options if o.strength.is_positive]
    assert options[: len(positives)] == tuple(positives)
    primaries = [o.rank for o in positives if not o.adjunct]
    for adjunct in (o for o in positives if o.adjunct):
        assert all(adjunct.rank > r for r in primaries)
    assert len({o.id for o in options}) == len(options)


@SETTINGS
@given(records)
def test_the_engine_never_raises_and_its_output_is_json(record: PatientRecord) -> None:
    rec = recommend(record, KB, on=ON)
    out = orjson.loads(orjson.dumps(recommendation_to_dict(rec)))
    assert out["knowledge_version"] == KB.version
    assert out["evaluated_at"] == ON.isoformat()


@SETTINGS
@given(records)
def test_the_contract_ordering_rules_always_hold(record: PatientRecord) -> None:
    assert_contract_order(recommend(record, KB, on=ON))


@settings(max_examples=100, deadline=None)
@given(records)
def test_same_input_same_output_with_a_cold_or_warm_memo(record: PatientRecord) -> None:
    first = recommend(record, KB, on=ON)
    again = recommend(record, KB, on=ON)
    COLD.memo.clear()
    cold = recommend(record, COLD, on=ON)
    assert first == again
    assert recommendation_to_dict(first) == recommendation_to_dict(cold)


@SETTINGS
@given(records)
def test_every_option_and_alert_carries_provenance(record: PatientRecord) -> None:
    rec = recommend(record, KB, on=ON)
    for item in (*rec.options, *rec.alerts):
        assert item.provenance.rule
        assert item.provenance.sources
        assert item.provenance.knowledge_version == KB.version
    fired = {t.rule for t in rec.trace if t.fired}
    assert {o.provenance.rule for o in rec.options} <= fired


@SETTINGS
@given(records)
def test_no_unverified_statement_is_shown_as_verified(record: PatientRecord) -> None:
    rec = recommend(record, KB, on=ON)
    for option in rec.options:
        for text in (*option.rationale, *option.cautions):
            assert ("; unverified]" in text) == text.startswith(UNVERIFIED_LABEL), text
        for ev in option.evidence:
            assert "unverified" not in ev.source


@SETTINGS
@given(records)
def test_no_active_dystonia_means_no_treatment(record: PatientRecord) -> None:
    rec = recommend(record, KB, on=ON)
    if not record.phenotype.forms:
        assert rec.options == ()
        assert rec.alerts == ()
        assert any("No active dystonia recorded" in n for n in rec.notes)
