"""Small things users hit (issue 11, item 8): a busy port stops `serve --demo` before the
database is touched, "serving on" only once it listens, HEAD /, CLI help without "<bool>"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import httpx
from web_server import CLI, WebServer

ENV = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=ENV, timeout=timeout, check=False
    )


def test_serve_demo_on_a_busy_port_stops_before_touching_the_database(
    web_server: WebServer, tmp_path: Path
) -> None:
    port = web_server.url.rsplit(":", 1)[1]
    database = tmp_path / "second.sqlite"
    done = cli("serve", "--demo", "--port", port, "--database", f"sqlite:///{database}")
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "serving on" not in done.stdout
    assert "demo sign-in" not in done.stdout
    assert not database.exists()  # no schema, no demo patients, no password reset


def test_serve_says_serving_on_once_after_the_app_has_started(web_server: WebServer) -> None:
    log = web_server.output()
    assert log.count("serving on") == 1
    assert log.index("Application startup complete") < log.index("serving on")


def test_head_on_the_root_answers(web_server: WebServer) -> None:
    response = httpx.head(f"{web_server.url}/", follow_redirects=False)
    assert response.status_code in (200, 303)
    assert response.status_code != 405


def test_cli_help_has_no_bool_placeholders() -> None:
    for command in (["--help"], ["serve", "--help"], ["synth", "--help"]):
        done = cli(*command)
        assert done.returncode == 0, done.stderr
        assert "<bool>" not in done.stdout
    assert "--demo / --no-demo" in cli("serve", "--help").stdout


def test_an_existing_database_is_not_opened_when_the_port_is_busy(
    web_server: WebServer, tmp_path: Path
) -> None:
    database = tmp_path / "kept.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("create table marker (x integer)")
    before = database.read_bytes()
    port = web_server.url.rsplit(":", 1)[1]
    done = cli("serve", "--demo", "--port", port, "--database", f"sqlite:///{database}")
    assert done.returncode == 2
    assert database.read_bytes() == before
