"""A failed statement's error message (which reaches logs) names the statement, never the
values it carried: the engine hides SQL parameters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import exc
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.store.care_models import Patient


def test_an_integrity_error_does_not_carry_the_patient_name(
    sessions: sessionmaker[Session],
) -> None:
    secret = "Test Zebulon Quarrelsome"
    with sessions.begin() as session:
        session.add(Patient(id="fixed-id", birth_date=date(1970, 1, 1), sex="female"))
    with pytest.raises(exc.IntegrityError) as caught, sessions.begin() as session:
        session.add(
            Patient(id="fixed-id", birth_date=date(1970, 1, 1), sex="male", display_name=secret)
        )
    assert secret not in str(caught.value)
    assert "INSERT INTO patients" in str(caught.value)
