"""Database faults become 503 with Retry-After (an idempotent request is run once more first),
the access log loses query strings, and readiness names a database that is behind."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from dystonia_cds.ops.faults import DatabaseFaults
from dystonia_cds.ops.health import readiness
from dystonia_cds.ops.logs import JsonFormatter, PathOnly
from dystonia_cds.store.database import make_engine, script_heads


class FlakyApp:
    """Fails with `error` the first `failures` times, then answers 200 echoing the body."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        message = await receive()
        if self.calls <= self.failures:
            raise self.error
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": message.get("body", b"")})


def _call(app: Any, method: str, body: bytes = b"") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    incoming = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/api/patients"}
    asyncio.run(DatabaseFaults(app)(scope, receive, send))
    return sent


def _killed() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def test_a_read_that_meets_a_dead_connection_is_run_once_more_with_the_same_request() -> None:
    app = FlakyApp(1, _killed())
    sent = _call(app, "GET", b"same")
    assert app.calls == 2
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"same"


def test_a_read_that_fails_twice_answers_503_with_retry_after() -> None:
    sent = _call(FlakyApp(2, _killed()), "GET")
    assert sent[0]["status"] == 503
    assert (b"retry-after", b"5") in sent[0]["headers"]


def test_a_write_that_meets_a_database_fault_is_not_repeated_and_answers_503() -> None:
    app = FlakyApp(1, _killed())
    sent = _call(app, "PUT", b"{}")
    assert app.calls == 1
    assert sent[0]["status"] == 503


def test_an_error_of_the_data_is_not_taken_for_a_database_fault() -> None:
    error = IntegrityError("INSERT", {}, Exception("unique"))
    with pytest.raises(IntegrityError):
        _call(FlakyApp(1, error), "GET")


def _access_record(path: str) -> logging.LogRecord:
    args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None
    )


def test_the_access_log_keeps_the_path_and_drops_the_query_string() -> None:
    record = _access_record("/api/patients?search=Test%20Anna&limit=5")
    assert PathOnly().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/patients HTTP/1.1" 200'


def test_json_logs_hold_one_object_per_record_without_the_query_string() -> None:
    record = _access_record("/patients?q=Anna")
    PathOnly().filter(record)
    line = JsonFormatter().format(record)
    assert '"message":"127.0.0.1:5000 - \\"GET /patients HTTP/1.1\\" 200"' in line
    assert "Anna" not in line


def test_readiness_names_a_database_whose_schema_is_behind(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        problem = readiness(engine, script_heads(engine))
    finally:
        engine.dispose()
    assert problem is not None
    assert "db upgrade" in problem


def test_readiness_reports_an_unreachable_database_without_its_address() -> None:
    engine = make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    try:
        problem = readiness(engine, {"0001"})
    finally:
        engine.dispose()
    assert problem == "database not reachable"
