"""The malloc tuning of screening processes: accepted by glibc, done once, harmless elsewhere."""

from __future__ import annotations

import platform

from dystonia_cds.screening.allocator import tune_allocator


def test_glibc_accepts_the_thresholds_and_a_second_call_changes_nothing() -> None:
    first = tune_allocator()
    assert tune_allocator() is first
    assert first == (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
