"""Cards issued per service and topic reach the Prometheus counters (issue 12, item 18)."""

from __future__ import annotations

import asyncio
from unittest.mock import MagicMock

from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.ops.metrics import CARDS_ISSUED


def _value(service: str, topic: str) -> float:
    return float(CARDS_ISSUED.labels(service=service, topic=topic)._value.get())


def test_issued_cards_are_counted_per_service_and_topic() -> None:
    before = _value("dystonia-treatment-options", "botulinum-toxin")
    issued = CardLog(MagicMock())

    async def issue() -> None:
        issued.count(
            "dystonia-treatment-options",
            [("botulinum-toxin", "info"), ("botulinum-toxin", "warning")],
        )

    asyncio.run(issue())
    assert _value("dystonia-treatment-options", "botulinum-toxin") == before + 2
