"""Condition mapping: forms, status rules, Wilson exclusion, regions, onset, axes, comorbidities."""

from __future__ import annotations

from datetime import date

import pytest

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import (
    BodyRegion,
    Distribution,
    DystoniaForm,
    Etiology,
    PatientRecord,
)
from dystonia_cds.fhir.bundle import read_bundle
from fhir_builders import (
    bundle,
    condition,
    icd10,
    patient,
    phenotype_extension,
    snomed,
    text_only,
)


def record(*resources: dict, birth_date: str = "2015-03-01") -> PatientRecord:
    return read_bundle(bundle(patient(birth_date=birth_date), *resources), source="test.json")


@pytest.mark.parametrize(
    ("code", "form"),
    [
        ("G24.02", DystoniaForm.ACUTE_DRUG_INDUCED),
        ("G24.09", DystoniaForm.OTHER_DRUG_INDUCED),
        ("G24.1", DystoniaForm.GENETIC_TORSION),
        ("G24.2", DystoniaForm.IDIOPATHIC_NONFAMILIAL),
        ("G24.3", DystoniaForm.CERVICAL),
        ("G24.4", DystoniaForm.OROMANDIBULAR),
        ("G24.5", DystoniaForm.BLEPHAROSPASM),
        ("G24.8", DystoniaForm.OTHER),
        ("G24.9", DystoniaForm.UNSPECIFIED),
    ],
)
def test_icd10_g24_codes_map_to_their_dystonia_form(code: str, form: DystoniaForm) -> None:
    assert record(condition(icd10(code))).phenotype.forms == {form}


def test_snomed_dystonia_code_maps_to_unspecified_dystonia() -> None:
    assert record(condition(snomed("15802004", "Dystonia"))).phenotype.forms == {
        DystoniaForm.UNSPECIFIED
    }


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Writer's cramp", DystoniaForm.TASK_SPECIFIC_LIMB),
        ("Dopa-responsive dystonia (Segawa)", DystoniaForm.DOPA_RESPONSIVE),
        ("Myoclonus-dystonia", DystoniaForm.MYOCLONUS_DYSTONIA),
        ("Spasmodic dysphonia", DystoniaForm.LARYNGEAL),
        ("Tardive dystonia", DystoniaForm.TARDIVE),
        ("Acute dystonic reaction", DystoniaForm.ACUTE_DRUG_INDUCED),
    ],
)
def test_display_text_is_the_fallback_when_no_code_matches(text: str, form: DystoniaForm) -> None:
    assert record(condition(snomed("999999", text))).phenotype.forms == {form}
    assert record(condition(text_only(text))).phenotype.forms == {form}


@pytest.mark.parametrize("status", ["resolved", "inactive", "remission"])
def test_resolved_inactive_or_remitted_dystonia_does_not_count(status: str) -> None:
    rec = record(condition(icd10("G24.3"), clinical=status))
    assert not rec.phenotype.has_dystonia


@pytest.mark.parametrize("status", ["active", "recurrence", "relapse"])
def test_active_recurrent_or_relapsed_dystonia_counts(status: str) -> None:
    assert record(condition(icd10("G24.3"), clinical=status)).phenotype.has_dystonia


@pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
def test_refuted_or_erroneous_dystonia_does_not_count(status: str) -> None:
    assert not record(condition(icd10("G24.3"), verification=status)).phenotype.has_dystonia


def test_condition_without_clinical_status_counts_unless_abated() -> None:
    assert record(condition(icd10("G24.3"), clinical=None)).phenotype.has_dystonia
    abated = condition(icd10("G24.3"), clinical=None, abatementDateTime="2020-01-01")
    assert not record(abated).phenotype.has_dystonia


def test_refuted_wilson_disease_yields_wilson_disease_excluded() -> None:
    rec = record(condition(icd10("E83.01", "Wilson's disease"), verification="refuted"))
    assert rec.findings == {"wilson-disease-excluded"}
    assert "wilson-disease" not in rec.conditions


def test_refuted_wilson_disease_by_text_also_excludes_it() -> None:
    rec = record(condition(text_only("Hepatolenticular degeneration"), verification="refuted"))
    assert rec.findings == {"wilson-disease-excluded"}


def test_confirmed_wilson_disease_is_a_comorbidity_not_an_exclusion() -> None:
    rec = record(condition(icd10("E83.01", "Wilson's disease")))
    assert rec.conditions == {"wilson-disease"}
    assert not rec.findings


def test_entered_in_error_wilson_disease_excludes_nothing() -> None:
    rec = record(condition(icd10("E83.01", "Wilson's disease"), verification="entered-in-error"))
    assert not rec.findings


@pytest.mark.parametrize(
    ("text", "comorbidity"),
    [
        ("Primary angle-closure glaucoma", "narrow-angle-glaucoma"),
        ("Major depressive disorder", "depression"),
        ("Suicidal ideation", "suicidality"),
        ("Chronic kidney disease stage 3 (disorder)", "renal-impairment"),
        ("Myasthenia gravis", "myasthenia-gravis"),
        ("Lambert-Eaton myasthenic syndrome", "lambert-eaton-syndrome"),
        ("Amyotrophic lateral sclerosis", "motor-neuron-disease"),
        ("Dysphagia", "dysphagia"),
        ("Benign prostatic hyperplasia", "prostatic-hypertrophy"),
        ("Retention of urine", "urinary-retention"),
        ("Epilepsy", "epilepsy"),
        ("Long QT syndrome", "long-qt-syndrome"),
        ("Normal pregnancy", "pregnancy"),
        ("Spastic cerebral palsy", "cerebral-palsy"),
        ("Parkinson's disease", "parkinsonism"),
        ("Malignant melanoma of skin", "melanoma"),
        ("Cirrhosis of liver", "hepatic-impairment"),
    ],
)
def test_comorbidities_are_recognised_by_name(text: str, comorbidity: str) -> None:
    assert record(condition(snomed("1", text))).conditions == {comorbidity}


def test_resolved_comorbidity_does_not_count() -> None:
    assert not record(
        condition(text_only("Major depressive disorder"), clinical="resolved")
    ).conditions


def test_body_sites_map_to_regions_and_forms_imply_their_region() -> None:
    sites = [snomed("1", "Structure of left upper limb"), text_only("Trunk")]
    rec = record(condition(icd10("G24.3"), body_sites=sites))
    assert rec.phenotype.regions == {BodyRegion.NECK, BodyRegion.UPPER_LIMB, BodyRegion.TRUNK}
    assert rec.phenotype.distribution is Distribution.GENERALIZED


def test_one_region_is_focal() -> None:
    assert record(condition(icd10("G24.3"))).phenotype.distribution is Distribution.FOCAL


def test_unknown_body_site_is_reported() -> None:
    rec = record(condition(icd10("G24.9"), body_sites=[text_only("Pinna")]))
    assert any(u.location.endswith("bodySite[0]") for u in rec.unrecognized)


def test_distribution_word_in_the_condition_text_is_read() -> None:
    rec = record(condition(snomed("1", "Generalized dystonia")))
    assert rec.phenotype.distribution is Distribution.GENERALIZED


def test_phenotype_extensions_set_the_axes() -> None:
    exts = [
        phenotype_extension("distribution", "segmental"),
        phenotype_extension("course", "progressive"),
        phenotype_extension("variability", "diurnal"),
        phenotype_extension("association", "isolated"),
        phenotype_extension("etiology", "idiopathic"),
    ]
    ph = record(condition(icd10("G24.9"), extension=exts)).phenotype
    assert (ph.distribution, ph.course, ph.association, ph.etiology) == (
        "segmental",
        "progressive",
        "isolated",
        "idiopathic",
    )
    assert ph.variability == {"diurnal"}


def test_unknown_phenotype_extension_value_is_reported() -> None:
    rec = record(condition(icd10("G24.9"), extension=[phenotype_extension("course", "wobbly")]))
    assert any("wobbly" in u.reason for u in rec.unrecognized)


def test_onset_age_is_read_in_years_and_months() -> None:
    years = condition(
        icd10("G24.9"),
        onsetAge={"value": 7, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"},
    )
    assert record(years).phenotype.onset_age_years == 7
    months = condition(icd10("G24.9"), onsetAge={"value": 18, "code": "mo"})
    assert record(months).phenotype.onset_age_years == 1.5


def test_onset_date_gives_onset_age_from_birth_date() -> None:
    rec = record(
        condition(icd10("G24.9"), onsetDateTime="2021-03-01T10:00:00Z"), birth_date="2015-03-01"
    )
    assert rec.phenotype.onset_date == date(2021, 3, 1)
    assert rec.phenotype.onset_age_years == 6.0


def test_onset_before_birth_is_reported_not_used() -> None:
    rec = record(condition(icd10("G24.9"), onsetDateTime="2010-01-01"), birth_date="2015-03-01")
    assert rec.phenotype.onset_age_years is None
    assert any("before the birth date" in u.reason for u in rec.unrecognized)


def test_acute_reaction_onset_date_is_the_reactions() -> None:
    rec = record(
        condition(icd10("G24.3"), onsetDateTime="2019-01-01"),
        condition(icd10("G24.02"), onsetDateTime="2026-11-24"),
    )
    assert rec.phenotype.onset_date == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("code", "etiology"),
    [
        ("G24.02", Etiology.ACQUIRED),
        ("G24.1", Etiology.INHERITED),
        ("G24.2", Etiology.IDIOPATHIC),
        ("G24.3", None),
    ],
)
def test_etiology_follows_from_the_form(code: str, etiology: Etiology | None) -> None:
    assert record(condition(icd10(code))).phenotype.etiology == etiology


def test_unknown_condition_code_is_reported_with_its_code() -> None:
    rec = record(condition(snomed("38341003", "Hypertension")))
    assert rec.unrecognized[0].location.endswith(".code")
    assert "38341003" in rec.unrecognized[0].reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("onsetDateTime", "2021-02-30"),
        ("onsetDateTime", "yesterday"),
        ("onsetDateTime", 20210101),
        ("code", "G24.3"),
        ("clinicalStatus", ["active"]),
        ("bodySite", {"text": "neck"}),
        ("onsetAge", {"value": -3, "code": "a"}),
        ("onsetAge", {"value": "7", "code": "a"}),
    ],
)
def test_malformed_condition_fields_fail_naming_the_file_resource_and_field(
    field: str, value: object
) -> None:
    bad = condition(icd10("G24.3"))
    bad[field] = value
    with pytest.raises(FhirInputError) as info:
        record(bad)
    message = str(info.value)
    assert message.startswith("test.json: Condition/")
    assert field in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("code", "comorbidity"),
    [
        ("H40.2211", "narrow-angle-glaucoma"),
        ("F32.A", "depression"),
        ("R45.851", "suicidality"),
        ("G70.00", "myasthenia-gravis"),
    ],
)
def test_icd10_coded_comorbidities_are_recognised_without_text(code: str, comorbidity: str) -> None:
    assert record(condition(icd10(code))).conditions == {comorbidity}
