"""The map phase: one partition -> facts packed per hash bucket, plus counts and errors.

Each resource is decoded (orjson), checked (JSON object, known type, a subject), turned into
compact facts by the FHIR mapping's `extract_facts` (the same function the CLI uses), and the
facts are routed to bucket `zlib.crc32(patient id) % buckets` (stable across processes, unlike
`hash()`). Buckets leave as msgpack bytes, so nothing but bytes crosses a process boundary.
Facts that belong to no patient (Medication definitions) go to the shared list, sent to every
bucket. Lines of the hot types (Medication* uses, Procedure) first try `decode.typed_facts`:
msgspec Structs naming only the fields the mapping reads, the same facts (tested).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import msgspec
import orjson

from dystonia_cds.domain.errors import DystoniaCdsError
from dystonia_cds.fhir.access import cached_reference_key
from dystonia_cds.knowledge.vocabulary import Vocabulary
from dystonia_cds.screening.allocator import tune_allocator
from dystonia_cds.screening.deceased import from_resource
from dystonia_cds.screening.decode import PREFIXES, Reader
from dystonia_cds.screening.gcpause import quiet_gc
from dystonia_cds.screening.lines import DamagedGzip, plain_windows, read_blocks
from dystonia_cds.screening.partitions import OTHER_TYPES, READ_TYPES, Partition
from dystonia_cds.screening.prune import ALWAYS_READ, reference_pattern

Extract = Callable[[dict[str, Any]], list[Any]]


@dataclass(frozen=True, slots=True)
class LineError:
    """A line that could not be used; `line` counts from `base` (resolved to a file line later)."""

    path: str
    base: int
    line: int
    reason: str


@dataclass(slots=True)
class MapResult:
    """What one partition contributes."""

    buckets: list[bytes]
    shared: bytes
    resources: int = 0
    skipped: int = 0
    lines: int = 0
    size: int = 0
    errors: list[LineError] = field(default_factory=list)
    pruned: int = 0  # bytes of lines of patients outside the cohort, not decoded


@cache
def _vocabulary() -> Vocabulary:
    from dystonia_cds.knowledge.vocabulary import load_vocabulary

    return load_vocabulary()


@cache
def _reader() -> Reader:
    return Reader(_vocabulary())


@cache
def default_extract() -> Extract:
    """`extract_facts` bound to the vocabulary, loaded once per process."""
    from dystonia_cds.fhir.extract import extract_facts
    from dystonia_cds.knowledge.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    return lambda resource: extract_facts(resource, vocab)


def map_partition(
    part: Partition,
    buckets: int,
    extract: Extract | None = None,
    cohort: frozenset[str] | None = None,
) -> MapResult:
    """Decode, check and extract every line of a partition; facts packed per bucket. With a
    `cohort`, lines of other patients are not decoded (`prune.py`; Patient lines always are)."""
    tune_allocator()
    typed = _reader() if extract is None else None  # a given extract: the generic way only
    run = _Run(part, buckets, extract or default_extract(), typed)
    prune = cohort is not None and part.resource_type not in ALWAYS_READ
    pruner = _Pruner(run, cohort or frozenset()) if prune else None
    with quiet_gc():
        try:
            if pruner is not None and not part.compressed:
                for window, end in plain_windows(part):  # read in place, not split in lines
                    pruner.block(window, end)
            else:
                for block in read_blocks(part):
                    if pruner is None:
                        run.block(block)
                    else:
                        pruner.block(block, len(block))
        except DamagedGzip as exc:
            run.fail(run.result.lines + 1, str(exc))
        except OSError as exc:
            run.fail(run.result.lines + 1, f"cannot read file ({exc.strerror or exc})")
        return run.finish()


class _Run:
    def __init__(
        self, part: Partition, buckets: int, extract: Extract, reader: Reader | None
    ) -> None:
        self.part, self.count, self.extract, self.reader = part, buckets, extract, reader
        self.lists: list[list[Any]] = [[] for _ in range(buckets)]
        self.shared: list[Any] = []
        self.where: dict[str, list[Any]] = {}  # patient id -> the list of its bucket
        self.result = MapResult([], b"", size=part.size)

    def fail(self, line: int, reason: str) -> None:
        self.result.errors.append(LineError(self.part.path, self.part.start, line, reason))

    def block(self, block: bytes) -> None:
        """Hot types take the typed reader; anything it declines goes the generic way."""
        result, route = self.result, self.route
        typed = self.reader.facts if self.reader is not None else None
        first, taken = result.lines + 1, 0
        lines = block.splitlines()
        for n, line in enumerate(lines, first):
            if not line or line.isspace():
                continue
            if typed is not None and line.startswith(PREFIXES):
                facts = typed(line)
                if facts is not None:
                    taken += 1
                    if facts:
                        route(facts)
                    continue
            result.lines = n  # the generic way's errors name this line
            self.generic(line)
        result.lines = first - 1 + len(lines)
        result.resources += taken

    def generic(self, line: bytes) -> None:
        try:
            resource = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            self.fail(self.result.lines, f"malformed JSON ({exc})")
            return
        reason = _check(resource)
        if reason is not None:
            self.skip(reason)
            return
        try:
            facts = self.extract(resource)
        except DystoniaCdsError as exc:
            self.fail(self.result.lines, str(exc))
            return
        if resource.get("resourceType") == "Patient" and (marker := from_resource(resource)):
            facts = [*facts, marker]
        self.took(facts)

    def took(self, facts: list[Any]) -> None:
        self.result.resources += 1
        if facts:
            self.route(facts)

    def skip(self, reason: str) -> None:
        if reason:
            self.fail(self.result.lines, reason)
        else:
            self.result.skipped += 1

    def route(self, facts: list[Any]) -> None:
        patient = facts[0].patient_id
        if patient and (len(facts) == 1 or all(f.patient_id == patient for f in facts)):
            found = self.where.get(patient)
            (found if found is not None else self.bucket(patient)).extend(facts)
            return
        for fact in facts:
            if fact.patient_id:
                found = self.where.get(fact.patient_id)
                (found if found is not None else self.bucket(fact.patient_id)).append(fact)
            else:
                self.shared.append(fact)

    def bucket(self, patient: str) -> list[Any]:
        """The list of the patient's bucket, `zlib.crc32(patient id) % buckets` (kept per id)."""
        found = self.where[patient] = self.lists[zlib.crc32(patient.encode()) % self.count]
        return found

    def finish(self) -> MapResult:
        encode = msgspec.msgpack.encode
        self.result.buckets = [encode(facts) for facts in self.lists]
        self.result.shared = encode(self.shared)
        return self.result


class _Pruner:
    """Hands a block's lines of cohort patients to the run; counts the others as pruned.

    A block is judged from its references when it holds as many plain, non-empty `"subject"`
    references (`"patient"` for AllergyIntolerance) as lines and no key of the other name: each
    line then names its patient in bytes the pattern read (docs/scaling.md "Pruning").
    Otherwise the block is read line by line (`lines`)."""

    def __init__(self, run: _Run, cohort: frozenset[str]) -> None:
        self.run, self.cohort = run, cohort
        kind = run.part.resource_type
        self.pattern = reference_pattern(kind)
        self.other = b'"subject"' if kind == "AllergyIntolerance" else b'"patient"'
        self.typed = b'"resourceType":"%s"' % (kind or "").encode()
        self.keys: dict[bytes, str] = {}

    def key(self, reference: bytes) -> str:
        found = self.keys.get(reference)
        if found is None:
            if len(self.keys) >= 1 << 16:
                self.keys.clear()
            found = self.keys[reference] = cached_reference_key(reference.decode()) or ""
        return found

    def block(self, block: bytes | bytearray, end: int) -> None:
        """`block[:end]`: a gzip file's block or a window of a plain partition. Judged whole
        when there are as many references as lines (a line without one is decoded: it is
        malformed or has no subject); else line by line."""
        lines = block.count(b"\n", 0, end) + (block[end - 1] != 10)
        references = self.pattern.findall(block, 0, end)
        if len(references) != lines or b"" in references or block.find(self.other, 0, end) >= 0:
            self.lines(bytes(block[:end]))
            return
        present = [r for r in set(references) if self.key(r) in self.cohort]
        if not present:  # the common case: nobody of the cohort here
            self.run.result.pruned += end
            self.run.result.lines += lines
            return
        self.picked(block, end, present)

    def picked(self, block: bytes | bytearray, end: int, present: list[bytes]) -> None:
        """Decode every line that mentions a cohort patient's reference (as a JSON string),
        numbered as in the file."""
        starts: set[int] = set()
        for reference in present:
            quoted = b'"' + reference + b'"'
            at = block.find(quoted, 0, end)
            while at >= 0:
                starts.add(block.rfind(b"\n", 0, at) + 1)
                at = block.find(quoted, at + len(quoted), end)
        result, base, before, index, taken = self.run.result, self.run.result.lines, 0, 0, 0
        for start in sorted(starts):
            index += block.count(b"\n", before, start)
            before = start
            stop = block.find(b"\n", start, end)
            line = bytes(block[start : end if stop < 0 else stop + 1])
            taken += len(line)
            result.lines = base + index
            self.run.block(line)
        rest = block.count(b"\n", before, end) + (block[end - 1] != 10)
        result.lines = base + index + rest
        result.pruned += end - taken

    def lines(self, block: bytes) -> None:
        """Line by line: a line of the file's type whose every subject key starts a reference
        to someone outside the cohort is pruned; any other line is decoded (and reported when
        it cannot be read: malformed, no subject, another type)."""
        result, findall = self.run.result, self.pattern.findall
        for line in block.splitlines():
            found = findall(line)
            if (
                found
                and b"" not in found
                and self.typed in line
                and self.other not in line
                and all(self.key(r) not in self.cohort for r in found)
            ):
                result.lines += 1
                result.pruned += len(line) + 1
            else:
                self.run.block(line + b"\n")


DEFINITIONS = frozenset({"Questionnaire"})


def _check(resource: Any) -> str | None:
    """None if the resource is to be read, '' if it is to be skipped, else the error reason."""
    if not isinstance(resource, dict):
        return "not a JSON object"
    kind = resource.get("resourceType")
    if kind is not None and not isinstance(kind, str):
        return f"resourceType must be a string, got {type(kind).__name__}"
    if kind not in READ_TYPES:
        if kind in OTHER_TYPES:
            return ""
        return f"unknown resource type {kind!r}" if kind else "no resourceType"
    if kind in DEFINITIONS:
        return ""  # a definition (the diary's Questionnaire) belongs to no patient
    if kind in ("Patient", "Medication"):
        return None if isinstance(resource.get("id"), str) else f"{kind} without an id"
    subject = resource.get("subject", resource.get("patient"))  # AllergyIntolerance: patient
    if not isinstance(subject, dict) or not isinstance(subject.get("reference"), str):
        return f"{kind} without a subject reference"
    return None
