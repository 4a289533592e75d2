"""The patient handout reads at US grade 8 at most (textstat), speaks to the parent or carer
of a child, names the clinic, and prints as a PDF with bold headings and lead words, left
aligned (no justified gaps) and the disclaimer once."""

from __future__ import annotations

import re
import zlib

import pytest
import textstat

from dystonia_cds import DISCLAIMER
from dystonia_cds.web import handout

CLINIC = handout.Clinic("Riverside Movement Clinic", "Phone 555 0100, clinic@example.org")
MAX_GRADE = 8.0


def texts(item: handout.HandoutItem) -> str:
    return " ".join(t for t in (item.what, item.expect, item.report) if t)


def build(child: bool, items=None) -> handout.Handout:
    chosen = list(handout.TEXTS.values()) if items is None else items
    return handout.build_handout(chosen, child=child, clinic=CLINIC, generated_on="2026-12-05")


@pytest.mark.parametrize("option_id", sorted(handout.TEXTS))
def test_each_option_text_reads_at_grade_8_or_below(option_id: str) -> None:
    item = handout.TEXTS[option_id]
    assert textstat.flesch_kincaid_grade(texts(item)) <= MAX_GRADE
    assert textstat.flesch_kincaid_grade(texts(handout.for_carer(item))) <= MAX_GRADE


@pytest.mark.parametrize("child", [False, True])
def test_a_whole_handout_reads_at_grade_8_or_below(child: bool) -> None:
    h = build(child)
    words = " ".join([h.title, h.general, h.clinic.line(), *(texts(i) for i in h.items)])
    assert textstat.flesch_kincaid_grade(words) <= MAX_GRADE


def test_textstat_is_the_pinned_version() -> None:
    assert textstat.__version__ == (0, 7, 8)


def test_a_childs_handout_is_addressed_to_the_parent_or_carer() -> None:
    h = build(child=True)
    assert h.title == "Your child's dystonia treatment: information for parents and carers"
    assert "with you and your child" in h.general
    for item in h.items:
        for text in (item.what, item.expect, item.report):
            # "you" is the carer only: what the patient has or does is "your child"
            assert not re.search(r"\b(if you|you had|makes you|your doctor)\b", text), text
    bont = next(i for i in h.items if i.option_id == "botulinum-toxin")
    assert "if your child has trouble swallowing" in bont.report


def test_an_adults_handout_speaks_to_the_patient() -> None:
    h = build(child=False)
    assert h.title == "Your dystonia treatment: information for you"
    assert h.items == tuple(handout.TEXTS.values())


def test_every_carer_phrase_is_used_by_some_text() -> None:
    every = " ".join(texts(i) for i in handout.TEXTS.values())
    for patient, _ in handout.CARER_PHRASES:
        assert patient in every, patient


def pdf_text(data: bytes) -> str:
    """The page content streams, inflated (fpdf2 compresses them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)
    out = []
    for raw in streams:
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


@pytest.fixture(params=[True, False], ids=["dejavu", "latin1"])
def pdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if not request.param:
        monkeypatch.setattr(handout, "DEJAVU", handout.Path("/nonexistent"))
    elif not (handout.DEJAVU / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu fonts not installed")
    items = [handout.TEXTS["botulinum-toxin"], handout.TEXTS["levodopa-trial"]]
    data = handout.handout_pdf(build(child=False, items=items))
    assert data.startswith(b"%PDF")
    return pdf_text(data)


def test_the_pdf_uses_a_bold_font_for_headings_and_lead_words(pdf: str) -> None:
    fonts = re.findall(r"/F(\d+) ([\d.]+) Tf", pdf)
    assert len({f for f, _ in fonts}) >= 2  # regular and bold
    assert any(size == "14.00" for _, size in fonts)  # the option headings


def test_the_pdf_has_no_justified_word_spacing(pdf: str) -> None:
    spacing = [float(v) for v in re.findall(r"([-\d.]+) Tw", pdf)]
    assert all(v == 0 for v in spacing)


def test_the_pdf_names_the_clinic_and_prints_the_disclaimer_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(handout, "DEJAVU", handout.Path("/nonexistent"))  # readable text
    h = build(child=False, items=[handout.TEXTS["baclofen"]])
    assert h.clinic.line() == (
        "Questions? Contact Riverside Movement Clinic. Phone 555 0100, clinic@example.org"
    )
    text = _plain_text(handout.handout_pdf(h))
    assert text.count("Riverside Movement Clinic") == 2  # at the top and at the end
    assert text.count(DISCLAIMER[:40]) == 1


def _plain_text(data: bytes) -> str:
    """Literal strings of the Latin-1 PDF's text operators (core font: readable bytes)."""
    return "".join(re.findall(r"\((.*?)(?<!\\)\) ?Tj", pdf_text(data)))
