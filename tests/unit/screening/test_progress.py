"""Progress off a terminal: plain log lines with counts and rates, never patient data."""

from __future__ import annotations

import logging

import pytest

from dystonia_cds.screening.progress import LogProgress


def test_log_progress_reports_each_phase_with_its_unit(caplog: pytest.LogCaptureFixture) -> None:
    progress = LogProgress(every=0.0)
    with caplog.at_level(logging.INFO, logger="dystonia_cds.screening.progress"):
        progress.phase("reading", 100)
        progress.advance(100, 2500)
        progress.phase("evaluating", 4)
        progress.advance(4, 300)
    text = caplog.text
    assert "reading 100%, 2500 resources" in text
    assert "evaluating 100%, 300 patients" in text
