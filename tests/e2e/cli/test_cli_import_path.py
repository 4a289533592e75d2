"""The `recommend` path stays light: no web, database, Dask or fhir.resources imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HEAVY = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "dask",
    "distributed",
    "uvicorn",
    "httpx",
    "jinja2",
    "pyarrow",
}

PROBE = """
import atexit, sys
def report():
    sys.stderr.write("MODULES " + " ".join(sorted({m.split('.')[0] for m in sys.modules})) + "\\n")
    sys.stderr.write("FHIR_RESOURCES " + str(any(m.startswith('fhir.resources') for m in sys.modules)) + "\\n")
atexit.register(report)
sys.argv = ["dystonia-cds", "recommend", sys.argv[1], "--format", "json", "--at", "2026-11-25"]
from dystonia_cds.cli import main
main()
"""


def test_recommend_imports_none_of_the_heavy_stacks() -> None:
    example = REPO / "examples" / "child-generalized-dystonia.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(example)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(
        line.split(" ", 1)
        for line in done.stderr.splitlines()
        if line.startswith(("MODULES", "FHIR_RESOURCES"))
    )
    assert not HEAVY & set(lines["MODULES"].split())
    assert lines["FHIR_RESOURCES"] == "False"
