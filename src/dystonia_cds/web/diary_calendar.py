"""The diary's reminders as an iCalendar file (RFC 5545), for a patient's phone calendar:
`reminders_ics(patient_id, last_injection, today)` (pure: the caller passes the dates).

- A weekly check-in: an all-day event from `today`, repeating weekly (RRULE:FREQ=WEEKLY),
  with a reminder at 09:00 that day.
- The next injection window: 12 to 16 weeks after the last injection (reference.md §3.1,
  §3.5: injections repeated every 12-16 weeks; re-injection no sooner than every 12 weeks [S]),
  as one all-day event spanning the window; left out without an injection, or once the window
  is over (the clinic plans the next visit then).
UIDs are stable per patient (a re-downloaded file updates the same events) and do not show the
patient id. Every text says that the clinic, not the calendar, decides the next injection.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

WINDOW_WEEKS = (12, 16)  # reference.md §3.1 / re-injection interval [S]
_NAMESPACE = uuid.UUID("0b7f3f7e-6a0e-4b8e-9a43-2f0d2f4c9d11")
PRODID = "-//dystonia-cds//diary reminders//EN"
CHECK_IN_TEXT = (
    "Take a minute to answer your weekly dystonia check-in in the clinic's app: how bad "
    "symptoms were, how much the last injection helps, and any side effects. If you have "
    "trouble swallowing or breathing, contact your clinic or emergency services at once."
)
WINDOW_TEXT = (
    "Injections are usually repeated every 12 to 16 weeks. Your clinic decides the date "
    "of your next injection: contact them to book it. This reminder is decision support, "
    "not a substitute for your clinician's judgment."
)


def reminders_ics(
    patient_id: str, last_injection: date | None, today: date, *, check_in_url: str | None = None
) -> str:
    """The calendar text (CRLF line endings, folded at 75 octets)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Dystonia diary"]  # fmt: skip
    lines += _check_in(patient_id, today, check_in_url)
    if last_injection is not None and injection_window(last_injection)[1] >= today:
        lines += _window(patient_id, last_injection, today)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def injection_window(last_injection: date) -> tuple[date, date]:
    """First and last day of the usual window for the next injection (12 to 16 weeks)."""
    first, last = (last_injection + timedelta(weeks=w) for w in WINDOW_WEEKS)
    return first, last


def _uid(patient_id: str, kind: str) -> str:
    return f"{uuid.uuid5(_NAMESPACE, f'{patient_id}/{kind}')}@dystonia-cds"


def _check_in(patient_id: str, today: date, url: str | None) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_uid(patient_id, 'weekly-check-in')}",
        f"DTSTAMP:{_stamp(today)}",
        f"DTSTART;VALUE=DATE:{_day(today)}",
        "RRULE:FREQ=WEEKLY",
        "SUMMARY:Weekly dystonia check-in",
        f"DESCRIPTION:{escape(CHECK_IN_TEXT + (f' {url}' if url else ''))}",
        "TRANSP:TRANSPARENT",
    ]
    if url:
        lines.append(f"URL:{url}")
    lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:PT9H",
              "DESCRIPTION:Weekly dystonia check-in", "END:VALARM", "END:VEVENT"]  # fmt: skip
    return lines


def _window(patient_id: str, last: date, today: date) -> list[str]:
    window = injection_window(last)
    return [
        "BEGIN:VEVENT",
        f"UID:{_uid(patient_id, f'injection-window-{last.isoformat()}')}",
        f"DTSTAMP:{_stamp(today)}",
        f"DTSTART;VALUE=DATE:{_day(window[0])}",
        f"DTEND;VALUE=DATE:{_day(window[1] + timedelta(days=1))}",  # DTEND is exclusive
        f"SUMMARY:{escape(f'Next injection window (last injection {last.isoformat()})')}",
        f"DESCRIPTION:{escape(WINDOW_TEXT)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _day(on: date) -> str:
    return on.strftime("%Y%m%d")


def _stamp(on: date) -> str:
    return on.strftime("%Y%m%dT000000Z")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)
