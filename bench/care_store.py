"""Care store benchmark: recording an injection visit with 10 muscles, and reading back a
patient's full history with 10 years of care (40 visits, 80 assessments, trials, drugs),
on SQLite (file, WAL, synchronous=FULL) and on PostgreSQL, side by side in one run.

- visit write: what `POST /api/patients/{id}/injections` does in its unit of work: read the
  earlier visits and assessments, run the care checks, store the visit and the audit entry,
  commit.
- history read: what `GET /api/patients/{id}/history` does (`store.history.patient_history`:
  SQLAlchemy Core rows, one statement per table, dicts built directly), encoded with orjson.
  Measured beside it, the ORM alternatives on the same data: every relationship loaded with
  selectinload (one query per table, ORM objects), and lazy loading (one query per visit and
  per assessment: the N+1 pattern); and the number of SQL statements of each.

Through HTTP (a uvicorn process on 127.0.0.1, on SQLite and on PostgreSQL): the real app's visit POST and history
GET, sequential medians; and the same history read as a plain `def` endpoint (thread pool,
what the API does) versus an `async def` endpoint doing the blocking read on the event loop,
with 8 concurrent clients: requests per second and median latency of each.

Usage: python bench/care_store.py [--quick]. PostgreSQL: DYSTONIA_CDS_TEST_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test); a scratch database is created and
dropped. Last line: RESULT visit_write_ms_sqlite=... history_read_ms_sqlite=...
visit_write_ms_pg=... history_read_ms_pg=... (medians, milliseconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import orjson
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.api.care import record_visit
from dystonia_cds.api.schemas import InjectionVisitCreate
from dystonia_cds.domain.patient import Medication, TreatmentTrial, TrialOutcome
from dystonia_cds.store.audit import record_call
from dystonia_cds.store.care_models import Patient
from dystonia_cds.store.database import open_database
from dystonia_cds.store.demo import add_assessment, add_visit
from dystonia_cds.store.history import patient_history
from dystonia_cds.store.repository import CareRepository

MUSCLES = [
    ("sternocleidomastoid", "left"),
    ("sternocleidomastoid", "right"),
    ("splenius-capitis", "left"),
    ("splenius-capitis", "right"),
    ("trapezius", "left"),
    ("trapezius", "right"),
    ("levator-scapulae", "left"),
    ("levator-scapulae", "right"),
    ("semispinalis-capitis", "left"),
    ("scalenes", "right"),
]
TODAY = date.today()
PG_ADMIN = os.environ.get(
    "DYSTONIA_CDS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def seed_patient(sessions: sessionmaker[Session], years: int = 10) -> str:
    """A patient with `years` of care: a visit every 13 weeks, two TWSTRS per cycle."""
    with sessions.begin() as session:
        repo = CareRepository(session)
        pid = repo.add_patient(birth_date=date(1970, 1, 1), sex="female", display_name="Bench")
        first = TODAY - timedelta(weeks=13 * 4 * years)
        for n in range(4 * years):
            day = first + timedelta(weeks=13 * n)
            muscles = [(m, s, 15.0) for m, s in MUSCLES]
            add_visit(repo, pid, day, product="onabotulinumtoxinA",
                      indication="cervical-dystonia", muscles=muscles, today=TODAY)  # fmt: skip
            add_assessment(repo, pid, day - timedelta(days=1), "twstrs", 0.6)
            add_assessment(repo, pid, day + timedelta(days=28), "twstrs", 0.4)
        for drug, outcome in (("trihexyphenidyl", TrialOutcome.NOT_TOLERATED),
                              ("clonazepam", TrialOutcome.INEFFECTIVE), ("baclofen", None)):  # fmt: skip
            repo.add_trial(pid, TreatmentTrial(drug, start=first, end=first + timedelta(days=90),
                                               outcome=outcome))  # fmt: skip
        repo.add_medication(pid, Medication("clonazepam", start=first))
    return pid


def seed_others(sessions: sessionmaker[Session], count: int) -> None:
    """Other patients with a year of visits, so that reads go through the indexes."""
    with sessions.begin() as session:
        repo = CareRepository(session)
        for i in range(count):
            pid = repo.add_patient(
                birth_date=date(1960, 1, 1), sex="male", display_name=f"Other {i}"
            )
            for n in range(4):
                add_visit(repo, pid, TODAY - timedelta(weeks=13 * n + 1), product="onabotulinumtoxinA",
                          indication="cervical-dystonia", muscles=[(m, s, 10.0) for m, s in MUSCLES[:4]],
                          today=TODAY)  # fmt: skip


def visit_body(n: int) -> InjectionVisitCreate:
    return InjectionVisitCreate(
        date=TODAY - timedelta(days=n % 30),
        product="onabotulinumtoxinA",
        indication="cervical-dystonia",
        muscles=[{"muscle": m, "side": s, "units": 12.5} for m, s in MUSCLES],  # type: ignore[misc]
        lot="B-1",
        guidance="emg",
    )


def write_visit(sessions: sessionmaker[Session], pid: str, n: int) -> None:
    with sessions.begin() as session:
        record_visit(CareRepository(session), pid, visit_body(n), on=TODAY)
        record_call(session, actor="token:bench", action="POST /api/patients/{patient_id}/injections",
                    patient_id=pid, client="127.0.0.1", status=201)  # fmt: skip


def read_history(sessions: sessionmaker[Session], pid: str) -> int:
    with sessions() as session:
        return len(orjson.dumps(patient_history(session, pid)))


def _touch(patient: Patient) -> int:
    """Visit every row of the record as a serializer would."""
    rows = [patient.phenotype, *patient.diagnoses, *patient.facts, *patient.medications]
    rows += [*patient.trials, *patient.titration_plans]
    rows += [m for v in patient.injection_visits for m in v.muscles]
    rows += [i for a in patient.assessments for i in a.items]
    return len(rows)


def read_history_orm(sessions: sessionmaker[Session], pid: str) -> int:
    """ORM objects with every relationship loaded by selectinload (`CareRepository.history`)."""
    with sessions() as session:
        return _touch(CareRepository(session).history(pid))


def read_history_lazily(sessions: sessionmaker[Session], pid: str) -> int:
    """ORM objects loaded when touched: one query per visit and per assessment (N+1)."""
    with sessions() as session:
        return _touch(session.scalars(select(Patient).where(Patient.id == pid)).one())


def median_ms(action: Callable[[int], object], runs: int) -> float:
    times = []
    for n in range(runs):
        started = time.perf_counter()
        action(n)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def count_statements(sessions: sessionmaker[Session], action: Callable[[], object]) -> int:
    engine = sessions.kw["bind"]
    seen = [0]

    def count(*_: object) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen[0]


def measure(name: str, url: str, runs: int, others: int) -> dict[str, float]:
    sessions = open_database(url)
    try:
        seed_others(sessions, others)
        pid = seed_patient(sessions)
        writer = seed_patient(sessions, years=2)  # visits are written to their own patient
        read_history(sessions, pid)  # warm caches and the catalog
        read = median_ms(lambda _: read_history(sessions, pid), runs)
        orm = median_ms(lambda _: read_history_orm(sessions, pid), max(5, runs // 2))
        lazy = median_ms(lambda _: read_history_lazily(sessions, pid), max(5, runs // 4))
        write = median_ms(lambda n: write_visit(sessions, writer, n), runs)
        queries = count_statements(sessions, lambda: read_history(sessions, pid))
        orm_queries = count_statements(sessions, lambda: read_history_orm(sessions, pid))
        lazy_queries = count_statements(sessions, lambda: read_history_lazily(sessions, pid))
    finally:
        sessions.kw["bind"].dispose()
    print(f"{name}: visit write {write:.2f} ms; history read {read:.2f} ms ({queries} statements); "
          f"ORM selectinload {orm:.2f} ms ({orm_queries}), {orm / read:.2f}x; "
          f"ORM lazy {lazy:.2f} ms ({lazy_queries}), {lazy / read:.2f}x")  # fmt: skip
    return {"write": write, "read": read, "orm_ratio": orm / read, "lazy_ratio": lazy / read,
            "queries": queries}  # fmt: skip


@contextmanager
def postgres_database() -> Iterator[str | None]:
    try:
        import psycopg

        dsn = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
        name = f"dcds_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no server: report and go on with SQLite
        print(f"PostgreSQL not available ({exc}); skipping it", file=sys.stderr)
        yield None
        return
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve_variants(url: str, port: int) -> None:
    """Child process: the real app plus two bench-only routes over the same history read."""
    import uvicorn
    from fastapi import FastAPI, Response

    from dystonia_cds.app import create_app
    from dystonia_cds.config import get_settings

    app: FastAPI = create_app(get_settings(database_url=url, environment="test"))
    sessions = app.state.context.sessions

    def body(pid: str) -> Response:
        with sessions() as session:
            return Response(
                orjson.dumps(patient_history(session, pid)), media_type="application/json"
            )

    @app.get("/bench/threadpool/{pid}", response_model=None)
    def threadpool(pid: str) -> Response:
        return body(pid)

    @app.get("/bench/event-loop/{pid}", response_model=None)
    async def event_loop(pid: str) -> Response:
        return body(pid)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _concurrent(client_url: str, path: str, clients: int, per_client: int) -> tuple[float, float]:
    """(requests per second, median latency ms) of `clients` threads each sending requests."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def run(_: int) -> list[float]:
        times = []
        with httpx.Client(base_url=client_url, timeout=30.0) as client:
            for _ in range(per_client):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [t for batch in pool.map(run, range(clients)) for t in batch]
    return len(latencies) / (time.perf_counter() - started), statistics.median(latencies)


def measure_http(name: str, url: str, runs: int) -> dict[str, float]:
    import multiprocessing

    import httpx

    from dystonia_cds.store.tokens import create_token

    sessions = open_database(url)
    pid, writer = seed_patient(sessions), seed_patient(sessions, years=2)
    with sessions.begin() as session:
        token = create_token(session, "bench")
    sessions.kw["bind"].dispose()
    port = _free_port()
    child = multiprocessing.get_context("spawn").Process(target=_serve_variants, args=(url, port))
    child.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/openapi.json", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30.0) as api:
            history = median_ms(
                lambda _: api.get(f"/api/patients/{pid}/history").raise_for_status(), runs
            )
            post = median_ms(
                lambda n: api.post(f"/api/patients/{writer}/injections",
                                   content=visit_body(n).model_dump_json(),
                                   headers={"Content-Type": "application/json"}).raise_for_status(),
                runs,
            )  # fmt: skip
        per_client = max(5, runs // 2)
        pool_rps, pool_ms = _concurrent(base, f"/bench/threadpool/{pid}", 8, per_client)
        loop_rps, loop_ms = _concurrent(base, f"/bench/event-loop/{pid}", 8, per_client)
    finally:
        child.terminate()
        child.join(10)
    print(f"http {name}: visit POST {post:.2f} ms, history GET {history:.2f} ms; 8 clients: "
          f"def (thread pool) {pool_rps:.0f} req/s {pool_ms:.1f} ms, async def (blocking on the "
          f"loop) {loop_rps:.0f} req/s {loop_ms:.1f} ms")  # fmt: skip
    return {"post": post, "get": history, "pool_vs_loop_rps": pool_rps / loop_rps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (< 60 s)")
    args = parser.parse_args()
    runs, others = (25, 20) if args.quick else (200, 200)
    with tempfile.TemporaryDirectory() as folder:
        lite = measure("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", runs, others)
        http = measure_http("sqlite", f"sqlite:///{Path(folder) / 'http.sqlite'}", runs)
    with postgres_database() as pg_url:
        pg = measure("postgresql", pg_url, runs, others) if pg_url else None
        http_pg = measure_http("postgresql", pg_url, runs) if pg_url else None
    fields = {
        "visit_write_ms_sqlite": lite["write"],
        "history_read_ms_sqlite": lite["read"],
        "visit_write_ms_pg": pg["write"] if pg else float("nan"),
        "history_read_ms_pg": pg["read"] if pg else float("nan"),
        "history_queries": lite["queries"],
        "orm_selectin_vs_core_sqlite": lite["orm_ratio"],
        "orm_lazy_vs_core_sqlite": lite["lazy_ratio"],
        "orm_selectin_vs_core_pg": pg["orm_ratio"] if pg else float("nan"),
        "orm_lazy_vs_core_pg": pg["lazy_ratio"] if pg else float("nan"),
        "pg_vs_sqlite_write": (pg["write"] / lite["write"]) if pg else float("nan"),
        "api_visit_post_ms_sqlite": http["post"],
        "api_history_get_ms_sqlite": http["get"],
        "threadpool_vs_event_loop_rps_sqlite": http["pool_vs_loop_rps"],
        "api_visit_post_ms_pg": http_pg["post"] if http_pg else float("nan"),
        "api_history_get_ms_pg": http_pg["get"] if http_pg else float("nan"),
        "threadpool_vs_event_loop_rps_pg": http_pg["pool_vs_loop_rps"] if http_pg else float("nan"),
    }
    print("RESULT " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in fields.items()))  # fmt: skip


if __name__ == "__main__":
    main()
