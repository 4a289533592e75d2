"""Operating the service: health and readiness, Prometheus metrics by route template, an
access log without query strings, server limits (header size, slow senders), database
faults answered without a 500, and `serve --demo` refused in production."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from care_api_server import CLI, Server, new_token, start_server

NAME = "Test Qwertyzed"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a 1 s request read deadline and an 8 KiB header limit."""
    folder = tmp_path_factory.mktemp("limits")
    limits = {"DYSTONIA_CDS_REQUEST_READ_TIMEOUT_S": "1", "DYSTONIA_CDS_MAX_HEADER_BYTES": "8192"}
    saved = {key: os.environ.get(key) for key in limits}
    os.environ.update(limits)
    try:
        running = start_server(f"sqlite:///{folder / 'l.sqlite'}", folder / "server.log")
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    yield running
    running.stop()


def test_healthz_and_readyz_answer_200_on_a_current_database(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}


def test_metrics_count_requests_by_route_template_never_by_patient_id(
    server: Server, api: httpx.Client
) -> None:
    patient_id = api.post(
        "/api/patients", json={"birth_date": "1960-01-01", "sex": "female", "display_name": NAME}
    ).json()["id"]
    api.get(f"/api/patients/{patient_id}").raise_for_status()
    text = httpx.get(f"{server.url}/metrics").text
    assert 'route="/api/patients/{patient_id}"' in text
    assert "dystonia_cds_http_request_duration_seconds_bucket" in text
    assert "dystonia_cds_db_pool_connections" in text
    assert patient_id not in text


def test_the_access_log_names_the_path_but_never_the_search(
    server: Server, api: httpx.Client
) -> None:
    api.get("/api/patients", params={"search": NAME}).raise_for_status()
    api.get("/api/patients", params={"search": "Qwertyzed"}).raise_for_status()
    output = server.output()
    assert '"GET /api/patients HTTP/1.1" 200' in output
    assert "Qwertyzed" not in output


def test_a_slow_sender_is_disconnected_and_the_server_keeps_answering(
    limited_server: Server,
) -> None:
    port = int(limited_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
        assert sock.recv(100) == b""  # closed by the server, no answer
    assert httpx.get(f"{limited_server.url}/healthz").status_code == 200


def test_a_header_block_past_the_limit_is_refused_with_431(limited_server: Server) -> None:
    port = int(limited_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 431")
    assert httpx.get(f"{limited_server.url}/healthz").status_code == 200


def test_serve_demo_is_refused_in_production(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DYSTONIA_CDS_ENVIRONMENT": "production",
        "DYSTONIA_CDS_SECRET_KEY": "a-real-secret-for-this-test-only",
    }
    database = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    args = [*CLI, "serve", "--port", "0", "--database", database, "--demo"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "--demo" in done.stderr
    assert "production" in done.stderr
    assert not (tmp_path / "prod.sqlite").exists() or "demo token" not in done.stdout


@pytest.mark.postgres
def test_reads_after_postgresql_killed_every_connection_answer_without_a_server_error(
    postgres_server: Server,
) -> None:
    token = new_token(postgres_server.database_url, "faults")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=postgres_server.url, headers=headers, timeout=30) as client:
        patient_id = client.post(
            "/api/patients", json={"birth_date": "1960-01-01", "sex": "male"}
        ).json()["id"]
        name = postgres_server.database_url.rsplit("/", 1)[1]
        admin = postgres_server.database_url.rsplit("/", 1)[0] + "/test"
        with psycopg.connect(
            admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
        statuses = [client.get(f"/api/patients/{patient_id}").status_code for _ in range(5)]
    assert statuses == [200] * 5
