"""CDS Hooks discovery latency while the web app renders handout PDFs (issue 12, item 6).

Starts a real `dystonia-cds serve --demo` on 127.0.0.1 (own temporary SQLite file), signs in
the demo clinician, then measures `GET /cds-services` one request at a time: first idle, then
while `--pdf-clients` threads (40 by default, as in the red-team finding) each fetch the
handout PDF of a demo patient in a loop. PDF rendering and the page's database reads run in
the thread pool and PDFs in a worker process (web/pdf_pool.py), so discovery (on the event
loop) should stay close to its idle latency. Discovery is measured for at least 15 s of load,
once every PDF client has had its first PDF.
Synthetic demo data only; loopback only; bounded (a fixed number of requests).

    python bench/discovery_under_pdf_load.py [--quick]
Last line: RESULT discovery_idle_p95_ms=... discovery_pdf_load_p95_ms=... ratio=... pdfs_per_s=...
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-c", "from dystonia_cds.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(folder: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = folder / "server.log"
    args = ["serve", "--demo", "--port", str(port), "--database", f"sqlite:///{folder / 'b.db'}"]
    env = {**os.environ, "DYSTONIA_CDS_ENVIRONMENT": "test"}
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, *args], stdout=out, stderr=out, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, log
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def signed_in(url: str, log: Path) -> tuple[httpx.Client, str]:
    found = re.search(r"^demo sign-in: (\S+) / (\S+)$", log.read_text(), re.MULTILINE)
    assert found, "no demo sign-in line"
    client = httpx.Client(base_url=url, timeout=120, follow_redirects=True)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"username": found.group(1), "password": found.group(2), "csrf_token": token.group(1)}
    assert client.post("/login", data=data).status_code == 200
    patients = client.get("/patients").text
    patient_id = re.search(r'href="/patients/([0-9a-f-]{36})"', patients)
    assert patient_id
    return client, patient_id.group(1)


def discovery_ms(url: str, count: int, at_least_s: float = 0.0) -> list[float]:
    """`count` discovery calls one after another (and more until `at_least_s` has passed)."""
    times: list[float] = []
    until = time.perf_counter() + at_least_s
    with httpx.Client(base_url=url, timeout=120) as client:
        while len(times) < count or time.perf_counter() < until:
            started = time.perf_counter()
            client.get("/cds-services").raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def pdf_load(
    client: httpx.Client, patient_id: str, threads: int, stop: threading.Event
) -> list[int]:
    done = [0]
    lock = threading.Lock()
    cookies = client.cookies

    def worker() -> None:
        with httpx.Client(base_url=str(client.base_url), cookies=cookies, timeout=120) as own:
            while not stop.is_set():
                response = own.get(f"/patients/{patient_id}/handout.pdf")
                assert response.headers["content-type"] == "application/pdf"
                with lock:
                    done[0] += 1

    for _ in range(threads):
        threading.Thread(target=worker, daemon=True).start()
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pdf-clients", type=int, default=40)
    options = parser.parse_args()
    count = 40 if options.quick else 150
    with tempfile.TemporaryDirectory() as folder:
        process, url, log = start(Path(folder))
        try:
            client, patient_id = signed_in(url, log)
            discovery_ms(url, 10)  # warm-up
            idle = discovery_ms(url, count)
            stop = threading.Event()
            done = pdf_load(client, patient_id, options.pdf_clients, stop)
            while done[0] < options.pdf_clients:  # the pool is up, every client is rendering
                time.sleep(0.2)
            started, before = time.perf_counter(), done[0]
            loaded = discovery_ms(url, count, at_least_s=5.0 if options.quick else 15.0)
            pdfs_per_s = (done[0] - before) / (time.perf_counter() - started)
            stop.set()
        finally:
            process.terminate()
            process.wait(timeout=30)
    idle_p95, load_p95 = p95(idle), p95(loaded)
    print(f"discovery idle: median {statistics.median(idle):.1f} ms, p95 {idle_p95:.1f} ms")
    print(
        f"discovery with {options.pdf_clients} PDF clients: median "
        f"{statistics.median(loaded):.1f} ms, p95 {load_p95:.1f} ms ({pdfs_per_s:.1f} PDFs/s)"
    )
    print(
        f"RESULT discovery_idle_p95_ms={idle_p95:.1f} discovery_pdf_load_p95_ms={load_p95:.1f} "
        f"ratio={load_p95 / idle_p95:.2f} pdfs_per_s={pdfs_per_s:.1f}"
    )


if __name__ == "__main__":
    main()
