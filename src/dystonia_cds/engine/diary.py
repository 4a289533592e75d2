"""What the patient's diary between toxin visits tells the engine (issue 13):

- trouble swallowing or breathing reported after the last injection: `diary-urgent-side-effect`
  (the toxin's boxed warning: distant spread, hours to weeks after an injection; R15, R11);
- benefit lost before week 10 in two consecutive cycles: `diary-wearing-off`, a dose or muscle
  review - never a shorter interval (a project heuristic; thresholds.toml says so).

Pure: the record and the evaluation date in, features and quoted values out.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dystonia_cds.domain.patient import URGENT_SIDE_EFFECTS, DiaryEntry, Injection

if TYPE_CHECKING:
    from dystonia_cds.engine.context import Context
    from dystonia_cds.knowledge.base import Limits


def add_diary(ctx: Context, limits: Limits) -> None:
    entries = [e for e in ctx.record.diary if e.date <= ctx.on]
    done = sorted((i for i in ctx.record.injections if i.date <= ctx.on), key=_day)
    if not entries or not done:
        return
    _urgent(ctx, entries, done[-1])
    _wearing_off(ctx, entries, done, limits)


def _day(i: Injection) -> date:
    return i.date


def _urgent(ctx: Context, entries: list[DiaryEntry], last: Injection) -> None:
    reported = [e for e in entries if e.date >= last.date and e.side_effects & URGENT_SIDE_EFFECTS]
    if not reported:
        return
    first = min(reported, key=lambda e: e.date)
    ctx.features.add("diary-urgent-side-effect")
    ctx.values["diary_date"] = first.date.isoformat()
    ctx.values["diary_weeks"] = f"{(first.date - last.date).days / 7:.0f}"
    ctx.values["last_injection"] = last.date.isoformat()


def lost_at_days(
    entries: list[DiaryEntry], start: date, end: date | None, lost_percent: float
) -> int | None:
    """Days after the injection when a cycle's benefit was lost: the first check-in after the
    best one reporting `lost_percent` or less; None if it never was (or no benefit reported)."""
    cycle = sorted(
        (e for e in entries if e.benefit_percent is not None and start < e.date)
        if end is None
        else (e for e in entries if e.benefit_percent is not None and start < e.date < end),
        key=lambda e: e.date,
    )
    if not cycle:
        return None
    best = max(range(len(cycle)), key=lambda n: (cycle[n].benefit_percent or 0, -n))
    for e in cycle[best + 1 :]:
        if (e.benefit_percent or 0) <= lost_percent:
            return (e.date - start).days
    return None


def _wearing_off(
    ctx: Context, entries: list[DiaryEntry], done: list[Injection], limits: Limits
) -> None:
    cycles = [
        lost_at_days(
            entries,
            inj.date,
            done[n + 1].date if n + 1 < len(done) else None,
            limits.diary_benefit_lost_percent,
        )
        for n, inj in enumerate(done)
    ]
    early = [d is not None and d < limits.diary_wearing_off_before_days for d in cycles]
    for n in range(len(early) - 1, 0, -1):  # the latest two consecutive early cycles
        if early[n] and early[n - 1]:
            ctx.features.add("diary-wearing-off")
            weeks = [f"{(d or 0) / 7:.0f}" for d in (cycles[n - 1], cycles[n])]
            ctx.values["wear_off_weeks"] = " and ".join(weeks)
            return
