"""Handout PDFs are rendered in worker processes, not in the server's threads.

Rendering one handout costs about 0.4 s of pure-Python CPU (fpdf2 with an embedded font). In a
thread it holds the GIL, and 40 PDFs at once starved the event loop: CDS Hooks discovery took
seconds. A small process pool (spawned lazily, `PDF_PROCESSES` workers) renders them instead;
the request's thread waits for the result without holding the GIL, so the event loop keeps
answering. If the pool cannot be used (it broke, or processes cannot be started), the PDF is
rendered in the calling thread, as before.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)
PDF_PROCESSES = max(1, min(4, (os.cpu_count() or 2) - 1))  # leave a core to the server
RENDER_TIMEOUT_S = 120.0
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded server
            _pool = ProcessPoolExecutor(max_workers=PDF_PROCESSES, mp_context=context)
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def _discard_pool() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def render_in_process(render: Callable[[Any], bytes], document: Any) -> bytes:
    """`render(document)` in a worker process (both picklable); in this thread if the pool
    is unusable. Blocking: call it from a plain `def` handler (the thread pool)."""
    try:
        return _get_pool().submit(render, document).result(timeout=RENDER_TIMEOUT_S)
    except (BrokenProcessPool, OSError) as exc:
        log.warning("PDF worker processes unavailable (%s); rendering in the thread", exc)
        _discard_pool()
        return render(document)
