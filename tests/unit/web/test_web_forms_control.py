"""Web form text with invisible control characters is refused naming the field; tabs and
line breaks are kept."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from dystonia_cds.web.forms import FormReader


@pytest.mark.parametrize("text", ["Anna\x1b[31m", "bell\x07", "del\x7f", "form\x0cfeed"])
def test_a_control_character_in_text_is_refused_naming_the_field(text: str) -> None:
    reader = FormReader(FormData([("display_name", text)]))
    assert reader.text("display_name") is None
    assert "control character" in reader.errors["display_name"]


def test_tabs_and_line_breaks_in_text_are_kept() -> None:
    reader = FormReader(FormData([("note", "line one\r\nline\ttwo")]))
    assert reader.text("note") == "line one\r\nline\ttwo"
    assert reader.errors == {}
