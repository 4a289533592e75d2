"""Start and stop a real `dystonia-cds serve` process on 127.0.0.1 (a free port).
Shared by the API and web e2e tests. Synthetic data only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = [sys.executable, "-c", "from dystonia_cds.cli import main; main()"]
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush — a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    database_url: str, log: Path, *extra: str, ready_path: str = "/openapi.json"
) -> Server:
    """Run `dystonia-cds serve` on a free port and wait until `ready_path` answers 200."""
    port = free_port()
    env = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--database", database_url]
    with log.open("ab") as out:
        process = subprocess.Popen([*CLI, *args, *extra], stdout=out, stderr=out, env=env)
    server = Server(f"http://127.0.0.1:{port}", database_url, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{server.output()}")
        try:
            if httpx.get(f"{server.url}{ready_path}", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start in {START_TIMEOUT_S} s:\n{server.output()}")
