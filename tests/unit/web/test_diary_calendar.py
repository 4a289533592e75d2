"""The diary's reminder calendar parses back (icalendar): a weekly check-in and, after an
injection, the next injection window 12 to 16 weeks later; stable ids without the patient id."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar

from dystonia_cds.web.diary_calendar import escape, reminders_ics

TODAY = date(2026, 3, 10)
LAST = date(2026, 2, 2)


def _events(text: str) -> dict[str, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(text)
    return {str(e["SUMMARY"]).split(" (")[0]: e for e in calendar.walk("VEVENT")}


def test_the_weekly_check_in_repeats_every_week_from_today() -> None:
    event = _events(reminders_ics("p1", None, TODAY))["Weekly dystonia check-in"]
    assert event.decoded("DTSTART") == TODAY
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert [a["ACTION"] for a in event.walk("VALARM")] == ["DISPLAY"]


def test_the_next_injection_window_spans_weeks_12_to_16_after_the_last_injection() -> None:
    event = _events(reminders_ics("p1", LAST, TODAY))["Next injection window"]
    assert event.decoded("DTSTART") == LAST + timedelta(weeks=12)
    assert event.decoded("DTEND") == LAST + timedelta(weeks=16, days=1)  # exclusive end
    assert "2026-02-02" in str(event["SUMMARY"])
    assert "not a substitute" in str(event["DESCRIPTION"])


def test_without_an_injection_there_is_no_window() -> None:
    assert list(_events(reminders_ics("p1", None, TODAY))) == ["Weekly dystonia check-in"]


def test_a_window_that_is_over_is_left_out_and_its_last_day_is_kept() -> None:
    last_day = LAST + timedelta(weeks=16)
    assert "Next injection window" in _events(reminders_ics("p1", LAST, last_day))
    after = last_day + timedelta(days=1)
    assert "Next injection window" not in _events(reminders_ics("p1", LAST, after))


def test_uids_are_stable_per_patient_and_do_not_show_the_patient_id() -> None:
    first = reminders_ics("patient-42", LAST, TODAY)
    again = reminders_ics("patient-42", LAST, TODAY + timedelta(days=3))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")]
    assert "patient-42" not in first
    other = reminders_ics("patient-43", LAST, TODAY)
    assert not set(uids) & {
        str(e["UID"]) for e in icalendar.Calendar.from_ical(other).walk("VEVENT")
    }


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    text = reminders_ics("p1", LAST, TODAY, check_in_url="https://clinic.example/my/check-in")
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "\n" not in text.replace("\r\n", "")


def test_the_check_in_link_is_given_when_known() -> None:
    text = reminders_ics("p1", None, TODAY, check_in_url="https://clinic.example/my/check-in")
    event = _events(text)["Weekly dystonia check-in"]
    assert str(event["URL"]) == "https://clinic.example/my/check-in"


def test_text_values_escape_commas_semicolons_and_line_breaks() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
