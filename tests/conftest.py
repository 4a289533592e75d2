"""Fixtures shared by every tier. Synthetic data only, never real patient data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline: CI machines are shared and noisy, and no test asserts a duration.
# In CI the examples are derandomized so that a run is reproducible; locally they vary.
settings.register_profile(
    "dystonia-cds",
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dystonia-cds")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SYNTHEA_DIR = SHARED / "interop" / "synthea-r4"
POSTGRES_ADMIN_URL = os.environ.get(
    "DYSTONIA_CDS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_or_skip() -> None:
    import psycopg

    dsn = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise  # CI starts PostgreSQL; a missing server is a failure there
        pytest.skip(f"PostgreSQL not reachable: {exc}")


@contextmanager
def _fresh_postgres_database() -> Iterator[str]:
    import psycopg

    _postgres_or_skip()
    dsn = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"dcds_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server; dropped afterwards."""
    with _fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def postgres_module_url() -> Iterator[str]:
    """The same, shared by the tests of one module (e.g. behind a module-scoped server)."""
    with _fresh_postgres_database() as url:
        yield url


REDIS_URL = os.environ.get("DYSTONIA_CDS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis server (CI starts it); tests use keys of their own, nothing is flushed."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise  # CI starts Redis; a missing server is a failure there
        pytest.skip(f"Redis not reachable: {exc}")
    return REDIS_URL


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite file database in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'dystonia-cds.sqlite'}"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where browser tests save screenshots (kept as CI artifacts)."""
    path = Path(os.environ.get("DYSTONIA_CDS_SCREENSHOTS", REPO / "artifacts" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
