"""Property: for any record, storing it, exporting it as FHIR and importing the export keeps
what the profile knows, and a second export and import changes nothing (SQLite)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.api.fhir_export import patient_bundle
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
    Sex,
    TreatmentTrial,
    TrialOutcome,
    Variability,
)
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.knowledge.vocabulary import COMORBIDITY_IDS, PROCEDURE_IDS, load_vocabulary
from dystonia_cds.store.database import open_database
from dystonia_cds.store.records import load_patient_record
from dystonia_cds.store.repository import CareRepository

DAYS = st.integers(min_value=0, max_value=20_000).map(
    lambda n: date(1950, 1, 1) + timedelta(days=n)
)
INGREDIENTS = sorted(load_vocabulary().concept_ids("ingredient"))
PRODUCTS = sorted(load_vocabulary().concept_ids("botulinum-toxin") - {"botulinum-toxin"})
TREATMENTS = sorted(
    {*(i for i in INGREDIENTS if load_vocabulary().is_trial(i)), *PROCEDURE_IDS}
)  # what the API accepts as a trial


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


def _subset(values: list[str] | type) -> st.SearchStrategy[frozenset[object]]:
    return st.frozensets(st.sampled_from(list(values)), max_size=3)


@st.composite
def records(draw: st.DrawFn) -> PatientRecord:
    birth = draw(DAYS)
    after_birth = st.integers(0, 20_000).map(lambda n: birth + timedelta(days=n))
    forms = draw(_subset(DystoniaForm))
    phenotype = Phenotype(
        forms=forms,
        regions=draw(_subset(BodyRegion)) if forms else frozenset(),
        distribution=draw(_maybe(st.sampled_from(Distribution))) if forms else None,
        onset_age_years=draw(_maybe(st.integers(0, 80).map(float))) if forms else None,
        course=draw(_maybe(st.sampled_from(Course))) if forms else None,
        variability=draw(_subset(Variability)) if forms else frozenset(),
        association=draw(_maybe(st.sampled_from(Association))) if forms else None,
        etiology=draw(_maybe(st.sampled_from(Etiology))) if forms else None,
        genes=draw(_subset(["GCH1", "TOR1A", "KMT2B", "SGCE", "THAP1", "ATP1A3", "ATP7B"])),
    )
    trial = st.builds(
        TreatmentTrial,
        treatment=st.sampled_from(TREATMENTS),
        start=_maybe(after_birth),
        active=st.booleans(),
        outcome=_maybe(st.sampled_from(TrialOutcome)),
    ).flatmap(
        lambda t: st.builds(
            dataclasses.replace,
            st.just(t),
            end=_maybe(st.integers(0, 400).map(lambda n: (t.start or birth) + timedelta(days=n))),
        )
    )
    medication = st.builds(
        Medication,
        ingredient=st.sampled_from(INGREDIENTS),
        start=_maybe(after_birth),
        active=st.booleans(),
        route=_maybe(st.sampled_from(["oral", "intramuscular"])),
    )
    injection = st.builds(
        Injection,
        date=after_birth,
        product=st.sampled_from(PRODUCTS),
        total_units=_maybe(st.integers(1, 1000).map(float)),
    )
    return PatientRecord(
        patient_id="generated",
        birth_date=birth,
        sex=draw(st.sampled_from(Sex)),
        weight_kg=draw(_maybe(st.integers(3, 200).map(float))),
        phenotype=phenotype,
        trials=tuple(draw(st.lists(trial, max_size=3))),
        injections=tuple(draw(st.lists(injection, max_size=3))),
        medications=tuple(draw(st.lists(medication, max_size=2))),
        conditions=draw(_subset(sorted(COMORBIDITY_IDS - {"wilson-disease"}))),
        findings=draw(_subset(["wilson-disease-excluded", "cyp2d6-genotyped"])),
    )


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    factory = open_database(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.sqlite'}")
    yield factory
    factory.kw["bind"].dispose()


def _export_import(sessions: sessionmaker[Session], patient_id: str) -> str:
    with sessions() as session:
        bundle = patient_bundle(CareRepository(session).history(patient_id))
    record = read_bundle(bundle, source="export")
    assert record.unrecognized == ()
    with sessions.begin() as session:
        return CareRepository(session).import_record(record)


def _comparable(record: PatientRecord) -> PatientRecord:
    def key(value: object) -> str:
        return repr(value)

    return dataclasses.replace(
        record,
        patient_id="",
        trials=tuple(sorted((dataclasses.replace(t, source="") for t in record.trials), key=key)),
        injections=tuple(
            sorted((dataclasses.replace(i, source="") for i in record.injections), key=key)
        ),
        medications=tuple(
            sorted((dataclasses.replace(m, source="") for m in record.medications), key=key)
        ),
    )


def _injection_key(i: Injection) -> tuple[date, str, float]:
    """Sortable whatever is missing (two sessions on one day, one without a unit total)."""
    return (i.date, i.product or "", -1.0 if i.total_units is None else i.total_units)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records())
def test_export_then_import_keeps_the_profile_and_reaches_a_fixed_point(
    sessions: sessionmaker[Session], record: PatientRecord
) -> None:
    with sessions.begin() as session:
        stored = CareRepository(session).import_record(record)
    first = _export_import(sessions, stored)
    second = _export_import(sessions, first)
    with sessions() as session:
        a, b, c = (load_patient_record(session, i) for i in (stored, first, second))
    assert (b.birth_date, b.sex, b.weight_kg) == (a.birth_date, a.sex, a.weight_kg)
    assert b.phenotype.forms == a.phenotype.forms
    assert b.phenotype.regions >= a.phenotype.regions
    assert b.phenotype.genes == a.phenotype.genes
    assert (b.conditions, b.findings) == (a.conditions, a.findings)
    assert sorted(map(_injection_key, b.injections)) == sorted(map(_injection_key, a.injections))
    assert {(t.treatment, t.start, t.end, t.active, t.outcome) for t in a.trials} <= {
        (t.treatment, t.start, t.end, t.active, t.outcome) for t in b.trials
    }
    assert _comparable(c) == _comparable(b)
