"""No lost data: a burst of concurrent writes on PostgreSQL loses nothing; a server killed
with SIGKILL in the middle of a burst of writes on SQLite (WAL) keeps every write it
acknowledged, and the database passes `PRAGMA integrity_check`."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from care_api_server import Server, new_token, start_server

VISIT = {
    "product": "onabotulinumtoxinA",
    "indication": "cervical-dystonia",
    "muscles": [
        {"muscle": "sternocleidomastoid", "side": "left", "units": 30},
        {"muscle": "trapezius", "side": "right", "units": 40},
    ],
}


def _client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    )


def _new_patient(client: httpx.Client, name: str) -> str:
    body = {"birth_date": "1980-01-01", "sex": "male", "display_name": name}
    response = client.post("/api/patients", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _visit(day: int) -> dict[str, object]:
    return VISIT | {"date": (date(2020, 1, 1) + timedelta(days=day)).isoformat()}


@pytest.fixture
def pg_server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    running = start_server(postgres_url, tmp_path / "server.log")
    yield running
    running.stop()


@pytest.mark.postgres
def test_a_burst_of_concurrent_writes_on_postgresql_loses_nothing(pg_server: Server) -> None:
    token = new_token(pg_server.database_url)
    with _client(pg_server, token) as client:
        patient_id = _new_patient(client, "Test Burst")

        def write(n: int) -> tuple[str, int]:
            if n % 2:
                response = client.post(f"/api/patients/{patient_id}/injections", json=_visit(n))
            else:
                body = {
                    "birth_date": "1990-01-01",
                    "sex": "female",
                    "display_name": f"Test Burst {n}",
                }
                response = client.post("/api/patients", json=body)
            return response.json().get("id", ""), response.status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(write, range(200)))
        assert {status for _, status in results} == {201}
        history = client.get(f"/api/patients/{patient_id}/history").json()
        visit_ids = {v["id"] for v in history["injections"]}
        assert visit_ids == {i for n, (i, _) in enumerate(results) if n % 2}
        listed = client.get("/api/patients", params={"search": "Test Burst ", "limit": 500}).json()
        assert listed["total"] == 100


def test_a_server_killed_mid_burst_on_sqlite_keeps_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    database = tmp_path / "crash.sqlite"
    url = f"sqlite:///{database}"
    server = start_server(url, tmp_path / "server.log")
    token = new_token(url)
    acknowledged: list[tuple[str, str]] = []  # (kind, id) answered 201
    lock = threading.Lock()
    stop = threading.Event()
    try:
        with _client(server, token) as client:
            patient_id = _new_patient(client, "Test Crash")

            def writer(worker: int) -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        if n % 2:
                            response = client.post(
                                f"/api/patients/{patient_id}/injections",
                                json=_visit(worker * 1000 + n),
                            )
                            kind = "visit"
                        else:
                            body = {
                                "birth_date": "1990-01-01",
                                "sex": "other",
                                "display_name": f"Test Crash {worker}-{n}",
                            }
                            response = client.post("/api/patients", json=body)
                            kind = "patient"
                    except httpx.TransportError:
                        return  # the server died under this request
                    if response.status_code == 201:
                        with lock:
                            acknowledged.append((kind, response.json()["id"]))

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
            for thread in threads:
                thread.start()
            while len(acknowledged) < 60 and all(t.is_alive() for t in threads):
                stop.wait(0.01)
            server.kill()  # SIGKILL while the writers are still sending
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    finally:
        server.stop()
    assert len(acknowledged) >= 60

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    restarted = start_server(url, tmp_path / "server.log")
    try:
        with _client(restarted, token) as client:
            history = client.get(f"/api/patients/{patient_id}/history").json()
            stored_visits = {v["id"] for v in history["injections"]}
            for kind, written_id in acknowledged:
                if kind == "visit":
                    assert written_id in stored_visits
                else:
                    assert client.get(f"/api/patients/{written_id}").status_code == 200
    finally:
        restarted.stop()
