"""The value every care check returns: `{id, severity, message}` plus its sources."""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.domain.recommendation import Severity

_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Check:
    """One finding about an injection visit; ids reuse the contract's alert ids."""

    id: str
    severity: Severity
    message: str
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        """`{"id", "severity", "message"}` as the REST API returns it."""
        return {"id": self.id, "severity": self.severity.value, "message": self.message}


def ordered(checks: list[Check]) -> tuple[Check, ...]:
    """Most severe first, then by id: a deterministic order."""
    return tuple(sorted(checks, key=lambda c: (_ORDER[c.severity], c.id)))
