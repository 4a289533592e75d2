"""`dystonia-cds recommend FILE [--at DATE] [--format text|json]`.

Reads one patient's FHIR R4 Bundle, runs the engine and prints the result. Bad input raises
`FhirInputError`, which the CLI turns into exit status 2 and one line on stderr. Only this
edge reads the clock (`on=None` means today). Imports stay light: no web, database, Dask or
fhir.resources stacks on this path.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import orjson

from dystonia_cds import exit_codes
from dystonia_cds.domain.errors import (
    DystoniaCdsError,
    FhirInputError,
    InvalidInput,
)
from dystonia_cds.domain.recommendation import Recommendation
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

        return with_dose_section(render_text(rec), rec).encode("utf-8")
    raise InvalidInput(f"--format must be text or json, got {fmt!r}")


def dose_section(rec: Recommendation) -> list[str]:
    """'WEIGHT-BASED DOSES': each mg/kg statement of a child's positive options computed
    for the recorded weight (or why it is not), source keys beside each."""
    from textwrap import wrap

    from dystonia_cds.knowledge import load_knowledge

    kb = load_knowledge()
    if rec.age_years is not None and rec.age_years >= kb.threshold("child_age_below"):
        return []  # adults: fixed mg doses only (and the care package stays unloaded)
    from dystonia_cds.care.weight_doses import doses_by_option

    found = doses_by_option(rec, kb)
    if not found:
        return []
    lines = ["", "WEIGHT-BASED DOSES (check against the patient before use)"]
    for doses in found.values():
        for dose in doses:
            lines += wrap(dose.line(), 96, initial_indent="  - ", subsequent_indent="    ")
    return lines


def with_dose_section(text: str, rec: Recommendation) -> str:
    """`text` with the dose section placed before its closing 'Knowledge version' line."""
    section = dose_section(rec)
    at = text.rfind("\nKnowledge version")
    if not section or at < 0:
        return text
    head = text[:at].rstrip("\n")
    return head + "\n" + "\n".join(section) + "\n" + text[at:]


def run(file: Path, on: date | None, fmt: str) -> int:
    if fmt not in ("text", "json"):
        raise InvalidInput(f"--format must be text or json, got {fmt!r}")
    when = on if on is not None else date.today()
    rec = evaluate(read_file(file), str(file), when)
    sys.stdout.buffer.write(render(rec, fmt))
    sys.stdout.flush()
    return exit_codes.OK


# --- `dystonia-cds recommend` without the typer stack -------------------------------------

_OPTIONS = ("--at", "--format")


def parse_fast(argv: Sequence[str]) -> tuple[Path, str | None, str] | None:
    """(FILE, --at, --format) from `recommend FILE [--at DATE] [--format F]` (also `--opt=v`),
    or None for anything else (help, other commands, unknown or repeated options)."""
    if not argv or argv[0] != "recommend":
        return None
    given: dict[str, str] = {}
    files: list[str] = []
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        name, eq, value = word.partition("=")
        if name in _OPTIONS and name not in given and (eq or rest):
            given[name] = value if eq else rest.pop(0)
        elif word.startswith("-") or files:
            return None
        else:
            files.append(word)
    if len(files) != 1:
        return None
    return Path(files[0]), given.get("--at"), given.get("--format", "text")


def fast_main(argv: Sequence[str]) -> int | None:
    """Run a plain `recommend` command line without importing typer (start-up time); None when
    `argv` is anything else, for the caller to hand to the full command line. Same output,
    messages and exit codes as the typer command (`dystonia-cds: error: ...` on stderr)."""
    parsed = parse_fast(argv)
    if parsed is None:
        return None
    file, at, fmt = parsed
    try:
        if fmt not in ("text", "json"):
            raise InvalidInput(f"--format must be text or json, got {fmt!r}")
        return run(file, _date(at), fmt)
    except DystoniaCdsError as exc:
        return _fail(str(exc), exit_codes.exit_code_for(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", exit_codes.UNEXPECTED)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"--at must be a date as YYYY-MM-DD, got {value!r}") from None


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"dystonia-cds: error: {message.replace(chr(10), ' ')}\n")
    return code
