"""`serve --demo` prints a demo clinician sign-in that works, and a new one at each start."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from web_server import CLI, free_port, sign_in

pytestmark = pytest.mark.timeout(180)
LINE = re.compile(r"^demo sign-in: (\S+) / (\S+)$", re.MULTILINE)


def start_demo(
    database_url: str, log: Path
) -> tuple[subprocess.Popen[bytes], str, tuple[str, str]]:
    port = free_port()
    args = [
        "serve",
        "--demo",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database",
        database_url,
    ]
    env = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, *args], stdout=out, stderr=out, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve --demo exited:\n{log.read_text()}")
        found = LINE.search(log.read_text(errors="replace"))
        try:
            if found and httpx.get(f"{url}/login", timeout=1.0).status_code == 200:
                return process, url, (found.group(1), found.group(2))
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"serve --demo did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_demo_sign_in_printed_at_start_works_and_changes_each_start(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    credentials = []
    for run in range(2):
        process, url, pair = start_demo(database_url, tmp_path / f"serve-{run}.log")
        try:
            with httpx.Client(base_url=url, timeout=30.0) as client:
                assert sign_in(client, *pair).status_code == 303
                listing = client.get("/patients")
                assert listing.status_code == 200
                assert "data-patient-id" in listing.text  # demo patients were seeded
        finally:
            stop(process)
        credentials.append(pair)
    assert credentials[0][0] == credentials[1][0] == "demo"
    assert credentials[0][1] != credentials[1][1]
