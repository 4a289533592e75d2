"""The card link's patient lookup: one database query per patient at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from dystonia_cds.cdshooks.service import PatientDirectory


class CountingDirectory(PatientDirectory):
    """A directory whose lookup is slow and counted (no database)."""

    __slots__ = ("calls", "exists", "lock")

    def __init__(self, exists: bool) -> None:
        super().__init__(sessions=None, base_url="https://cds.example.org")  # type: ignore[arg-type]
        self.calls = 0
        self.exists = exists
        self.lock = threading.Lock()

    def _exists(self, patient_id: str) -> bool:
        with self.lock:
            self.calls += 1
        time.sleep(0.05)
        return self.exists


async def _many(directory: PatientDirectory, count: int) -> list[Any]:
    return await asyncio.gather(*(directory.url_for("p-1") for _ in range(count)))


def test_concurrent_calls_for_one_patient_share_one_lookup() -> None:
    directory = CountingDirectory(exists=True)
    urls = asyncio.run(_many(directory, 30))
    assert directory.calls == 1
    assert urls == ["https://cds.example.org/patients/p-1"] * 30


def test_an_unknown_patient_is_looked_up_again_after_its_entry_expires() -> None:
    directory = CountingDirectory(exists=False)
    directory.unknown_ttl_s = 0.0
    assert asyncio.run(_many(directory, 10)) == [None] * 10
    assert asyncio.run(_many(directory, 10)) == [None] * 10
    assert directory.calls == 2


def test_a_cancelled_lookup_gives_the_waiting_calls_no_link() -> None:
    async def scenario() -> list[Any]:
        directory = CountingDirectory(exists=True)
        first = asyncio.create_task(directory.url_for("p-1"))
        await asyncio.sleep(0.01)
        waiters = [asyncio.create_task(directory.url_for("p-1")) for _ in range(3)]
        await asyncio.sleep(0.01)
        first.cancel()
        return await asyncio.gather(*waiters)

    assert asyncio.run(scenario()) == [None, None, None]
