"""`dystonia-cds recommend FILE [--at DATE] [--format text|json]`.

Reads one patient's FHIR R4 Bundle, runs the engine and prints the result. Bad input raises
`FhirInputError`, which the CLI turns into exit status 2 and one line on stderr. Only this
edge reads the clock (`on=None` means today). Imports stay light: no web, database, Dask or
fhir.resources stacks on this path.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import orjson

from dystonia_cds.domain.errors import FhirInputError, InvalidInput
from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.exit_codes import OK
from dystonia_cds.fhir.bundle import read_bundle

MAX_BYTES = 512 * 1024 * 1024


def read_file(file: Path) -> bytes:
    """The file's bytes; a missing, unreadable or oversized file is a FhirInputError."""
    try:
        if file.is_dir():
            raise FhirInputError("is a directory, not a FHIR Bundle file", location=str(file))
        if file.stat().st_size > MAX_BYTES:
            raise FhirInputError("is larger than 512 MiB", location=str(file))
        return file.read_bytes()
    except FileNotFoundError as exc:
        raise FhirInputError("no such file", location=str(file)) from exc
    except OSError as exc:
        raise FhirInputError(f"cannot be read ({exc.strerror or exc})", location=str(file)) from exc


def evaluate(data: bytes, source: str, on: date) -> Recommendation:
    from dystonia_cds.engine import recommend
    from dystonia_cds.knowledge import load_knowledge

    record = read_bundle(data, source=source)
    return recommend(record, load_knowledge(), on=on)


def render(rec: Recommendation, fmt: str) -> bytes:
    if fmt == "json":
        from dystonia_cds.engine import recommendation_to_dict

        return orjson.dumps(recommendation_to_dict(rec)) + b"\n"
    if fmt == "text":
        from dystonia_cds.fhir.text import render_text

        return render_text(rec).encode("utf-8")
    raise InvalidInput(f"--format must be text or json, got {fmt!r}")


def run(file: Path, on: date | None, fmt: str) -> int:
    if fmt not in ("text", "json"):
        raise InvalidInput(f"--format must be text or json, got {fmt!r}")
    when = on if on is not None else date.today()
    rec = evaluate(read_file(file), str(file), when)
    sys.stdout.buffer.write(render(rec, fmt))
    sys.stdout.flush()
    return OK
