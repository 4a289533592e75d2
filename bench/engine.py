"""Benchmark: engine evaluations/s per core, Bundle -> result in process (vs orjson decode of the
same Bundle, measured side by side), and `dystonia-cds recommend` whole-process wall time.

    python bench/engine.py [--quick]

Last line: RESULT evals_per_s=... bundle_ms=... bundle_vs_orjson=... cli_wall_ms=...
(plus extract_resources_per_s=..., the FHIR stage-1 throughput screening relies on, and
cli_fast_ms=..., the same command without the typer stack)
Figures only; nothing here asserts a duration.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import orjson

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.engine import recommend
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.knowledge import load_knowledge

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
ON = date(2026, 11, 25)
CLI = Path(sys.executable).parent / "dystonia-cds"


def population(size: int, seed: int = 7) -> list[PatientRecord]:
    """A mixed synthetic population: the example patients with ages, dates and drugs varied."""
    rng = random.Random(seed)
    base = [read_bundle(p.read_bytes(), source=p.name) for p in EXAMPLES]
    out = []
    for _ in range(size):
        rec = rng.choice(base)
        birth = (rec.birth_date or date(1980, 1, 1)) + timedelta(days=rng.randint(-9000, 3000))
        meds = rec.medications if rng.random() < 0.7 else rec.medications[:1]
        out.append(replace(rec, birth_date=min(birth, ON), medications=meds))
    return out


def bench_engine(seconds: float) -> float:
    kb = load_knowledge()
    people = population(2000)
    for rec in people[:200]:
        recommend(rec, kb, on=ON)  # warm caches
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for rec in people:
            recommend(rec, kb, on=ON)
        done += len(people)
    return done / (time.perf_counter() - start)


def fifty_resource_bundle() -> bytes:
    """The refractory example padded with realistic extra resources to about 50 resources."""
    b = orjson.loads((REPO / "examples" / "refractory-generalized-dystonia.json").read_bytes())
    pid = next(
        e["resource"]["id"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    i = 0
    while len(b["entry"]) < 50:
        i += 1
        kind = i % 3
        if kind == 0:
            r = {"resourceType": "Observation", "id": f"pad-{i}", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2", "display": "Body height"}]},
                 "subject": {"reference": f"Patient/{pid}"}, "effectiveDateTime": "2026-01-01",
                 "valueQuantity": {"value": 160 + i, "unit": "cm"}}  # fmt: skip
        elif kind == 1:
            r = {"resourceType": "Encounter", "id": f"pad-{i}", "status": "finished",
                 "class": {"code": "AMB"}, "subject": {"reference": f"Patient/{pid}"}}  # fmt: skip
        else:
            r = {"resourceType": "MedicationRequest", "id": f"pad-{i}", "status": "stopped", "intent": "order",
                 "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                           "code": "313782", "display": "Acetaminophen 325 MG Oral Tablet"}]},
                 "subject": {"reference": f"Patient/{pid}"}, "authoredOn": "2025-03-01"}  # fmt: skip
        b["entry"].append(
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
        )
    return orjson.dumps(b)


def _median_ms(fn: object, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def bench_bundle(rounds: int) -> tuple[float, float]:
    data = fifty_resource_bundle()
    kb = load_knowledge()

    def whole() -> None:
        recommend(read_bundle(data, source="bench.json"), kb, on=ON)

    def decode() -> None:
        orjson.loads(data)

    whole(), decode()
    pairs = [(_median_ms(whole, 20), _median_ms(decode, 20)) for _ in range(rounds)]
    whole_ms = statistics.median(p[0] for p in pairs)
    decode_ms = statistics.median(p[1] for p in pairs)
    return whole_ms, decode_ms


# `commands.recommend.fast_main`: the same command line without the typer stack (what the
# console script costs once `cli.main` tries it first).
FAST = (
    "import sys; from dystonia_cds.commands.recommend import fast_main; "
    "sys.exit(fast_main(sys.argv[1:]))"
)


def bench_cli(rounds: int) -> tuple[float, float]:
    """Median wall ms of the console script and of the typer-free fast path, interleaved."""
    example = REPO / "examples" / "child-generalized-dystonia.json"
    args = ["recommend", str(example), "--at", "2026-11-25", "--format", "json"]
    commands = ([str(CLI), *args], [sys.executable, "-c", FAST, *args])
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for cmd, out in zip(commands, samples, strict=True):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            out.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def bench_extract(seconds: float) -> float:
    """extract_facts throughput (resources/s, one core) over real-world-shaped resources: the
    Synthea Bundles in ../shared when present, else the examples."""
    from dystonia_cds.fhir.extract import extract_facts
    from dystonia_cds.knowledge.vocabulary import load_vocabulary

    synthea = sorted((REPO.parent / "shared" / "interop" / "synthea-r4").glob("*.json"))
    resources = [
        e["resource"] for p in (synthea or EXAMPLES) for e in orjson.loads(p.read_bytes())["entry"]
    ]
    vocab = load_vocabulary()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for r in resources:
            extract_facts(r, vocab)
        done += len(resources)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="finish in well under 60 s")
    quick = parser.parse_args().quick
    evals = bench_engine(3.0 if quick else 15.0)
    print(f"engine: {evals:,.0f} evaluations/s on one core (mixed synthetic population)")
    whole_ms, decode_ms = bench_bundle(5 if quick else 25)
    ratio = whole_ms / decode_ms
    print(
        f"50-resource Bundle -> result: {whole_ms:.3f} ms median; orjson decode alone {decode_ms:.4f} ms; ratio {ratio:.1f}x"
    )
    cli_ms, fast_ms = bench_cli(5 if quick else 15)
    print(f"dystonia-cds recommend, whole process: {cli_ms:.0f} ms median wall")
    print(f"  the same without the typer stack (commands.recommend.fast_main): {fast_ms:.0f} ms")
    extract = bench_extract(2.0 if quick else 8.0)
    print(f"extract_facts: {extract:,.0f} resources/s on one core (Synthea mix)")
    print(
        f"RESULT evals_per_s={evals:.0f} bundle_ms={whole_ms:.3f} bundle_vs_orjson={ratio:.2f} "
        f"cli_wall_ms={cli_ms:.0f} extract_resources_per_s={extract:.0f} cli_fast_ms={fast_ms:.0f}"
    )


if __name__ == "__main__":
    main()
