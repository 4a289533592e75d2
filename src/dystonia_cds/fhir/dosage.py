"""Daily dose in mg from a FHIR Dosage (MedicationRequest.dosageInstruction[0],
MedicationStatement.dosage[0]): `doseAndRate[0].doseQuantity` in mg, g or micrograms times the
`timing.repeat` frequency per period (h, d, wk). Anything else (a range, no timing, other
units, "as needed") leaves the daily dose unknown rather than guessed."""

from __future__ import annotations

from typing import Any

from dystonia_cds.fhir import access as a

_TO_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001, "microgram": 0.001}
_PER_DAY = {"h": 24.0, "d": 1.0, "wk": 1 / 7}


def daily_dose_mg(r: dict[str, Any], dosage: dict[str, Any], field: str) -> float | None:
    dose = _dose_mg(r, dosage, field)
    per_day = _times_per_day(r, dosage, field)
    if dose is None or per_day is None:
        return None
    return round(dose * per_day, 3)


def _dose_mg(r: dict[str, Any], dosage: dict[str, Any], field: str) -> float | None:
    if dosage.get("doseAndRate") is None:
        return None
    rates = list(a.dicts(r, dosage, "doseAndRate", f"{field}.doseAndRate"))
    if not rates:
        return None
    loc = f"{field}.doseAndRate[0].doseQuantity"
    qty = a.get_dict(r, rates[0], "doseQuantity", loc)
    value = a.get_number(r, qty, "value", f"{loc}.value")
    unit = a.get_str(r, qty, "code", f"{loc}.code") or a.get_str(r, qty, "unit", f"{loc}.unit")
    factor = _TO_MG.get((unit or "").strip().lower())
    if value is None or factor is None:
        return None
    if value < 0:
        raise a.fail(r, f"{loc}.value", "a dose cannot be negative")
    return value * factor


def _times_per_day(r: dict[str, Any], dosage: dict[str, Any], field: str) -> float | None:
    if dosage.get("asNeededBoolean") is True or dosage.get("timing") is None:
        return None
    timing = a.get_dict(r, dosage, "timing", f"{field}.timing")
    if timing.get("repeat") is None:
        return None
    repeat = a.get_dict(r, timing, "repeat", f"{field}.timing.repeat")
    if not repeat:
        return None
    loc = f"{field}.timing.repeat"
    frequency = a.get_number(r, repeat, "frequency", f"{loc}.frequency") or 1.0
    period = a.get_number(r, repeat, "period", f"{loc}.period")
    unit = a.get_str(r, repeat, "periodUnit", f"{loc}.periodUnit")
    per = _PER_DAY.get(unit or "")
    if period is None or per is None:
        return None
    if period <= 0 or frequency <= 0:
        raise a.fail(r, f"{loc}.period", "frequency and period must be positive")
    return frequency * per / period
