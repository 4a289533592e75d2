"""`dystonia-cds db backup`: a consistent copy of a SQLite database taken while it is in use,
never overwriting a file; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from dystonia_cds.cli import app
from dystonia_cds.store.database import open_database
from dystonia_cds.store.repository import CareRepository


def _database_with_patient(folder: Path) -> tuple[str, str]:
    url = f"sqlite:///{folder / 'live.sqlite'}"
    sessions = open_database(url)
    with sessions.begin() as session:
        patient_id = CareRepository(session).add_patient(
            birth_date=date(1980, 1, 2), sex="female", display_name="Test Backup"
        )
    sessions.kw["bind"].dispose()
    return url, patient_id


def test_a_backup_taken_while_the_database_is_in_use_holds_its_committed_data(
    tmp_path: Path,
) -> None:
    url, patient_id = _database_with_patient(tmp_path)
    sessions = open_database(url)
    try:
        with sessions() as reader:  # a reader holds a snapshot open, as a server would
            CareRepository(reader).get_patient(patient_id)
            result = CliRunner().invoke(
                app, ["db", "backup", "--database", url, "--to", str(tmp_path / "copy.sqlite")]
            )
    finally:
        sessions.kw["bind"].dispose()
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    copy = open_database(f"sqlite:///{tmp_path / 'copy.sqlite'}", create_if_empty=False)
    try:
        with copy() as session:
            assert CareRepository(session).get_patient(patient_id).display_name == "Test Backup"
    finally:
        copy.kw["bind"].dispose()


def test_an_existing_backup_file_is_never_overwritten(tmp_path: Path) -> None:
    url, _ = _database_with_patient(tmp_path)
    target = tmp_path / "taken.sqlite"
    target.write_bytes(b"keep me")
    result = CliRunner().invoke(app, ["db", "backup", "--database", url, "--to", str(target)])
    assert result.exit_code == 2
    assert "--to" in result.output
    assert target.read_bytes() == b"keep me"


def test_a_postgresql_database_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    url = "postgresql+psycopg://someone@127.0.0.1:5432/clinic"
    result = CliRunner().invoke(
        app, ["db", "backup", "--database", url, "--to", str(tmp_path / "x.dump")]
    )
    assert result.exit_code == 2
    assert "pg_dump" in result.output
    assert not (tmp_path / "x.dump").exists()
