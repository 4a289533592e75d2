"""Reading submitted forms: every value is parsed and checked here, errors are collected per
field (shown next to it) and what the user typed is kept for the re-rendered form."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from starlette.datastructures import FormData

from dystonia_cds.domain.nul import NUL

# C0 control characters and DEL, except tab, line feed and carriage return
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_TEXT = 2000


@dataclass(slots=True)
class FormReader:
    """Wraps a submitted form; `errors` maps field name -> message."""

    form: FormData
    errors: dict[str, str] = field(default_factory=dict)

    def raw(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def values(self) -> dict[str, object]:
        """What the user typed (lists for repeated names), to refill the form."""
        out: dict[str, object] = {}
        for key in self.form:
            items = [v for v in self.form.getlist(key) if isinstance(v, str)]
            out[key] = items if len(items) > 1 else (items[0] if items else "")
        return out

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, required: bool = False, max_len: int = MAX_TEXT) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Please fill this in.")
            return None
        if len(value) > max_len:
            self.fail(name, f"Use at most {max_len} characters.")
            return None
        if NUL in value:
            self.fail(name, "Remove the invisible NUL character (it cannot be stored).")
            return None
        if CONTROL.search(value):
            self.fail(name, "Remove the invisible control character (pasted with the text?).")
            return None
        return value

    def day(
        self, name: str, *, required: bool = False, not_after: date | None = None
    ) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Please enter a date.")
            return None
        try:
            parsed = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            self.fail(name, "Enter a date as YYYY-MM-DD.")
            return None
        if not_after is not None and parsed > not_after:
            self.fail(name, f"The date cannot be after {not_after.isoformat()}.")
            return None
        return parsed

    def number(
        self, name: str, *, low: float, high: float, required: bool = False, whole: bool = False
    ) -> float | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Please enter a number.")
            return None
        try:
            parsed = float(value)
        except ValueError:
            self.fail(name, "Enter a number.")
            return None
        if not math.isfinite(parsed) or not low <= parsed <= high:
            self.fail(name, f"Enter a number from {_fmt(low)} to {_fmt(high)}.")
            return None
        if whole and parsed != int(parsed):
            self.fail(name, "Enter a whole number.")
            return None
        return parsed

    def choice(self, name: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Please choose one.")
            return None
        if value not in set(allowed):
            self.fail(name, "Choose one of the listed values.")
            return None
        return value

    def choices(self, name: str, allowed: Iterable[str]) -> tuple[str, ...]:
        known = set(allowed)
        picked = [v for v in self.form.getlist(name) if isinstance(v, str)]
        unknown = [v for v in picked if v not in known]
        if unknown:
            self.fail(name, "Choose only listed values.")
            return ()
        return tuple(dict.fromkeys(picked))

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("on", "true", "1", "yes")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
