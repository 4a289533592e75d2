"""Every ICD-10-CM code of the knowledge data against the official CMS/NCHS tabular (April 1,
2026, as shipped in simple-icd-10-cm 1.5.0, reference §9 R82), and the code hierarchy: a code
marked `prefix` stands for itself and every descendant in the tabular.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import cache
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dystonia_cds.knowledge.vocabulary import ICD10CM, VocabularyEntry, load_vocabulary


@cache
def tabular() -> ModuleType:
    with warnings.catch_warnings():  # the package reads its data with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

        simple_icd_10_cm.get_description("G24.9")  # load the tabular now, warnings silenced
    return simple_icd_10_cm


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _icd_entries() -> list[VocabularyEntry]:
    return [e for e in load_vocabulary().entries() if e.system == ICD10CM]


def _descendants(code: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return list(tabular().get_descendants(code))


def _prefixed() -> Iterator[tuple[VocabularyEntry, str]]:
    for e in _icd_entries():
        if e.prefix:
            for d in _descendants(e.code):
                yield e, d


@pytest.mark.parametrize("entry", _icd_entries(), ids=lambda e: e.code)
def test_every_icd10cm_code_is_in_the_tabular_with_its_title(entry: VocabularyEntry) -> None:
    icd = tabular()
    assert icd.is_valid_item(entry.code), f"{entry.code} is not in the April 2026 tabular"
    assert _norm(icd.get_description(entry.code)) == _norm(entry.display), entry.code


def test_a_prefix_code_has_descendants_to_cover() -> None:
    leaves = [e.code for e in _icd_entries() if e.prefix and not _descendants(e.code)]
    assert not leaves, f"marked prefix but a leaf in the tabular: {leaves}"


def _owner(code: str) -> str | None:
    """The concept of the most specific vocabulary entry at or above `code` in the tabular."""
    entries = {e.code: e.concept for e in _icd_entries()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        chain = [code, *tabular().get_ancestors(code)]
    for c in chain:
        if c in entries:
            return entries[c]
    return None


DESCENDANTS = sorted({d for _, d in _prefixed()})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DESCENDANTS))
def test_any_descendant_of_a_concept_range_is_recognised_as_that_concept(code: str) -> None:
    hit = load_vocabulary().lookup(ICD10CM, code)
    assert hit is not None, code
    assert hit.concept == _owner(code), (code, hit.concept)


def test_every_descendant_of_every_range_is_recognised() -> None:
    vocab = load_vocabulary()
    missing = [d for _, d in _prefixed() if vocab.lookup(ICD10CM, d) is None]
    assert not missing, missing[:20]


@pytest.mark.parametrize("entry", [e for e in _icd_entries() if e.prefix], ids=lambda e: e.code)
def test_a_range_code_itself_stands_for_its_concept(entry: VocabularyEntry) -> None:
    # a Condition coded with the category itself (e.g. F32, F33.4) was missed before
    hit = load_vocabulary().lookup(ICD10CM, entry.code)
    assert hit is not None
    assert hit.concept == entry.concept
