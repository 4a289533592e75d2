"""Code lists: standard codes and names -> the knowledge base's ids.

The data lives in `knowledge/data/vocabulary/*.toml`. Every code records its expected display,
its source and how it was verified (`primary`, `secondary`, `unverified`). Input matching is
codes first, names as a fallback; an `unverified` code counts only when the coding's display or
the concept's text also names the concept. Only verified codes are ever emitted
(`Vocabulary.emit_code`), so CDS Hooks suggestions and FHIR export never carry a guessed code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dystonia_cds.domain import patient as patient_ids
from dystonia_cds.domain.errors import KnowledgeError
from dystonia_cds.domain.patient import BodyRegion, DystoniaForm

SystemName = Literal["icd10cm", "snomed", "rxnorm", "loinc"]
Kind = Literal[
    "form",
    "condition",
    "region",
    "ingredient",
    "botulinum-toxin",
    "procedure",
    "observation",
    "answer",
    "gene",
]
Verified = Literal["primary", "secondary", "unverified"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SYSTEM_URIS: dict[str, str] = {
    "icd10cm": ICD10CM,
    "snomed": SNOMED,
    "rxnorm": RXNORM,
    "loinc": LOINC,
}
FILES = ("conditions", "body_sites", "drugs", "procedures", "observations")

COMORBIDITY_IDS = frozenset(patient_ids.COMORBIDITY_IDS)
PROCEDURE_IDS = frozenset(
    {"deep-brain-stimulation", "intrathecal-baclofen", "rehabilitation-therapy", "botulinum-toxin"}
)
_ALLOWED_IDS: dict[str, frozenset[str]] = {
    "form": frozenset(f.value for f in DystoniaForm),
    "region": frozenset(r.value for r in BodyRegion),
    "condition": COMORBIDITY_IDS,
    "procedure": PROCEDURE_IDS,
}
_EMIT_ORDER: dict[str, int] = {"primary": 0, "secondary": 1}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CodeModel(_Strict):
    system: SystemName
    code: str = Field(min_length=1)
    display: str = Field(min_length=1)
    source: str = Field(min_length=1)
    verified: Verified
    prefix: bool = False
    emit: bool = True  # false: recognised on input, never emitted (e.g. narrower than the concept)
    # a generic code (G24.09, G24.8, G24.9): forms its text may refine it to (reference §7.1)
    refine: tuple[str, ...] = ()


class ConceptModel(_Strict):
    id: str = Field(min_length=1)
    kind: Kind
    names: tuple[str, ...] = ()
    codes: tuple[CodeModel, ...] = ()
    trial: bool = False
    fallback: bool = False


class VocabularyFile(_Strict):
    version: str = Field(min_length=1)
    changes: tuple[str, ...] = Field(min_length=1)
    concept: tuple[ConceptModel, ...]


@dataclass(frozen=True, slots=True)
class Coding:
    """A standard coding, safe to emit (system URI, code, display)."""

    system: str
    code: str
    display: str


@dataclass(frozen=True, slots=True)
class CodeHit:
    """What a code means: the concept (kind, id) and how well the code is verified."""

    kind: str
    concept: str
    verified: str
    refine: tuple[str, ...] = ()  # more specific concepts the text may name instead


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    """One encoded code, for the code-vs-display test table and for documentation."""

    kind: str
    concept: str
    system: str
    code: str
    display: str
    source: str
    verified: str
    prefix: bool


def icd_key(code: str) -> str:
    """ICD-10-CM codes compare without the dot and case-insensitively ("g2402" == "G24.02")."""
    return code.replace(".", "").strip().upper()


def _code_key(system: str, code: str) -> tuple[str, str]:
    return (system, icd_key(code) if system == ICD10CM else code.strip())


_WORD = re.compile(r"[a-z0-9]+")
_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Whole-word, case-insensitive name matching for one kind of concept.

    A name can only match where its first word occurs, so texts sharing no word with any name
    skip the regular expression; results are memoised (clinical texts repeat a lot)."""

    pattern: re.Pattern[str] | None
    by_name: dict[str, str]
    fallback: frozenset[str]
    first_words: frozenset[str]
    memo: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def find(self, text: str) -> tuple[str, ...]:
        found = self.memo.get(text)
        if found is None:
            found = self._find(text)
            if len(self.memo) >= _CACHE_SIZE:
                self.memo.clear()
            self.memo[text] = found
        return found

    def _find(self, text: str) -> tuple[str, ...]:
        if self.pattern is None or not text:
            return ()
        low = text.lower()
        if self.first_words.isdisjoint(_WORD.findall(low)):
            return ()
        found: list[str] = []
        for match in self.pattern.finditer(low):
            concept = self.by_name[match.group(1)]
            if concept not in found:
                found.append(concept)
        specific = [c for c in found if c not in self.fallback]
        return tuple(specific) if specific else tuple(found)


def _name_index(concepts: list[ConceptModel]) -> _NameIndex:
    by_name = {name.lower(): c.id for c in concepts for name in c.names}
    if not by_name:
        return _NameIndex(None, {}, frozenset(), frozenset())
    alternatives = "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
    pattern = re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])")
    first = frozenset(_WORD.findall(name)[0] for name in by_name)
    return _NameIndex(pattern, by_name, frozenset(c.id for c in concepts if c.fallback), first)


def _hint(concepts: list[ConceptModel]) -> re.Pattern[str] | None:
    names = {v for c in concepts for n in c.names for v in (n, n.lower(), n.upper())}
    if not names:
        return None
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


class Vocabulary:
    """The loaded code lists with fast lookups. Immutable after construction; picklable."""

    __slots__ = ("_by_code", "_concepts", "_emit", "_hints", "_names", "_prefixes", "version")

    def __init__(self, version: str, concepts: tuple[ConceptModel, ...]) -> None:
        self.version = version
        self._concepts = {(c.kind, c.id): c for c in concepts}
        self._by_code: dict[tuple[str, str], CodeHit] = {}
        self._prefixes: dict[str, CodeHit] = {}
        for c in concepts:
            for code in c.codes:
                self._index_code(c, code)
        kinds = {c.kind for c in concepts}
        self._hints: dict[str, re.Pattern[str] | None] = {
            k: _hint([c for c in concepts if c.kind == k]) for k in kinds
        }
        self._names: dict[str, _NameIndex] = {
            k: _name_index([c for c in concepts if c.kind == k]) for k in kinds
        }
        self._emit = {c.id: self._best_code(c) for c in concepts if self._best_code(c)}

    def _index_code(self, concept: ConceptModel, code: CodeModel) -> None:
        hit = CodeHit(concept.kind, concept.id, code.verified, code.refine)
        system = SYSTEM_URIS[code.system]
        if code.prefix:
            self._prefixes[icd_key(code.code)] = hit
        else:
            self._by_code[_code_key(system, code.code)] = hit

    @staticmethod
    def _best_code(concept: ConceptModel) -> Coding | None:
        safe = [c for c in concept.codes if c.verified in _EMIT_ORDER and c.emit and not c.prefix]
        if not safe:
            return None
        best = min(safe, key=lambda c: _EMIT_ORDER[c.verified])
        return Coding(SYSTEM_URIS[best.system], best.code, best.display)

    def lookup(self, system: str, code: str) -> CodeHit | None:
        """The concept a (system URI, code) pair stands for, or None."""
        hit = self._by_code.get(_code_key(system, code))
        if hit is not None or system != ICD10CM or not self._prefixes:
            return hit
        key = icd_key(code)
        for end in range(len(key), 2, -1):  # the code itself, then its ancestors
            hit = self._prefixes.get(key[:end])
            if hit is not None:
                return hit
        return None

    def match_names(self, kind: str, text: str) -> tuple[str, ...]:
        """Concept ids of one kind named in free text (whole words, case-insensitive)."""
        index = self._names.get(kind)
        return index.find(text) if index is not None else ()

    def may_name(self, kind: str, text: str) -> bool:
        """A cheap pre-check: does `text` contain a name of this kind as written, in lower or in
        upper case (e.g. gene symbols)? Mixed-case spellings are not seen by this check."""
        hint = self._hints.get(kind)
        return hint is not None and bool(text) and hint.search(text) is not None

    def names_concept(self, kind: str, concept: str, text: str) -> bool:
        return concept in self.match_names(kind, text)

    def is_trial(self, ingredient: str) -> bool:
        concept = self._concepts.get(("ingredient", ingredient))
        return concept is not None and concept.trial

    def concept_ids(self, kind: str) -> frozenset[str]:
        return frozenset(cid for k, cid in self._concepts if k == kind)

    def emit_code(self, concept_id: str) -> Coding | None:
        """A verified (primary, else secondary) standard code for a concept; None if none is safe."""
        return self._emit.get(concept_id)

    def entries(self) -> tuple[VocabularyEntry, ...]:
        """Every encoded code (for the code-vs-display test table)."""
        return tuple(
            VocabularyEntry(
                c.kind,
                c.id,
                SYSTEM_URIS[x.system],
                x.code,
                x.display,
                x.source,
                x.verified,
                x.prefix,
            )
            for c in self._concepts.values()
            for x in c.codes
        )


# ---- loading -------------------------------------------------------------------------------


def _read(name: str) -> dict[str, Any]:
    ref = resources.files("dystonia_cds.knowledge") / "data" / "vocabulary" / f"{name}.toml"
    try:
        data: dict[str, Any] = tomllib.loads(ref.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"vocabulary/{name}.toml: {exc}") from exc
    return data


def _entry_label(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "concept" and isinstance(loc[1], int):
        concepts = data.get("concept", [])
        entry = concepts[loc[1]] if loc[1] < len(concepts) else {}
        return f"concept {entry.get('id', loc[1])!r}" if isinstance(entry, dict) else "concept"
    return "file"


def validate_file(name: str, data: dict[str, Any]) -> VocabularyFile:
    """Validate one vocabulary file; errors name the file, the entry and the field."""
    try:
        return VocabularyFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        where = _entry_label(data, tuple(err["loc"]))
        raise KnowledgeError(f"vocabulary/{name}.toml: {where}: {field}: {err['msg']}") from exc


def _check_concept(name: str, c: ConceptModel) -> None:
    allowed = _ALLOWED_IDS.get(c.kind)
    if allowed is not None and c.id not in allowed:
        raise KnowledgeError(f"vocabulary/{name}.toml: concept {c.id!r}: id: unknown {c.kind} id")
    if c.kind == "gene" and c.id != c.id.upper():
        raise KnowledgeError(f"vocabulary/{name}.toml: concept {c.id!r}: id: not an HGNC symbol")
    for code in c.codes:
        unknown = [r for r in code.refine if r not in _ALLOWED_IDS.get(c.kind, {r})]
        if unknown:
            raise KnowledgeError(
                f"vocabulary/{name}.toml: concept {c.id!r}: codes: refine: unknown {unknown}"
            )
        if code.prefix and code.system != "icd10cm":
            raise KnowledgeError(
                f"vocabulary/{name}.toml: concept {c.id!r}: codes: prefix only for icd10cm"
            )


def cross_check(files: dict[str, VocabularyFile]) -> None:
    """Ids valid for their kind; no concept, code or name listed twice."""
    seen_ids: set[tuple[str, str]] = set()
    seen_codes: set[tuple[str, str]] = set()
    seen_names: set[tuple[str, str]] = set()
    for name, f in files.items():
        for c in f.concept:
            _check_concept(name, c)
            _unique(seen_ids, (c.kind, c.id), f"{name}.toml: concept {c.id!r}: id")
            for code in c.codes:
                key = _code_key(SYSTEM_URIS[code.system], code.code)
                _unique(seen_codes, key, f"{name}.toml: concept {c.id!r}: code {code.code}")
            for n in c.names:
                _unique(
                    seen_names, (c.kind, n.lower()), f"{name}.toml: concept {c.id!r}: name {n!r}"
                )


def _unique(seen: set[tuple[str, str]], key: tuple[str, str], where: str) -> None:
    if key in seen:
        raise KnowledgeError(f"vocabulary/{where}: listed twice")
    seen.add(key)


def build_vocabulary(files: dict[str, VocabularyFile]) -> Vocabulary:
    cross_check(files)
    version = "+".join(sorted({f.version for f in files.values()}))
    return Vocabulary(version, tuple(c for f in files.values() for c in f.concept))


@cache
def load_vocabulary() -> Vocabulary:
    """Load and validate every vocabulary file (cached); a bad file raises KnowledgeError."""
    return build_vocabulary({name: validate_file(name, _read(name)) for name in FILES})


__all__ = [
    "ICD10CM",
    "LOINC",
    "RXNORM",
    "SNOMED",
    "CodeHit",
    "Coding",
    "Kind",
    "Verified",
    "Vocabulary",
    "VocabularyEntry",
    "load_vocabulary",
]
