"""Patient handout: only the positive options, plain text, a real PDF (Unicode or Latin-1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Option, Provenance, Recommendation, Strength
from dystonia_cds.web import handout

PROV = Provenance(rule="r", facts=(), knowledge_version="t")


def rec(*options: tuple[str, Strength]) -> Recommendation:
    opts = tuple(
        Option(oid, i + 1, strength, oid.title(), (), (), (), PROV)
        for i, (oid, strength) in enumerate(options)
    )
    return Recommendation(PatientRecord("p"), date(2026, 1, 1), 40, opts, (), (), "t")


def test_only_positive_options_are_explained_best_first() -> None:
    items = handout.handout_items(
        rec(
            ("botulinum-toxin", Strength.FIRST_LINE),
            ("deep-brain-stimulation", Strength.CONSIDER),
            ("tetrabenazine", Strength.CONTRAINDICATED),
        )
    )
    assert [i.option_id for i in items] == ["botulinum-toxin", "deep-brain-stimulation"]
    assert "every 12 to 16 weeks" in items[0].expect
    assert "6 months" in items[1].expect


def test_every_text_names_its_sources() -> None:
    for item in handout.TEXTS.values():
        assert item.sources, item.option_id


def test_an_option_without_a_text_still_appears_by_title() -> None:
    items = handout.handout_items(rec(("new-option", Strength.RECOMMENDED)))
    assert items[0].heading == "New-Option"


@pytest.mark.parametrize("unicode_font", [True, False])
def test_pdf_is_produced_with_or_without_dejavu(
    monkeypatch: pytest.MonkeyPatch, unicode_font: bool
) -> None:
    if not unicode_font:
        monkeypatch.setattr(handout, "DEJAVU", Path("/nonexistent"))
    elif not (handout.DEJAVU / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu fonts not installed")
    items = list(handout.TEXTS.values())
    data = handout.handout_pdf("Your treatment – information", items, "2026-11-26")
    assert data.startswith(b"%PDF")
    assert len(data) > 1000
