"""A self-contained HTML report (inline SVG plots, no scripts, no network): opens offline."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape
from typing import Any

from dystonia_cds import DISCLAIMER
from dystonia_cds.screening.grouping import ROW_COLUMNS, Row
from dystonia_cds.screening.measures import MEASURES

AGE_BANDS = ((0, 17, "0-17"), (18, 39, "18-39"), (40, 64, "40-64"), (65, None, "65+"))
_TITLES = {m.id: m.title for m in MEASURES}
_KINDS = {m.id: "care gap" if m.care_gap else "safety or quality concern" for m in MEASURES}
_FLAGS = len(ROW_COLUMNS)  # the first (eligible, gap) column of a row
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}"
    "th:first-child,td:first-child{text-align:left}.note{background:#fff7e0;padding:.6rem;border:1px solid #e0c060}"
)


def render_report(
    summary: dict[str, Any],
    rows: list[Row],
    measure_ids: tuple[str, ...],
    on: date,
    details: dict[str, Any] | None = None,
) -> str:
    measures = summary["measures"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>dystonia-cds screening {on.isoformat()}</title><style>{_STYLE}</style></head><body>",
        "<h1>Population screening: dystonia care</h1>",
        f"<p class='note'>{escape(DISCLAIMER)} Figures are decision support for quality review; "
        "this report holds no names, only counts. Safe to share for synthetic data; treat "
        "real-data reports as confidential.</p>",
        f"<p>Evaluated at {on.isoformat()}: {summary['patients']:,} patients, "
        f"{summary['errors']:,} input errors (see errors.ndjson). Knowledge base version "
        f"{escape(_knowledge_version())}.</p>",
        _population(details or {}),
        "<h2>Rates per measure</h2>",
        "<p>A <em>care gap</em> is care the patient should have had and has not; a <em>safety "
        "or quality concern</em> is care given that deserves a second look. Each numerator is "
        "a list of records to review, not a verdict.</p>",
        _rate_chart(measures),
        _measure_table(measures),
        "<h2>Age distribution of patients counted in a numerator</h2>",
        _age_chart(rows, measure_ids),
        _age_table(rows, measure_ids),
        "<p>Measure definitions: docs/measures.md.</p></body></html>",
    ]
    return "\n".join(parts)


def _population(details: dict[str, Any]) -> str:
    """Who was screened: the patients with active dystonia, the deceased left out, and the
    resource types of the export that screening does not read."""
    skipped = details.get("skipped_types", {})
    text = (
        f"<p>Screened population: {details.get('active_dystonia', 0):,} living patients with "
        f"active dystonia; {details.get('deceased', 0):,} deceased patients are left out of "
        "every denominator; everyone else has no active dystonia on record and is counted in "
        "no measure.</p>"
    )
    if skipped:
        names = ", ".join(f"{escape(str(t))} ({n} files)" for t, n in skipped.items())
        text += f"<p>Resource types in the export that screening does not read: {names}.</p>"
    return text


def _measure_table(measures: dict[str, dict[str, Any]]) -> str:
    head = (
        "<table><tr><th>measure</th><th>kind</th><th>numerator</th><th>denominator</th>"
        "<th>rate</th></tr>"
    )
    body = "".join(
        f"<tr><td>{escape(_TITLES.get(m, m))} <code>{escape(m)}</code></td>"
        f"<td>{escape(_KINDS.get(m, ''))}</td><td>{v['numerator']}</td>"
        f"<td>{v['denominator']}</td><td>{v['rate']:.1%}</td></tr>"
        for m, v in measures.items()
    )
    return head + body + "</table>"


def _bars(items: list[tuple[str, float, str]], scale: float, width: int = 640) -> str:
    """Horizontal bars: (label, value, text shown at the bar's end)."""
    height, label_w = 26, 220
    total_h = height * len(items) + 10
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{total_h}' role='img'>"
    ]
    for i, (label, value, text) in enumerate(items):
        y = 5 + i * height
        bar = 0 if scale <= 0 else (width - label_w - 170) * value / scale
        out.append(f"<text x='0' y='{y + 16}' font-size='12'>{escape(label)}</text>")
        out.append(
            f"<rect x='{label_w}' y='{y + 4}' width='{bar:.1f}' height='16' fill='#3a6ea5'/>"
        )
        out.append(
            f"<text x='{label_w + bar + 6:.1f}' y='{y + 16}' font-size='12'>{escape(text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _rate_chart(measures: dict[str, dict[str, Any]]) -> str:
    items = [
        (m, v["rate"], f"{v['rate']:.1%} ({v['numerator']}/{v['denominator']})")
        for m, v in measures.items()
    ]
    return _bars(items, 1.0)


def _knowledge_version() -> str:
    from dystonia_cds.knowledge import load_knowledge

    return load_knowledge().version


def _band(age: int) -> str:
    """The band of an age (rows carry no negative age: a birth after the date is unknown)."""
    return next(n for low, high, n in AGE_BANDS if low <= age and (high is None or age <= high))


def _age_table(rows: list[Row], measure_ids: tuple[str, ...]) -> str:
    """Patients with each gap per age band (unknown age counted apart)."""
    names = [name for _, _, name in AGE_BANDS] + ["unknown"]
    head = "<table><tr><th>measure</th>" + "".join(f"<th>{n}</th>" for n in names) + "</tr>"
    body = []
    for i, measure in enumerate(measure_ids):
        column = _FLAGS + 2 * i + 1
        counts = Counter(_band(r[1]) if r[1] is not None else "unknown" for r in rows if r[column])
        cells = "".join(f"<td>{counts[n]}</td>" for n in names)
        body.append(f"<tr><td><code>{escape(measure)}</code></td>{cells}</tr>")
    return head + "".join(body) + "</table>"


def _age_chart(rows: list[Row], measure_ids: tuple[str, ...]) -> str:
    gap_columns = [_FLAGS + 2 * i + 1 for i in range(len(measure_ids))]
    counts: Counter[str] = Counter()
    for row in rows:
        if row[1] is not None and any(row[c] for c in gap_columns):
            counts[_band(row[1])] += 1
    items = [(name, float(counts[name]), str(counts[name])) for _, _, name in AGE_BANDS]
    return _bars(items, float(max(counts.values(), default=0)))
