"""Form reading: per-field errors, typed values kept, ranges and choices checked."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.injection_form import parse_visit_form
from dystonia_cds.web.patients import parse_patient_form

TODAY = date(2026, 11, 26)


def reader(**fields: str | list[str]) -> FormReader:
    items: list[tuple[str, str]] = []
    for key, value in fields.items():
        items.extend((key, v) for v in (value if isinstance(value, list) else [value]))
    return FormReader(FormData(items))


def test_numbers_out_of_range_name_the_field() -> None:
    form = reader(units="0", dose="abc", score="2.5")
    assert form.number("units", low=0.01, high=10) is None
    assert form.number("dose", low=0, high=10) is None
    assert form.number("score", low=0, high=4, whole=True) is None
    assert set(form.errors) == {"units", "dose", "score"}


@given(st.text(max_size=20))
def test_number_never_raises_and_either_parses_or_names_the_field(text: str) -> None:
    form = reader(x=text)
    value = form.number("x", low=-5, high=5)
    assert (value is None) or (-5 <= value <= 5)
    assert (value is not None) or ("x" in form.errors) or (text.strip() == "")


def test_dates_in_the_future_are_refused() -> None:
    form = reader(d="2030-01-01", bad="01/02/2020")
    assert form.day("d", not_after=TODAY) is None
    assert form.day("bad") is None
    assert set(form.errors) == {"d", "bad"}


def test_unknown_choices_are_refused() -> None:
    form = reader(pick=["a", "zzz"])
    assert form.choices("pick", {"a", "b"}) == ()
    assert "pick" in form.errors


def test_typed_values_are_kept_for_the_re_rendered_form() -> None:
    form = reader(name="Typed <b>", regions=["neck", "trunk"])
    assert form.values() == {"name": "Typed <b>", "regions": ["neck", "trunk"]}


def test_patient_form_builds_one_diagnosis_per_form_with_regions_on_the_first() -> None:
    form = reader(
        birth_date="1980-01-01",
        sex="female",
        forms=["cervical-dystonia", "blepharospasm"],
        regions=["neck", "eyes"],
        onset_age_years="40",
        distribution="segmental",
    )
    data = parse_patient_form(form, TODAY)
    assert form.errors == {}
    assert [d.form for d in data.phenotype.diagnoses] == ["cervical-dystonia", "blepharospasm"]
    assert data.phenotype.diagnoses[0].regions == ("neck", "eyes")
    assert data.phenotype.diagnoses[1].regions == ()


def test_patient_form_refuses_onset_above_age_and_regions_without_a_form() -> None:
    form = reader(birth_date="2020-01-01", sex="male", regions=["neck"], onset_age_years="30")
    parse_patient_form(form, TODAY)
    assert {"onset_age_years", "forms"} <= set(form.errors)


def test_injection_rows_name_the_row_that_is_wrong() -> None:
    form = reader(
        date="2026-11-01",
        product="onabotulinumtoxinA",
        indication="cervical-dystonia",
        **{
            "muscle-0": "sternocleidomastoid",
            "side-0": "left",
            "units-0": "30",
            "muscle-1": "",
            "side-1": "",
            "units-1": "20",
            "muscle-2": "orbicularis-oculi-pretarsal-upper",
            "side-2": "left",
            "units-2": "5",
        },
    )
    assert parse_visit_form(form, TODAY) is None
    assert "muscle-1" in form.errors


def test_a_muscle_outside_the_indication_is_refused_at_its_row() -> None:
    form = reader(
        date="2026-11-01",
        product="onabotulinumtoxinA",
        indication="cervical-dystonia",
        **{"muscle-0": "orbicularis-oculi-pretarsal-upper", "side-0": "left", "units-0": "5"},
    )
    assert parse_visit_form(form, TODAY) is None
    assert "muscle-0" in form.errors


def test_a_valid_visit_sums_the_units() -> None:
    form = reader(
        date="2026-11-01",
        product="incobotulinumtoxinA",
        indication="cervical-dystonia",
        **{
            "muscle-0": "sternocleidomastoid",
            "side-0": "left",
            "units-0": "30",
            "muscle-1": "trapezius",
            "side-1": "right",
            "units-1": "45.5",
        },
    )
    visit = parse_visit_form(form, TODAY)
    assert form.errors == {}
    assert visit is not None
    assert visit.total_units == 75.5


def test_free_text_with_a_nul_character_is_refused_on_its_field() -> None:
    reader = FormReader(FormData([("note", "left\x00right")]))
    assert reader.text("note") is None
    assert "NUL" in reader.errors["note"]
