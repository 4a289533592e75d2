"""Conflicting writers through the care API (issue 12, item 1): rounds of concurrent
`PUT /api/patients/{id}/phenotype` calls, each client sending a different pair of diagnoses,
against a real `dystonia-cds serve` on SQLite and on PostgreSQL (when reachable). Counts the
rounds whose final state is not exactly one submitted body (a merge) and the server errors.
Synthetic data only; loopback only; bounded.

    python bench/conflicting_writers.py [--rounds 20] [--clients 50]
Last line: RESULT sqlite_merged=... sqlite_5xx=... postgres_merged=... postgres_5xx=... puts=...
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

CLI = [sys.executable, "-c", "from dystonia_cds.cli import main; main()"]
FORMS = (
    "cervical-dystonia",
    "blepharospasm",
    "oromandibular-dystonia",
    "laryngeal-dystonia",
    "task-specific-limb-dystonia",
    "tardive-dystonia",
    "genetic-torsion-dystonia",
    "idiopathic-nonfamilial-dystonia",
)
POSTGRES = os.environ.get(
    "DYSTONIA_CDS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(database_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}
    args = ["serve", "--port", str(port), "--database", database_url]
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, *args], stdout=out, stderr=out, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def token(database_url: str) -> str:
    from dystonia_cds.store.database import open_database
    from dystonia_cds.store.tokens import create_token

    sessions = open_database(database_url)
    with sessions.begin() as session:
        value = create_token(session, "bench")
    sessions.kw["bind"].dispose()
    return value


def body(i: int) -> dict[str, object]:
    return {"diagnoses": [{"form": FORMS[i % 8]}, {"form": FORMS[(i + 3) % 8]}]}


def one_round(api: httpx.Client, clients: int) -> tuple[bool, int]:
    """(merged, server errors) of one round of `clients` concurrent replaces."""
    patient_id = api.post(
        "/api/patients", json={"birth_date": "1970-01-01", "sex": "female"}
    ).json()["id"]
    barrier, statuses = threading.Barrier(clients), []

    def put(i: int) -> None:
        barrier.wait()
        statuses.append(api.put(f"/api/patients/{patient_id}/phenotype", json=body(i)).status_code)

    threads = [threading.Thread(target=put, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = api.get(f"/api/patients/{patient_id}/phenotype").json()
    final = sorted(d["form"] for d in stored["diagnoses"])
    submitted = [sorted(d["form"] for d in body(i)["diagnoses"]) for i in range(clients)]  # type: ignore[attr-defined]
    return final not in submitted, sum(1 for s in statuses if s >= 500)


def run(database_url: str, folder: Path, rounds: int, clients: int) -> tuple[int, int]:
    process, url = serve(database_url, folder / f"server-{uuid.uuid4().hex[:6]}.log")
    merged = errors = 0
    try:
        headers = {"Authorization": f"Bearer {token(database_url)}"}
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        with httpx.Client(base_url=url, headers=headers, timeout=120, limits=limits) as api:
            for _ in range(rounds):
                was_merged, failed = one_round(api, clients)
                merged += was_merged
                errors += failed
    finally:
        process.terminate()
        process.wait(timeout=30)
    return merged, errors


def postgres_database() -> str | None:
    name = f"dcds_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def drop(url: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    options = parser.parse_args()
    results: dict[str, tuple[int, int] | None] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run(
            f"sqlite:///{folder}/w.db", Path(folder), options.rounds, options.clients
        )
        pg = postgres_database()
        results["postgres"] = None
        if pg is not None:
            try:
                results["postgres"] = run(pg, Path(folder), options.rounds, options.clients)
            finally:
                drop(pg)
    parts = []
    for backend, result in results.items():
        merged, errors = result if result else ("skipped", "skipped")
        print(
            f"{backend}: {options.rounds} rounds x {options.clients} clients: {merged} merged, {errors} 5xx"
        )
        parts.append(f"{backend}_merged={merged} {backend}_5xx={errors}")
    print(f"RESULT {' '.join(parts)} puts={options.rounds * options.clients}")


if __name__ == "__main__":
    main()
