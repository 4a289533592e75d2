"""Pause the cyclic garbage collector while a task accumulates many acyclic objects.

Facts are gc-free msgspec structs and records hold no reference cycles, so the collector's
passes over a growing heap are pure overhead (PERFORMANCE.md: grouping by patient runs at
about half speed with the default thresholds). Reference counting still frees everything.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_gc() -> Iterator[None]:
    """The collector off inside the block (restored afterwards, as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
