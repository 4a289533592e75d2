"""Web app page benchmark: a patient with 10 years of history (injection visits every ~13
weeks with 4 muscles each, a TWSTRS assessment 4 weeks after each visit, drug trials) and two
years of weekly diary check-ins, served by a real uvicorn server on 127.0.0.1 (own temporary
SQLite file).

Measures, side by side in the same run: the median time of the patient page and of the
sign-in page (a page with no database or engine work) as seen by a keep-alive client on
loopback, and the bytes each page loads (HTML plus its CSS/JS); the same for the patient's own
home page (`/my`, signed in through an invitation). Synthetic data only.

    python bench/web_pages.py [--quick]
Last line: RESULT patient_page_ms=... largest_page_assets_kb=... sign_in_page_ms=...
ratio_vs_sign_in=... patient_home_ms=... largest_my_page_kb=...
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn

from dystonia_cds.app import create_app, create_context
from dystonia_cds.config import Settings
from dystonia_cds.domain.patient import TreatmentTrial, TrialOutcome
from dystonia_cds.store.care_values import (
    AssessmentData,
    DiagnosisData,
    InjectionVisitData,
    MuscleDose,
    PhenotypeData,
)
from dystonia_cds.store.diary import DiaryEntryData, DiaryRepository
from dystonia_cds.store.patient_accounts import invite
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web.accounts import create_user

USER = ("bench", "bench-password-1")
PATIENT_USER = ("bench-patient", "bench-patient-password-1")
DIARY_WEEKS = 104  # two years of weekly check-ins
TWSTRS_ITEMS = 17


def seed(settings: Settings) -> tuple[str, str]:
    """The patient's id and a one-time invitation token for the patient's own account."""
    ctx = create_context(settings)
    today = date.today()
    start = today - timedelta(days=3650)
    with ctx.sessions.begin() as session:
        create_user(session, USER[0], "clinician", USER[1])
        repo = CareRepository(session)
        pid = repo.add_patient(
            birth_date=date(1968, 3, 4), sex="female", display_name="Bench Patient"
        )
        repo.replace_phenotype(
            pid,
            PhenotypeData(
                diagnoses=(
                    DiagnosisData(form="cervical-dystonia", regions=("neck",), onset_age_years=45),
                ),
                distribution="focal",
                course="static",
                association="isolated",
                etiology="idiopathic",
            ),
        )
        for i, drug in enumerate(("trihexyphenidyl", "clonazepam", "baclofen")):
            began = start + timedelta(days=200 * i)
            repo.add_trial(
                pid,
                TreatmentTrial(
                    drug,
                    began,
                    began + timedelta(days=150),
                    False,
                    TrialOutcome.INEFFECTIVE,
                    6.0 + i,
                ),
            )
        seed_visits(repo, pid, start, today)
        seed_diary(DiaryRepository(session), pid, today)
        token = invite(session, pid, "bench").token
    ctx.sessions.kw["bind"].dispose()
    return pid, token


def seed_diary(diary: DiaryRepository, pid: str, today: date) -> None:
    for week in range(DIARY_WEEKS, 0, -1):
        day = today - timedelta(weeks=week)
        since = (DIARY_WEEKS - week) % 13  # weeks since the ~13-weekly injection
        effects = ("dry-mouth",) if since == 2 else ()
        diary.add(
            pid,
            DiaryEntryData(day, 3 + since // 3, max(0, 90 - since * 6), effects, "synthetic"),
        )


def seed_visits(repo: CareRepository, pid: str, start: date, today: date) -> None:
    from dystonia_cds.care import score_assessment
    from dystonia_cds.care.scales import scale_definition

    keys = [item.key for item in scale_definition("twstrs").items]
    day, n = start, 0
    while day < today - timedelta(days=91):
        muscles = (
            MuscleDose("sternocleidomastoid", "left", 40),
            MuscleDose("splenius-capitis", "right", 60),
            MuscleDose("trapezius", "right", 40),
            MuscleDose("levator-scapulae", "right", 30),
        )
        repo.add_injection_visit(
            pid, InjectionVisitData(day, "onabotulinumtoxinA", "cervical-dystonia", muscles=muscles)
        )
        items = {k: (n + j) % 2 for j, k in enumerate(keys)}
        score = score_assessment("twstrs", items)
        repo.add_assessment(
            pid,
            AssessmentData(
                day + timedelta(days=28), "twstrs", score.items, score.total, score.as_dict()
            ),
        )
        day += timedelta(days=91)
        n += 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def sign_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    response = client.post(
        "/login", data={"username": USER[0], "password": USER[1], "csrf_token": token.group(1)}
    )
    assert response.status_code == 200, response.status_code


def join(client: httpx.Client, token: str) -> None:
    """Accept the invitation: the patient chooses a password and lands on /my."""
    name, password = PATIENT_USER
    response = client.post(
        f"/invitation/{token}",
        data={"username": name, "password": password, "password_confirm": password},
    )
    assert response.status_code == 200, response.status_code
    assert str(response.url).endswith("/my"), response.url


def timed(client: httpx.Client, path: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


def page_bytes(client: httpx.Client, path: str) -> int:
    html = client.get(path).text
    assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)
    return len(html.encode()) + sum(len(client.get(a).content) for a in assets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    runs = 30 if parser.parse_args().quick else 200
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'bench.sqlite'}", environment="test"
        )
        pid, token = seed(settings)
        server, thread, url = serve(settings)
        try:
            with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as client:
                sign_in(client)
                paths = [
                    "/login",
                    "/patients",
                    f"/patients/{pid}",
                    f"/patients/{pid}/edit",
                    f"/patients/{pid}/injections/new",
                    f"/patients/{pid}/assessments/new?scale=bfmdrs",
                    f"/patients/{pid}/trials/new",
                    f"/patients/{pid}/handout",
                ]
                sizes = {p: page_bytes(client, p) for p in paths}
                timed(client, f"/patients/{pid}", 5)  # warm-up
                patient_ms, login_ms = [], []
                for _ in range(3):  # interleaved rounds: noise hits both alike
                    patient_ms.append(timed(client, f"/patients/{pid}", runs // 3))
                    login_ms.append(timed(client, "/login", runs // 3))
            with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as patient_client:
                join(patient_client, token)
                my_paths = ["/my", "/my/treatment", "/my/side-effects", "/my/check-in"]
                my_sizes = {p: page_bytes(patient_client, p) for p in my_paths}
                timed(patient_client, "/my", 5)  # warm-up
                home_ms = [timed(patient_client, "/my", runs // 3) for _ in range(3)]
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    patient, login = statistics.median(patient_ms), statistics.median(login_ms)
    largest = max(sizes, key=lambda p: sizes[p])
    for path, size in sizes.items():
        print(f"{path:60s} {size / 1024:8.1f} KB")
    print(f"patient page (10 years of visits) median {patient:.1f} ms; sign-in page {login:.1f} ms")
    print(f"largest page: {largest} {sizes[largest] / 1024:.1f} KB")
    home, largest_my = statistics.median(home_ms), max(my_sizes, key=lambda p: my_sizes[p])
    for path, size in my_sizes.items():
        print(f"{path:60s} {size / 1024:8.1f} KB")
    print(f"patient home page /my ({DIARY_WEEKS} weekly check-ins) median {home:.1f} ms")
    print(
        f"RESULT patient_page_ms={patient:.1f} largest_page_assets_kb={sizes[largest] / 1024:.1f} "
        f"sign_in_page_ms={login:.1f} ratio_vs_sign_in={patient / login:.2f} "
        f"patient_home_ms={home:.1f} largest_my_page_kb={my_sizes[largest_my] / 1024:.1f}"
    )


if __name__ == "__main__":
    main()
