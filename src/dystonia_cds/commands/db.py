"""`dystonia-cds db backup --to FILE`: a consistent copy of a SQLite database while the server
runs (SQLite's online backup API: readers and writers carry on; the copy is one snapshot and
is checked with `PRAGMA integrity_check`). An existing file is never overwritten.

PostgreSQL is backed up with its own tools, `pg_dump --format=custom` (docs/deploy.md); the
command says so instead of copying anything.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from dystonia_cds.config import get_settings
from dystonia_cds.domain.errors import InvalidInput

PG_DUMP_HINT = (
    "backs up SQLite databases; back up PostgreSQL with pg_dump, e.g. "
    "`pg_dump --format=custom --file=dystonia-cds.dump DBNAME` (docs/deploy.md)"
)


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; `InvalidInput` for any other database."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise InvalidInput(f"is not a database URL: {exc}", location="--database") from exc
    if parsed.get_backend_name() != "sqlite":
        raise InvalidInput(PG_DUMP_HINT, location="--database")
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("names no database file", location="--database")
    path = Path(parsed.database)
    if not path.is_file():
        raise InvalidInput(f"no database file at {path}", location="--database")
    return path


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy `source` to `target` with the online backup API; the copy's size in bytes."""
    if target.exists():
        raise InvalidInput(f"{target} exists; choose a new file", location="--to")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1024)
        (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        target.unlink(missing_ok=True)
        raise InvalidInput(f"the copy failed its integrity check: {verdict}", location="--to")
    return target.stat().st_size


def backup(database: str | None, to: Path) -> int:
    source = sqlite_path(get_settings(database_url=database).database_url)
    size = backup_sqlite(source, to)
    sys.stdout.write(f"backed up {source} to {to} ({size} bytes, integrity ok)\n")
    return 0
