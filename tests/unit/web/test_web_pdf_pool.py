"""Handout PDFs rendered in a worker process come back whole; an unusable pool falls back to
rendering in the calling thread."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

import pytest

from dystonia_cds.web import pdf_pool
from dystonia_cds.web.handout import handout_pdf


def test_a_handout_rendered_in_a_worker_process_is_a_pdf() -> None:
    data = pdf_pool.render_in_process(handout_pdf, "Your dystonia treatment")
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")


def test_a_broken_pool_renders_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(pdf_pool, "_get_pool", broken)
    assert pdf_pool.render_in_process(handout_pdf, "Your dystonia treatment").startswith(b"%PDF")
