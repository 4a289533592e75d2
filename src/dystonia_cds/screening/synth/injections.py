"""Botulinum-toxin injection histories over years, with seeded too-soon and overdue gaps.

Unit ranges stay inside the product-specific ranges of the clinical reference (§3.3, R11-R15);
units are never converted between products.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dystonia_cds.screening.synth.plans import DrugCourse, Plan, Shot, years_before

TOO_SOON_SHARE = 0.08
MAX_SHOTS = 12

# (product, weight, cervical units range, blepharospasm units range or None)
_PRODUCTS = [
    ("onabotulinumtoxinA", 50, (150, 300), (20, 60)),  # R11, R11b
    ("abobotulinumtoxinA", 20, (250, 1000), None),  # R12
    ("incobotulinumtoxinA", 25, (120, 240), (30, 70)),  # R13, R13b
    ("rimabotulinumtoxinB", 5, (2500, 5000), None),  # R14d
]

# where the last injection sits before the anchor: (weight, min days, max days)
_LAST_SHOT = {
    "recent": (45, 7, 83),
    "due": (20, 84, 112),
    "overdue": (15, 113, 365),
    "stopped": (10, 500, 1500),
    "never": (10, 0, 0),
}


def add_injection_history(rng: random.Random, plan: Plan, anchor: date, indication: str) -> None:
    state = rng.choices(list(_LAST_SHOT), weights=[w for w, _, _ in _LAST_SHOT.values()])[0]
    if state == "never":
        return
    _, low, high = _LAST_SHOT[state]
    product, units = _pick_product(rng, indication)
    start = max(plan.onset or anchor, years_before(anchor, 6))
    day = anchor - timedelta(days=rng.randint(low, high))
    days = _back_schedule(rng, day, start)
    as_procedure = rng.random() < 0.2
    for when in reversed(days):
        dose = rng.randrange(units[0], units[1] + 1, 5 if units[1] < 1000 else 250)
        plan.shots.append(Shot(when, product, dose, indication, as_procedure))
    if state == "stopped":
        outcome = rng.choice(("ineffective", "not-tolerated", "partial-response"))
        end = day + timedelta(days=90)
        plan.drugs.append(DrugCourse(product, "statement", days[-1], end, False, outcome))


def _pick_product(rng: random.Random, indication: str) -> tuple[str, tuple[int, int]]:
    eyes = indication == "blepharospasm"
    choices = [p for p in _PRODUCTS if not eyes or p[3] is not None]
    product = rng.choices(choices, weights=[p[1] for p in choices])[0]
    units = product[3] if eyes and product[3] is not None else product[2]
    return product[0], units


def _back_schedule(rng: random.Random, last: date, start: date) -> list[date]:
    """Session dates from the last one backwards, 12-16 weeks apart (sometimes too soon)."""
    days = [last]
    if rng.random() < TOO_SOON_SHARE:
        days.append(last - timedelta(days=rng.randint(49, 80)))
    while len(days) < MAX_SHOTS:
        previous = days[-1] - timedelta(days=rng.randint(84, 112))
        if previous < start:
            break
        days.append(previous)
    return days
