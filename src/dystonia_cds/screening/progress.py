"""Progress: a Rich bar (resources/s, ETA) on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dystonia_cds.screening.job import Progress

logger = logging.getLogger(__name__)


UNITS = {"cohort": "lines", "reading": "resources", "evaluating": "patients"}


class Silent:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, amount: int, resources: int = 0) -> None:
        pass


class LogProgress:
    """One log line per phase and at most one every `every` seconds (no patient data)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every, self.name, self.total, self.done, self.resources = every, "", 0, 0, 0
        self.started = self.last = time.monotonic()

    def phase(self, name: str, total: int) -> None:
        self.name, self.total, self.done, self.resources = name, total, 0, 0
        self.started = time.monotonic()
        logger.info("screening: %s", name)

    def advance(self, amount: int, resources: int = 0) -> None:
        self.done += amount
        self.resources += resources
        now = time.monotonic()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            rate = self.resources / max(now - self.started, 1e-9)
            share = self.done / self.total if self.total else 1.0
            unit = UNITS.get(self.name, "items")
            logger.info(
                "screening: %s %.0f%%, %d %s (%.0f/s)",
                self.name,
                share * 100,
                self.resources,
                unit,
                rate,
            )


class RichProgress:
    def __init__(self, bar: Any) -> None:
        self.bar, self.task, self.total, self.unit = bar, None, 0, "items"
        self.resources, self.started = 0, time.monotonic()

    def phase(self, name: str, total: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=self.total)
        self.total, self.unit = total, UNITS.get(name, "items")
        self.resources, self.started = 0, time.monotonic()
        self.task = self.bar.add_task(name, total=total, rate="")

    def advance(self, amount: int, resources: int = 0) -> None:
        self.resources += resources
        rate = self.resources / max(time.monotonic() - self.started, 1e-9)
        text = f"{self.resources:,} {self.unit}, {rate:,.0f}/s"
        self.bar.update(self.task, advance=amount, rate=text)


@contextmanager
def progress_for_terminal(enabled: bool = True) -> Iterator[Progress]:
    """Rich when stderr is a terminal, log lines otherwise."""
    if not enabled:
        yield Silent()
        return
    if not sys.stderr.isatty():
        _log_to_stderr()
        yield LogProgress()
        return
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Bar(*columns, transient=False) as bar:
        yield RichProgress(bar)


def _log_to_stderr() -> None:
    """Plain progress lines on stderr when nothing else configured logging."""
    if logging.getLogger().handlers or logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
