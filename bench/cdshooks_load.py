"""Load test of the CDS Hooks `dystonia-treatment-options` service against a bare Starlette
endpoint that only decodes and echoes the same body, side by side in the same run.

    python bench/cdshooks_load.py [--quick] [--loop auto|asyncio|uvloop]

Servers run as uvicorn subprocesses on 127.0.0.1 (CDS Hooks in insecure dev mode, so no JWT
work is measured; a temporary SQLite file), both under the same uvicorn settings. The load comes
from `wrk` when it is installed (Debian package `wrk`), else from a bounded asyncio/httpx client.
Bodies: about 20 KB, a realistic prefetch of about 50 resources (36 KB), and about 200 KB;
concurrency 1 and 50; 1 and 2 workers. Runs are interleaved (bare, CDS, bare, CDS ...) and
medians reported. Two ways of sending the ~50-resource body, each to both servers:

- repeated: the same body on every request, the issue's method ("the same load against a bare
  endpoint ... the same body"). The service's evaluation cache answers (a chart reopened with
  unchanged data): the prefetch is neither decoded nor mapped again, only its bytes hashed.
- distinct: the body changes on every request (one character in Patient.meta.source), so
  every call decodes the prefetch, maps ~50 resources and evaluates: the honest worst case.

The last line:

    RESULT rps_ratio=... p99_ratio=... rps_ratio_distinct=... p99_ratio_distinct=...
           p99_c1_ms=... cds_p99_ms=... cds_mean_ms=... cds_little_ms=...

rps_ratio and p99_ratio: CDS / bare at c=50, one worker, the ~50-resource body repeated (the
issue's targets: rps_ratio >= 0.5, p99_ratio <= 2); the `_distinct` pair: the same with a
distinct body per request. p99_c1_ms is the CDS p99 at c=1 with distinct bodies; cds_p99_ms,
cds_mean_ms (the client's mean latency) and cds_little_ms (the mean Little's law allows,
connections / requests per second) are of the distinct c=50 run. A client mean well above
cds_little_ms means the client's own timing added the latency (seen with wrk's single thread
on a loaded 2-core machine: p99 of about 1 s while the server's own request times stayed under
150 ms), not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

HERE = Path(__file__).resolve().parent
SERVICE = "/cds-services/dystonia-treatment-options"
BARE = "/echo"
TODAY = date.today()


# ---- the apps the servers run (imported by uvicorn from this file) -------------------------


def make_app() -> Any:
    """The real application (uvicorn --factory), configured from DYSTONIA_CDS_* variables."""
    from dystonia_cds.app import create_app
    from dystonia_cds.config import Settings

    return create_app(Settings())


def bare_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def echo(request: Request) -> Response:
        data = orjson.loads(await request.body())
        return Response(orjson.dumps(data), media_type="application/json")

    async def ready(_request: Request) -> Response:
        return Response(b"ok")

    return Starlette(
        routes=[Route(BARE, echo, methods=["POST"]), Route("/", ready, methods=["GET"])]
    )


# ---- synthetic prefetch ------------------------------------------------------------------------


def _ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _meta(rid: str, source: str = "#ehr-prod-7") -> dict[str, Any]:
    return {
        "meta": {
            "versionId": "3",
            "lastUpdated": f"{_ago(5)}T10:15:00Z",
            "source": source,
        },
        "identifier": [
            {"system": "urn:oid:1.2.840.114350.1.13.0.1.7.2.798268", "value": rid.upper()}
        ],
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{rid}</div>',
        },
    }


def _subject(pid: str) -> dict[str, Any]:
    return {"subject": {"reference": f"Patient/{pid}", "display": "Test Patient"}}


def _condition(pid: str, n: int, code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"c{n}",
        **_meta(f"c{n}"),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code, "display": text}
            ],
            "text": text,
        },
        **_subject(pid),
        "onsetDateTime": _ago(900 + n),
        "recordedDate": _ago(800 + n),
    }


def _medication(pid: str, n: int, rtype: str, name: str, status: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "resourceType": rtype,
        "id": f"m{n}",
        **_meta(f"m{n}"),
        "status": status,
        "medicationCodeableConcept": {"text": name},
        **_subject(pid),
    }
    if rtype == "MedicationRequest":
        base.update(
            intent="order",
            authoredOn=_ago(30 * n),
            dosageInstruction=[
                {
                    "text": "as directed",
                    "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                }
            ],
        )
    else:
        base["effectiveDateTime"] = _ago(30 * n)
    return base


def _procedure(pid: str, n: int, days: int) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": f"p{n}",
        **_meta(f"p{n}"),
        "status": "completed",
        "code": {"text": "Botulinum toxin injection, cervical muscles (onabotulinumtoxinA)"},
        **_subject(pid),
        "performedDateTime": _ago(days),
        "bodySite": [{"text": "neck"}],
    }


def _observation(pid: str, n: int) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"o{n}",
        **_meta(f"o{n}"),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": "http://loinc.org",
                    "code": "8480-6",
                    "display": "Systolic blood pressure",
                }
            ],
            "text": "Systolic blood pressure",
        },
        **_subject(pid),
        "effectiveDateTime": _ago(7 * n),
        "valueQuantity": {
            "value": 120 + n % 15,
            "unit": "mmHg",
            "system": "http://unitsofmeasure.org",
            "code": "mm[Hg]",
        },
    }


DRUGS = [
    ("MedicationRequest", "trihexyphenidyl 2 MG Oral Tablet", "completed"),
    ("MedicationRequest", "clonazepam 0.5 MG Oral Tablet", "active"),
    ("MedicationRequest", "lisinopril 10 MG Oral Tablet", "active"),
    ("MedicationRequest", "atorvastatin 20 MG Oral Tablet", "active"),
    ("MedicationStatement", "ibuprofen 400 MG Oral Tablet", "completed"),
    ("MedicationAdministration", "onabotulinumtoxinA 100 UNT Injection", "completed"),
]


def prefetch_resources(count: int, pid: str = "bench-1") -> list[dict[str, Any]]:
    """About `count` resources of a 48-year-old with cervical dystonia and a long history."""
    out: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": pid,
            **_meta(pid, "#ehr-prod-__VARY__"),
            "birthDate": _ago(365 * 48 + 40),
            "gender": "female",
        }
    ]
    out.append(_condition(pid, 0, "G24.3", "Spasmodic torticollis (cervical dystonia)"))
    n = 1
    while len(out) < count:
        kind = n % 5
        if kind == 0:
            out.append(_condition(pid, n, "I10", "Essential hypertension"))
        elif kind in (1, 2):
            rtype, name, status = DRUGS[n % len(DRUGS)]
            out.append(_medication(pid, n, rtype, name, status))
        elif kind == 3:
            out.append(_procedure(pid, n, 100 + 91 * (n // 5)))
        else:
            out.append(_observation(pid, n))
        n += 1
    return out


KEYS = {
    "Condition": "conditions",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "MedicationAdministration": "medicationAdministrations",
    "Procedure": "procedures",
    "Observation": "observations",
}


def hook_body(count: int) -> bytes:
    resources = prefetch_resources(count)
    prefetch: dict[str, Any] = {"patient": resources[0]}
    for rtype, key in KEYS.items():
        entries = [
            {"resource": r, "fullUrl": f"urn:uuid:{r['id']}"}
            for r in resources
            if r["resourceType"] == rtype
        ]
        prefetch[key] = (
            {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
            if entries
            else None
        )
    body = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "context": {"userId": "Practitioner/example", "patientId": resources[0]["id"]},
        "prefetch": prefetch,
    }
    return orjson.dumps(body)


def body_of_size(target: int) -> tuple[bytes, int]:
    """The body with the most resources that stays at or under `target` bytes."""
    low, high = 2, 2000
    while low < high:
        mid = (low + high + 1) // 2
        if len(hook_body(mid)) <= target:
            low = mid
        else:
            high = mid - 1
    return hook_body(low), low


# ---- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    target: str, workers: int, env: dict[str, str], *, factory: bool, loop: str = "auto"
) -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--loop",
        loop,
    ]
    if factory:
        cmd.append("--factory")
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server {base} exited with status {proc.returncode}")
        try:
            if httpx.get(base + "/", timeout=1).status_code < 500:
                time.sleep(0.3)
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start within 60 s")


# ---- load --------------------------------------------------------------------------------------


VARY = b"__VARY__"  # in Patient.meta.source; replaced per request in "distinct" mode

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("{path}", "rb")
local body = f:read("*all")
f:close()
local vary = {vary}
local at = string.find(body, "__VARY__", 1, true)
local prefix, suffix = string.sub(body, 1, at - 1), string.sub(body, at + 8)
local counter = 0
wrk.body = prefix .. "fixed000" .. suffix
if vary then
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, prefix .. string.format("%08d", counter) .. suffix)
  end
end
"""


def run_wrk(url: str, body_path: Path, conns: int, seconds: float, vary: bool) -> dict[str, float]:
    script = body_path.with_name(f"{body_path.stem}-{int(vary)}.lua")
    script.write_text(
        LUA.replace("{path}", str(body_path)).replace("{vary}", "true" if vary else "false")
    )
    command = ["wrk", "-t1", f"-c{conns}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s"]
    out = subprocess.run(
        [*command, "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    mean = _ms(re.search(r"Latency\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = float(errors.group(1)) if errors else 0.0
    return {"rps": rps, "p99_ms": p99, "mean_ms": mean, "errors": failed}


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group(0)), re.sub(r"[\d.]+", "", text)  # type: ignore[union-attr]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def variants(body: bytes, vary: bool, count: int = 2000) -> list[bytes]:
    if not vary:
        return [body.replace(VARY, b"fixed000")]
    return [body.replace(VARY, b"%08d" % n) for n in range(count)]


async def _client_load(
    url: str, bodies: list[bytes], conns: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                body = bodies[len(latencies) % len(bodies)]
                start = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conns)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    mean = statistics.mean(latencies) * 1000
    return {
        "rps": len(latencies) / elapsed,
        "p99_ms": p99,
        "mean_ms": mean,
        "errors": float(errors),
    }


@dataclass(frozen=True)
class Step:
    workers: int
    body: str
    conns: int
    vary: bool = True  # distinct prefetch per request (no cache hits); False: a repeated chart

    def label(self) -> str:
        mode = "distinct" if self.vary else "repeated"
        return f"{self.workers} worker(s), {self.body}, c={self.conns}, {mode}"


def load(url: str, body: bytes, body_path: Path, step: Step, seconds: float) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(url, body_path, step.conns, seconds, step.vary)
    return asyncio.run(_client_load(url, variants(body, step.vary), step.conns, seconds))


# ---- the run -------------------------------------------------------------------------------------


def measure(
    cds: str, bare: str, body: bytes, path: Path, step: Step, seconds: float, rounds: int
) -> dict[str, float]:
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "cds": []}
    for _ in range(rounds):
        runs["bare"].append(load(bare + BARE, body, path, step, seconds))
        runs["cds"].append(load(cds + SERVICE, body, path, step, seconds))
    out: dict[str, float] = {}
    for name, results in runs.items():
        out[f"{name}_rps"] = statistics.median(r["rps"] for r in results)
        out[f"{name}_p99_ms"] = statistics.median(r["p99_ms"] for r in results)
        out[f"{name}_mean_ms"] = statistics.median(r["mean_ms"] for r in results)
        # Little's law: with every connection always busy, the mean latency is c / throughput;
        # a reported mean well above it means the client's clock, not the server, added time.
        out[f"{name}_little_ms"] = step.conns / out[f"{name}_rps"] * 1000
        out[f"{name}_errors"] = sum(r["errors"] for r in results)
    out["rps_ratio"] = out["cds_rps"] / out["bare_rps"]
    out["p99_ratio"] = out["cds_p99_ms"] / out["bare_p99_ms"]
    return out


def report(label: str, m: dict[str, float]) -> None:
    errors = m["bare_errors"] or m["cds_errors"]
    print(
        f"{label:<44} bare {m['bare_rps']:7.0f} rps p99 {m['bare_p99_ms']:7.1f} ms | "
        f"cds {m['cds_rps']:7.0f} rps p99 {m['cds_p99_ms']:7.1f} ms "
        f"(mean {m['cds_mean_ms']:.1f}, c/rps {m['cds_little_ms']:.1f}) | "
        f"ratio rps {m['rps_ratio']:.2f} p99 {m['p99_ratio']:.2f}"
        + (f" | ERRORS bare {m['bare_errors']:.0f} cds {m['cds_errors']:.0f}" if errors else ""),
        flush=True,
    )


MAIN = Step(1, "50 resources", 50)
C1 = Step(1, "50 resources", 1)
REPEATED = Step(1, "50 resources", 50, vary=False)


def plan(quick: bool) -> list[Step]:
    """The measurements, in the order they run."""
    if quick:
        return [
            MAIN,
            C1,
            REPEATED,
            Step(1, "20 KB", 50),
            Step(1, "200 KB", 50),
            Step(2, "50 resources", 50),
        ]
    steps = [
        Step(w, b, c) for w in (1, 2) for b in ("20 KB", "50 resources", "200 KB") for c in (50, 1)
    ]
    steps += [Step(w, "50 resources", c, vary=False) for w in (1, 2) for c in (50, 1)]
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under 60 s in all)")
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default="auto",
        help="uvicorn's event loop for both servers (auto: uvloop when installed, as `serve`)",
    )
    args = parser.parse_args()
    seconds, rounds = (2.0, 1) if args.quick else (5.0, 2)
    loop = args.loop
    bodies = {
        "20 KB": body_of_size(20_000)[0],
        "50 resources": hook_body(50),
        "200 KB": body_of_size(200_000)[0],
    }
    client = "wrk" if shutil.which("wrk") else "asyncio/httpx"
    print(
        f"load client: {client}; {seconds:.0f} s per run, {rounds} round(s), interleaved; "
        f"uvicorn loop {loop}"
    )
    for name, body in bodies.items():
        print(f"body {name}: {len(body)} bytes")
    results: dict[Step, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths: dict[str, Path] = {}
        for name, body in bodies.items():
            paths[name] = Path(tmp) / f"body-{len(paths)}.json"
            paths[name].write_bytes(body)
        env = {
            "DYSTONIA_CDS_INSECURE_DEV": "1",
            "DYSTONIA_CDS_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
            "DYSTONIA_CDS_MAX_BODY_BYTES": "1000000",
        }
        steps = plan(args.quick)
        for workers in sorted({s.workers for s in steps}):
            with (
                server("cdshooks_load:make_app", workers, env, factory=True, loop=loop) as cds,
                server("cdshooks_load:bare_app", workers, env, factory=True, loop=loop) as bare,
            ):
                for step in (s for s in steps if s.workers == workers):
                    m = measure(
                        cds, bare, bodies[step.body], paths[step.body], step, seconds, rounds
                    )
                    results[step] = m
                    report(step.label(), m)
    summarise(results)
    return 0


def summarise(results: dict[Step, dict[str, float]]) -> None:
    distinct, c1, repeated = results[MAIN], results[C1], results[REPEATED]
    two = results.get(Step(2, "50 resources", 50))
    if two:
        print(
            f"2 workers vs 1 (cds, 50 resources, c=50): {two['cds_rps'] / distinct['cds_rps']:.2f}x"
        )
    print(
        f"RESULT rps_ratio={repeated['rps_ratio']:.3f} p99_ratio={repeated['p99_ratio']:.3f} "
        f"rps_ratio_distinct={distinct['rps_ratio']:.3f} "
        f"p99_ratio_distinct={distinct['p99_ratio']:.3f} "
        f"p99_c1_ms={c1['cds_p99_ms']:.2f} cds_p99_ms={distinct['cds_p99_ms']:.1f} "
        f"cds_mean_ms={distinct['cds_mean_ms']:.1f} cds_little_ms={distinct['cds_little_ms']:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
