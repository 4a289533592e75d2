"""Early pruning: find the cohort from the raw bytes of Condition lines, then decode only the
cohort's resources.

In a health system's export well under 1 % of patients have dystonia, and the engine raises no
screening alert and no measure counts a patient without active dystonia (docs/measures.md). So:

1. **Cohort.** Every line of the Condition files (and of files whose name gives no type) is
   searched, as bytes and in lower case, for the needles of the vocabulary's dystonia forms
   (`cohort_needles`: the ICD-10-CM categories of their codes, e.g. `g24`, their SNOMED CT
   codes, and the longest word of each of their names, plus `dyston`), and for anything bytes
   cannot judge (a `\\u` escape, a non-ASCII byte). Only lines with a hit are decoded; their
   subject's patient id (the mapping's own `cached_reference_key`) joins the cohort. The
   search is conservative: a line the mapping reads as a dystonia form always has a hit; a hit
   that is no dystonia only costs a decode.
2. **Map.** Patient lines are always read (every patient counts in the totals, and the deceased
   are known). A line of any other type whose one subject reference (`"subject"`, or
   `"patient"` for AllergyIntolerance) is found in the bytes and names a patient outside the
   cohort is not decoded. A block (about 1 MiB) with no cohort patient is dropped whole after
   one regular-expression pass; a line with no, several or an escaped reference is decoded.

Everyone outside the cohort therefore keeps only their Patient fact: a row with no dystonia, no
alert and no denominator, which is what decoding everything gives them (tested both ways on a
realistic export and on mutated input, tests/e2e/screening/test_pruning.py). Lines that are
not decoded are not checked either: a malformed line of a patient outside the cohort is not
reported in errors.ndjson (counted as not decoded instead).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import orjson

from dystonia_cds.fhir.access import cached_reference_key
from dystonia_cds.knowledge.vocabulary import ICD10CM, VocabularyEntry, validate_file
from dystonia_cds.screening.lines import DamagedGzip, read_blocks
from dystonia_cds.screening.partitions import Partition

COHORT_TYPES = frozenset({"Condition", None})  # files searched for the cohort
ALWAYS_READ = frozenset({"Patient", None})  # files whose every line is decoded
FORM = "form"
STEM = b"dyston"
GENERIC = frozenset({"disease", "syndrome", "disorder", "crisis", "cramp", "acute", "chronic"})
_UNSURE = re.compile(rb"[\x80-\xff]|\\u")
# Every "subject" key, with the reference it starts ('' when it starts none the pattern reads).
# The search starts at `ject"` ('j' is rare in JSON: sre skips faster than from the quote) and
# looks back for the whole key.
_SUBJECT = re.compile(rb'ject"(?<="subject")(?:\s*:\s*\{\s*"reference"\s*:\s*"([^"\\]*)")?')
_PATIENT = re.compile(rb'tient"(?<="patient")(?:\s*:\s*\{\s*"reference"\s*:\s*"([^"\\]*)")?')


def reference_pattern(resource_type: str | None) -> re.Pattern[bytes]:
    return _PATIENT if resource_type == "AllergyIntolerance" else _SUBJECT


@dataclass(frozen=True, slots=True)
class CohortRules:
    """`needles`: lower-case byte strings, one of which every dystonia-form Condition line
    holds; `codes` and `names` check a decoded candidate (all its words, any code needle)."""

    needles: tuple[bytes, ...]
    codes: tuple[str, ...]
    names: tuple[tuple[str, ...], ...]

    def could_be_dystonia(self, resource: dict[str, Any]) -> bool:
        """Does any text of the resource hold a form code's needle, `dyston` or every word of
        a form's name? (The mapping needs at least that to read a dystonia form.)"""
        text = "\n".join(_strings(resource)).lower()
        if STEM.decode() in text:
            return True
        dotless = text.replace(".", "")
        if any(code in dotless for code in self.codes):
            return True
        return any(all(word in text for word in name) for name in self.names)


@cache
def cohort_rules() -> CohortRules:
    codes: set[bytes] = set()
    names: set[tuple[str, ...]] = set()
    for concept in _form_concepts():
        codes.update(_code_needle(system, code) for code, system in concept.codes)
        names.update(tuple(_words(name)) for name in concept.names)
    codes.discard(b"")
    names.discard(())
    needles = {STEM, *codes, *(_name_needle(n) for n in names if not _stemmed(n))}
    return CohortRules(
        _minimal(needles), tuple(sorted(c.decode() for c in codes)), tuple(sorted(names))
    )


def cohort_needles() -> tuple[bytes, ...]:
    return cohort_rules().needles


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _minimal(needles: set[bytes]) -> tuple[bytes, ...]:
    """Drop a needle that contains another (the shorter one already finds its lines)."""
    kept = [n for n in needles if not any(o != n and o in n for o in needles)]
    return tuple(sorted(kept))


def _stemmed(words: tuple[str, ...]) -> bool:
    """A name with a word holding `dyston` is found by that needle already."""
    return any(STEM.decode() in word for word in words)


def _name_needle(words: tuple[str, ...]) -> bytes:
    """One word every text naming the concept holds: the longest that is not a generic word
    (any word of the name would do; a specific one makes fewer false hits)."""
    specific = [w for w in words if w not in GENERIC] or list(words)
    return max(specific, key=len).encode()


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", name.lower())


def _code_needle(system: str, code: str) -> bytes:
    """An ICD-10-CM code's category (`G24.3` -> `g24`: covers every sub-code and the dotless
    spelling); any other code as written."""
    if system == ICD10CM:
        return code.replace(".", "").strip()[:3].lower().encode()
    return code.strip().lower().encode()


@dataclass(frozen=True, slots=True)
class _Concept:
    names: tuple[str, ...]
    codes: tuple[tuple[str, str], ...]  # (code, system URI)


def _form_concepts() -> list[_Concept]:
    """The dystonia forms of the vocabulary files the mapping loads (names and codes)."""
    from dystonia_cds.knowledge.vocabulary import FILES, SYSTEM_URIS

    concepts = []
    for name in FILES:
        ref = resources.files("dystonia_cds.knowledge") / "data" / "vocabulary" / f"{name}.toml"
        model = validate_file(name, tomllib.loads(ref.read_text(encoding="utf-8")))
        for c in model.concept:
            if c.kind == FORM:
                codes = tuple((x.code, SYSTEM_URIS[x.system]) for x in c.codes)
                concepts.append(_Concept(c.names, codes))
    return concepts


def vocabulary_codes(entries: Iterable[VocabularyEntry]) -> set[bytes]:
    """The needles of the loaded vocabulary's form codes (to test that files and loader agree)."""
    return {_code_needle(e.system, e.code) for e in entries if e.kind == FORM} - {b""}


@dataclass(slots=True)
class CohortScan:
    """What the cohort search of one partition found."""

    patients: set[str] = field(default_factory=set)
    lines: int = 0
    decoded: int = 0


def scan_cohort(part: Partition, rules: CohortRules | None = None) -> CohortScan:
    """The patient ids of the partition's lines that may be a dystonia Condition."""
    rules = cohort_rules() if rules is None else rules
    scan = CohortScan()
    try:
        for block in read_blocks(part):
            scan.lines += block.count(b"\n") + (not block.endswith(b"\n"))
            for line in candidate_lines(block, rules.needles):
                scan.decoded += 1
                patient = _cohort_patient(line, rules)
                if patient:
                    scan.patients.add(patient)
    except (DamagedGzip, OSError):
        pass  # the map phase reads the file again and reports it
    return scan


def candidate_lines(block: bytes, needles: tuple[bytes, ...]) -> list[bytes]:
    """The lines of a block holding a needle (in lower case) or bytes a search cannot judge."""
    low = block.lower()  # ASCII only: byte offsets stay those of `block`
    starts: set[int] = set()
    for needle in needles:
        at = low.find(needle)
        while at >= 0:
            starts.add(low.rfind(b"\n", 0, at) + 1)
            at = low.find(needle, at + len(needle))
    if not block.isascii() or b"\\u" in block:
        starts.update(low.rfind(b"\n", 0, m.start()) + 1 for m in _UNSURE.finditer(block))
    return [_line_at(block, start) for start in sorted(starts)]


def _line_at(block: bytes, start: int) -> bytes:
    end = block.find(b"\n", start)
    return block[start:] if end < 0 else block[start:end]


def _cohort_patient(line: bytes, rules: CohortRules) -> str | None:
    """The patient id of a candidate line that could be a dystonia Condition."""
    try:
        resource = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(resource, dict) or not rules.could_be_dystonia(resource):
        return None
    return subject_of(resource)


def subject_of(resource: dict[str, Any]) -> str | None:
    """The patient id of a resource's subject (or AllergyIntolerance patient) reference."""
    subject: Any = resource.get("subject", resource.get("patient"))
    reference = subject.get("reference") if isinstance(subject, dict) else None
    return cached_reference_key(reference) if isinstance(reference, str) and reference else None
