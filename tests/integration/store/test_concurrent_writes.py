"""Concurrent writers of one patient's record, on SQLite and the real PostgreSQL server: every
replace is atomic (the patient row is locked first), so the final state always equals one of
the submitted bodies, never a merge, and no writer fails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.domain.patient import DystoniaForm
from dystonia_cds.store.care_values import DiagnosisData, PhenotypeData
from dystonia_cds.store.database import write_transaction
from dystonia_cds.store.history import phenotype
from dystonia_cds.store.repository import CareRepository

Sessions = sessionmaker[Session]
FORMS = tuple(form.value for form in DystoniaForm)
WRITERS = 6
ROUNDS = 4


def _new_patient(sessions: Sessions) -> str:
    with sessions.begin() as session:
        return CareRepository(session).add_patient(
            birth_date=date(1970, 3, 1), sex="female", display_name="Test Race"
        )


def _body(i: int) -> PhenotypeData:
    """Writer i's phenotype: diagnoses and genes of its own, so a merge is visible."""
    diagnoses = (DiagnosisData(form=FORMS[i % len(FORMS)], regions=("neck",)),)
    return PhenotypeData(
        diagnoses=diagnoses,
        genes=(f"GENE{i}A", f"GENE{i}B"),
        conditions=(f"C{i}",),
    )


def _run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Start every job at the same moment; the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _replace(sessions: Sessions, patient_id: str, i: int) -> Callable[[], None]:
    def job() -> None:
        with write_transaction(sessions) as session:
            CareRepository(session).replace_phenotype(patient_id, _body(i))

    return job


def _state(sessions: Sessions, patient_id: str) -> tuple[list[str], list[str], list[str]]:
    with sessions() as session:
        stored = phenotype(session, patient_id)
    return (
        sorted(d["form"] for d in stored["diagnoses"]),
        sorted(stored["genes"]),
        sorted(stored["conditions"]),
    )


def _expected(i: int) -> tuple[list[str], list[str], list[str]]:
    body = _body(i)
    return sorted(d.form for d in body.diagnoses), sorted(body.genes), sorted(body.conditions)


def test_concurrent_phenotype_replaces_end_in_exactly_one_submitted_body(
    sessions: Sessions,
) -> None:
    for _ in range(ROUNDS):
        patient_id = _new_patient(sessions)  # no phenotype yet: the first insert races too
        errors = _run_together([_replace(sessions, patient_id, i) for i in range(WRITERS)])
        assert errors == []
        assert _state(sessions, patient_id) in [_expected(i) for i in range(WRITERS)]


def test_a_replace_racing_a_patient_update_keeps_both_changes_whole(sessions: Sessions) -> None:
    patient_id = _new_patient(sessions)

    def rename() -> None:
        with write_transaction(sessions) as session:
            CareRepository(session).update_patient(patient_id, {"display_name": "Test Renamed"})

    jobs = [rename, _replace(sessions, patient_id, 1), _replace(sessions, patient_id, 2)]
    errors = _run_together(jobs)
    assert errors == []
    assert _state(sessions, patient_id) in [_expected(1), _expected(2)]
    with sessions() as session:
        assert CareRepository(session).get_patient(patient_id).display_name == "Test Renamed"


def test_concurrent_trial_changes_never_leave_an_end_before_the_start(sessions: Sessions) -> None:
    from dystonia_cds.domain.errors import InvalidInput
    from dystonia_cds.domain.patient import TreatmentTrial
    from dystonia_cds.store.care_models import TreatmentTrialRow

    patient_id = _new_patient(sessions)
    with sessions.begin() as session:
        trial = TreatmentTrial(
            treatment="trihexyphenidyl", start=date(2024, 1, 1), end=date(2024, 3, 1)
        )
        trial_id = CareRepository(session).add_trial(patient_id, trial)

    def change(field: str, day: date) -> Callable[[], None]:
        def job() -> None:
            with write_transaction(sessions) as session:
                CareRepository(session).update_trial(patient_id, trial_id, {field: day})

        return job

    for _ in range(ROUNDS):
        with sessions.begin() as session:
            row = session.get(TreatmentTrialRow, trial_id)
            assert row is not None
            row.start, row.end = date(2024, 1, 1), date(2024, 3, 1)
        later_start = change("start", date(2024, 2, 15))  # valid against the stored end
        earlier_end = change("end", date(2024, 2, 1))  # valid against the stored start
        errors = _run_together([later_start, earlier_end])
        assert all(isinstance(e, InvalidInput) for e in errors)
        with sessions() as session:
            row = session.get(TreatmentTrialRow, trial_id)
            assert row is not None
            assert row.start is not None
            assert row.end is not None
            assert row.start <= row.end


def _delete(sessions: Sessions, patient_id: str, diagnosis_id: int) -> Callable[[], None]:
    def job() -> None:
        with write_transaction(sessions) as session:
            CareRepository(session).delete_diagnosis(patient_id, diagnosis_id)

    return job


def test_a_diagnosis_deleted_while_a_replace_removes_it_is_refused_cleanly(
    sessions: Sessions,
) -> None:
    from dystonia_cds.domain.errors import InvalidInput

    for _ in range(ROUNDS):
        patient_id = _new_patient(sessions)
        _replace(sessions, patient_id, 0)()
        with sessions() as session:
            (old_id,) = [d.id for d in CareRepository(session).history(patient_id).diagnoses]
        jobs = [_delete(sessions, patient_id, old_id), _replace(sessions, patient_id, 1)]
        errors = _run_together(jobs)
        assert all(isinstance(e, InvalidInput) for e in errors)  # "no diagnosis ...", not a 500
        assert _state(sessions, patient_id) == _expected(1)
