"""`dystonia-cds knowledge check` prints a summary and exits 0."""

from __future__ import annotations

import pytest

from dystonia_cds.commands import knowledge as command
from dystonia_cds.knowledge import load_knowledge


def test_knowledge_check_lists_version_options_alerts_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert command.check() == 0
    out = capsys.readouterr().out
    assert f"version: {load_knowledge().version}" in out
    assert "botulinum-toxin" in out
    assert "acute-dystonic-reaction" in out
    assert "sources:" in out
    assert "unverified" in out
    assert "not a substitute for clinical judgment" in out


def test_knowledge_check_validates_the_files_in_full_not_the_cached_snapshot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dystonia_cds.knowledge import snapshot

    def refuse(*args: object) -> object:
        raise AssertionError("knowledge check must not read the snapshot")

    monkeypatch.setattr(snapshot, "load_cached", refuse)
    monkeypatch.setattr(snapshot, "read_snapshot", refuse)
    assert command.check() == 0
    assert "botulinum-toxin" in capsys.readouterr().out
