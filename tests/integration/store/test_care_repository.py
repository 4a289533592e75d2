"""The care repository on SQLite and PostgreSQL: what is stored comes back, whole, and a
failed unit of work leaves nothing behind."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import exc, func, select
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.domain.errors import InvalidInput, PatientNotFound
from dystonia_cds.domain.patient import (
    BodyRegion,
    Distribution,
    DystoniaForm,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
    ScaleResult,
    Sex,
    TreatmentTrial,
    TrialOutcome,
)
from dystonia_cds.store.audit import entries_for_patient, record_call
from dystonia_cds.store.care_models import (
    ApiToken,
    InjectionMuscle,
    InjectionVisit,
    MedicationUse,
    Patient,
)
from dystonia_cds.store.care_values import (
    AssessmentData,
    DiagnosisData,
    InjectionVisitData,
    MuscleDose,
    PhenotypeData,
)
from dystonia_cds.store.records import load_patient_record
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.store.tokens import create_token, revoke_token, token_owner

Sessions = sessionmaker[Session]


def _new_patient(sessions: Sessions, **fields: object) -> str:
    values = {"birth_date": date(1970, 3, 1), "sex": "female", "display_name": "Test Anna"}
    values.update(fields)
    with sessions.begin() as session:
        return CareRepository(session).add_patient(**values)  # type: ignore[arg-type]


def _visit(on: date, units: tuple[float, ...] = (50.0, 30.0)) -> InjectionVisitData:
    muscles = tuple(MuscleDose(muscle=f"m{i}", side="left", units=u) for i, u in enumerate(units))
    return InjectionVisitData(
        date=on,
        product="onabotulinumtoxinA",
        indication="cervical-dystonia",
        muscles=muscles,
        lot="L1",
        guidance="emg",
    )


def test_a_created_patient_reads_back_and_can_be_changed(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions, weight_kg=61.5)
    with sessions.begin() as session:
        CareRepository(session).update_patient(patient_id, {"display_name": "Test Berta"})
    with sessions() as session:
        patient = CareRepository(session).get_patient(patient_id)
    assert (patient.birth_date, patient.sex, patient.weight_kg) == (
        date(1970, 3, 1),
        "female",
        61.5,
    )
    assert patient.display_name == "Test Berta"


def test_changing_a_field_that_is_not_a_patient_field_is_refused(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session, pytest.raises(InvalidInput, match="id"):
        CareRepository(session).update_patient(patient_id, {"id": "other"})


def test_patients_are_found_by_part_of_their_name_in_any_case(sessions: Sessions) -> None:
    for name in ("Test Anna", "Test Annabel", "Test Carl", "50%_literal"):
        _new_patient(sessions, display_name=name)
    with sessions() as session:
        repo = CareRepository(session)
        found, total = repo.list_patients("anna")
        literal, _ = repo.list_patients("%_")
        page, all_total = repo.list_patients(None, limit=2, offset=1)
    assert total == 2
    assert [p.display_name for p in found] == ["Test Anna", "Test Annabel"]
    assert [p.display_name for p in literal] == ["50%_literal"]
    assert all_total == 4
    assert len(page) == 2


def test_an_unknown_patient_is_reported_as_not_found(sessions: Sessions) -> None:
    with sessions() as session:
        repo = CareRepository(session)
        with pytest.raises(PatientNotFound):
            repo.get_patient("no-such-id")
        with pytest.raises(PatientNotFound):
            repo.add_injection_visit("no-such-id", _visit(date(2024, 1, 1)))
        with pytest.raises(PatientNotFound):
            load_patient_record(session, "no-such-id")


def test_the_stored_phenotype_becomes_the_engine_input(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    data = PhenotypeData(
        diagnoses=(
            DiagnosisData("cervical-dystonia", ("neck",), date(2015, 1, 1), 44.8),
            DiagnosisData("blepharospasm", ("eyes",), date(2016, 6, 1), 46.2),
        ),
        distribution="segmental",
        variability=("persistent",),
        genes=("TOR1A",),
        conditions=("narrow-angle-glaucoma", "depression"),
        findings=("wilson-disease-excluded",),
    )
    with sessions.begin() as session:
        CareRepository(session).replace_phenotype(patient_id, data)
    with sessions() as session:
        record = load_patient_record(session, patient_id)
    assert record.phenotype.forms == {DystoniaForm.CERVICAL, DystoniaForm.BLEPHAROSPASM}
    assert record.phenotype.regions == {BodyRegion.NECK, BodyRegion.EYES}
    assert record.phenotype.distribution is Distribution.SEGMENTAL
    assert record.phenotype.onset_age_years == 44.8
    assert record.phenotype.onset_date == date(2015, 1, 1)
    assert record.phenotype.genes == {"TOR1A"}
    assert record.conditions == {"narrow-angle-glaucoma", "depression"}
    assert record.findings == {"wilson-disease-excluded"}
    assert record.unrecognized == ()


def test_replacing_the_phenotype_drops_the_old_diagnoses(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        repo = CareRepository(session)
        repo.replace_phenotype(patient_id, PhenotypeData((DiagnosisData("blepharospasm"),)))
        repo.replace_phenotype(patient_id, PhenotypeData((DiagnosisData("cervical-dystonia"),)))
    with sessions() as session:
        assert load_patient_record(session, patient_id).phenotype.forms == {DystoniaForm.CERVICAL}


def test_a_stored_id_the_domain_does_not_know_is_reported_not_dropped(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        CareRepository(session).add_diagnosis(patient_id, DiagnosisData("from-the-future"))
    with sessions() as session:
        record = load_patient_record(session, patient_id)
    assert record.phenotype.forms == frozenset()
    assert [u.location for u in record.unrecognized] == ["diagnosis.form"]


def test_an_injection_visit_keeps_its_muscles_in_order_and_sums_the_units(
    sessions: Sessions,
) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        CareRepository(session).add_injection_visit(patient_id, _visit(date(2024, 1, 10)))
    with sessions() as session:
        (visit,) = CareRepository(session).injection_visits(patient_id)
        record = load_patient_record(session, patient_id)
    assert [(m.muscle, m.units) for m in visit.muscles] == [("m0", 50.0), ("m1", 30.0)]
    assert (visit.lot, visit.guidance, visit.total_units) == ("L1", "emg", 80.0)
    (injection,) = record.injections
    assert (injection.date, injection.product, injection.total_units) == (
        date(2024, 1, 10),
        "onabotulinumtoxinA",
        80.0,
    )
    assert injection.indication == "cervical-dystonia"


def test_history_holds_visits_assessments_and_trials_oldest_first(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        repo = CareRepository(session)
        for on in (date(2024, 5, 1), date(2024, 1, 1)):
            repo.add_injection_visit(patient_id, _visit(on))
        repo.add_assessment(
            patient_id,
            AssessmentData(date(2024, 2, 1), "twstrs", {"a": 2, "b": 1}, 3.0, {"severity": 3}),
        )
        repo.add_trial(
            patient_id,
            TreatmentTrial(
                "trihexyphenidyl", start=date(2020, 1, 1), outcome=TrialOutcome.NOT_TOLERATED
            ),
            note="dry mouth",
        )
        repo.add_titration_plan(
            patient_id, drug="trihexyphenidyl", start=date(2024, 1, 1), schedule={"steps": []}
        )
    with sessions() as session:
        patient = CareRepository(session).history(patient_id)
        record = load_patient_record(session, patient_id)
    assert [v.date for v in patient.injection_visits] == [date(2024, 1, 1), date(2024, 5, 1)]
    assert {i.key: i.score for i in patient.assessments[0].items} == {"a": 2, "b": 1}
    assert patient.assessments[0].scores == {"severity": 3}
    assert patient.trials[0].note == "dry mouth"
    assert patient.titration_plans[0].schedule == {"steps": []}
    assert record.assessments == (ScaleResult("twstrs", date(2024, 2, 1), 3.0),)
    assert record.trials[0].outcome is TrialOutcome.NOT_TOLERATED


def test_a_trial_outcome_can_be_recorded_later(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        trial_id = CareRepository(session).add_trial(
            patient_id, TreatmentTrial("baclofen", start=date(2023, 1, 1), active=True)
        )
    with sessions.begin() as session:
        CareRepository(session).update_trial(
            patient_id,
            trial_id,
            {"active": False, "end": date(2023, 3, 1), "outcome": "ineffective"},
        )
    with sessions() as session:
        (trial,) = load_patient_record(session, patient_id).trials
    assert (trial.active, trial.end, trial.outcome) == (
        False,
        date(2023, 3, 1),
        TrialOutcome.INEFFECTIVE,
    )


def test_a_failed_unit_of_work_writes_nothing(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)

    def write_then_fail() -> None:
        with sessions.begin() as session:
            CareRepository(session).add_injection_visit(patient_id, _visit(date(2024, 1, 1)))
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InjectionVisit)) == 0
        assert session.scalar(select(func.count()).select_from(InjectionMuscle)) == 0


def test_the_database_itself_refuses_units_that_are_not_positive(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with pytest.raises(exc.IntegrityError), sessions.begin() as session:
        CareRepository(session).add_injection_visit(
            patient_id, _visit(date(2024, 1, 1), (10.0, -5.0))
        )
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InjectionVisit)) == 0


def test_an_imported_record_reads_back_equal(sessions: Sessions) -> None:
    record = PatientRecord(
        patient_id="outside-1",
        birth_date=date(2012, 4, 2),
        sex=Sex.MALE,
        weight_kg=33.0,
        phenotype=Phenotype(
            forms=frozenset({DystoniaForm.GENETIC_TORSION}),
            regions=frozenset({BodyRegion.TRUNK, BodyRegion.LOWER_LIMB}),
            distribution=Distribution.GENERALIZED,
            onset_age_years=8.0,
            genes=frozenset({"TOR1A"}),
        ),
        trials=(
            TreatmentTrial(
                "levodopa",
                date(2021, 1, 1),
                date(2021, 4, 1),
                outcome=TrialOutcome.INEFFECTIVE,
                source="MedicationStatement/a",
            ),
        ),
        injections=(
            Injection(
                date(2023, 1, 1), "abobotulinumtoxinA", 500.0, "cervical-dystonia", "Procedure/b"
            ),
        ),
        medications=(Medication("clonazepam", date(2022, 1, 1), source="MedicationRequest/c"),),
        conditions=frozenset({"epilepsy"}),
        findings=frozenset({"wilson-disease-excluded"}),
    )
    with sessions.begin() as session:
        patient_id = CareRepository(session).import_record(record, display_name="Imported")
    with sessions() as session:
        loaded = load_patient_record(session, patient_id)
    assert loaded == dataclasses.replace(record, patient_id=patient_id)


def test_tokens_are_stored_hashed_and_only_valid_ones_have_an_owner(sessions: Sessions) -> None:
    with sessions.begin() as session:
        token = create_token(session, "lab import")
    with sessions() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored
        assert token_owner(session, token) == "lab import"
        assert token_owner(session, token + "x") is None
    with sessions.begin() as session:
        assert revoke_token(session, "lab import") == 1
    with sessions() as session:
        assert token_owner(session, token) is None


def test_the_audit_log_keeps_who_did_what_to_which_patient(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        record_call(
            session,
            actor="token:lab",
            action="GET /api/patients/{id}",
            patient_id=patient_id,
            client="127.0.0.1",
            status=200,
        )
    with sessions() as session:
        (entry,) = entries_for_patient(session, patient_id)
        assert session.get(Patient, patient_id) is not None
    assert (entry.actor, entry.client, entry.status) == ("token:lab", "127.0.0.1", 200)
    assert entry.at is not None


def _statements(sessions: Sessions, patient_id: str) -> int:
    from sqlalchemy import event

    from dystonia_cds.store.history import patient_history

    engine = sessions.kw["bind"]
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions() as session:
            patient_history(session, patient_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_reading_a_history_costs_the_same_statements_at_two_or_twenty_visits(
    sessions: Sessions,
) -> None:
    small, large = _new_patient(sessions), _new_patient(sessions)
    with sessions.begin() as session:
        repo = CareRepository(session)
        for n in range(20):
            day = date(2020, 1, 1) + timedelta(days=91 * n)
            repo.add_injection_visit(large, _visit(day))
            repo.add_assessment(
                large, AssessmentData(day, "jrs", {"severity": 1, "frequency": 2}, 3.0)
            )
            if n < 2:
                repo.add_injection_visit(small, _visit(day))
                repo.add_assessment(
                    small, AssessmentData(day, "jrs", {"severity": 1, "frequency": 2}, 3.0)
                )
    assert _statements(sessions, small) == _statements(sessions, large)


def test_the_history_holds_every_part_of_the_record(sessions: Sessions) -> None:
    from dystonia_cds.store.history import patient_history

    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        repo = CareRepository(session)
        repo.replace_phenotype(
            patient_id,
            PhenotypeData(
                (DiagnosisData("blepharospasm", ("eyes",)),), distribution="focal", genes=("GCH1",)
            ),
        )
        repo.add_injection_visit(patient_id, _visit(date(2024, 1, 10)))
        repo.add_assessment(
            patient_id,
            AssessmentData(date(2024, 2, 1), "jrs", {"severity": 1, "frequency": 2}, 3.0, {}),
        )
    with sessions() as session:
        history = patient_history(session, patient_id)
        with pytest.raises(PatientNotFound):
            patient_history(session, "missing")
    assert history["patient"]["display_name"] == "Test Anna"
    assert history["phenotype"]["distribution"] == "focal"
    assert history["phenotype"]["diagnoses"][0]["regions"] == ["eyes"]
    assert history["phenotype"]["genes"] == ["GCH1"]
    assert history["injections"][0]["muscles"][1] == {"muscle": "m1", "side": "left", "units": 30.0}
    assert history["assessments"][0]["items"] == {"severity": 1, "frequency": 2}
    assert history["assessments"][0]["scores"] == {"total": 3.0}


def test_recording_a_visit_costs_the_same_statements_after_two_or_twenty_visits(
    sessions: Sessions,
) -> None:
    from sqlalchemy import event

    from dystonia_cds.api.care import record_visit
    from dystonia_cds.api.schemas import InjectionVisitCreate

    body = InjectionVisitCreate.model_validate(
        {
            "date": "2026-01-05",
            "product": "onabotulinumtoxinA",
            "indication": "cervical-dystonia",
            "muscles": [{"muscle": "sternocleidomastoid", "side": "left", "units": 40}],
        }
    )
    counts = []
    for visits in (2, 20):
        patient_id = _new_patient(sessions)
        with sessions.begin() as session:
            repo = CareRepository(session)
            for n in range(visits):
                day = date(2020, 1, 1) + timedelta(days=91 * n)
                repo.add_injection_visit(patient_id, _visit(day))
                repo.add_assessment(
                    patient_id, AssessmentData(day, "jrs", {"severity": 1, "frequency": 2}, 3.0, {})
                )
        seen: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            seen.append(statement)  # noqa: B023 - the listener is removed within the iteration

        engine = sessions.kw["bind"]
        event.listen(engine, "before_cursor_execute", count)
        try:
            with sessions.begin() as session:
                record_visit(CareRepository(session), patient_id, body, on=date(2026, 1, 10))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_a_nul_character_that_reaches_the_store_fails_on_no_backend(sessions: Sessions) -> None:
    """Inputs refuse NUL by name; one that slips through is replaced (PostgreSQL's text type
    cannot hold it), and a lookup or search holding one simply finds nothing."""
    patient_id = _new_patient(sessions, display_name="Test\x00Nul")
    with sessions() as session:
        repo = CareRepository(session)
        assert repo.get_patient(patient_id).display_name == "Test\ufffdNul"
        assert repo.list_patients("zz\x00") == ([], 0)
        with pytest.raises(PatientNotFound):
            repo.get_patient(patient_id + "\x00")


def test_a_token_name_longer_than_its_column_is_refused_by_name(sessions: Sessions) -> None:
    with sessions.begin() as session, pytest.raises(InvalidInput, match="at most 200"):
        create_token(session, "x" * 201)


def test_a_provenance_longer_than_its_column_is_clipped_not_a_failure(sessions: Sessions) -> None:
    """A FHIR id past FHIR's 64 characters makes a long source; the import goes on."""
    patient_id = _new_patient(sessions)
    source = "MedicationStatement/" + "y" * 300
    with sessions.begin() as session:
        row_id = CareRepository(session).add_medication(
            patient_id, Medication("baclofen", date(2025, 1, 1), source=source)
        )
    with sessions() as session:
        stored = session.get(MedicationUse, row_id)
        assert stored is not None
        assert len(stored.source) == 200
        assert stored.source.startswith("MedicationStatement/yyy")
        assert stored.source.endswith("...")


def test_saving_the_same_phenotype_twice_keeps_it(sessions: Sessions) -> None:
    # an unchanged fact (the same gene) once collided with its own old row on the unique key
    patient_id = _new_patient(sessions)
    data = PhenotypeData(
        (DiagnosisData("genetic-torsion-dystonia"),),
        genes=("TOR1A",),
        conditions=("depression",),
        findings=("wilson-disease-excluded",),
    )
    with sessions.begin() as session:
        repo = CareRepository(session)
        repo.replace_phenotype(patient_id, data)
        repo.replace_phenotype(patient_id, data)
    with sessions.begin() as session:
        CareRepository(session).replace_phenotype(patient_id, data)
    with sessions() as session:
        record = load_patient_record(session, patient_id)
    assert record.phenotype.genes == {"TOR1A"}
    assert record.conditions == {"depression"}
