"""A real `dystonia-cds serve` process on 127.0.0.1 (free port, own SQLite file) with a
clinician and an admin account, and helpers to sign in over plain HTTP. Synthetic data only."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from dystonia_cds.store.database import open_database
from dystonia_cds.web.accounts import create_user

CLI = [sys.executable, "-c", "from dystonia_cds.cli import main; main()"]
START_TIMEOUT_S = 60.0
CLINICIAN = ("clin", "clinician-pass-1")
ADMIN = ("boss", "admin-pass-123")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebServer:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_web_server(folder: Path) -> WebServer:
    database_url = f"sqlite:///{folder / 'web.sqlite'}"
    sessions = open_database(database_url)
    with sessions.begin() as session:
        create_user(session, CLINICIAN[0], "clinician", CLINICIAN[1])
        create_user(session, ADMIN[0], "admin", ADMIN[1])
    sessions.kw["bind"].dispose()
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--database", database_url]
    with log.open("ab") as out:
        process = subprocess.Popen([*CLI, *args], stdout=out, stderr=out, env=env)
    server = WebServer(f"http://127.0.0.1:{port}", database_url, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/login", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start in {START_TIMEOUT_S} s:\n{server.output()}")


def hidden_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def page_token(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no csrf-token meta in the page"
    return found.group(1)


def sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/login")
    token = hidden_token(form.text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
