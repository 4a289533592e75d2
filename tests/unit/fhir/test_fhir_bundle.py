"""Bundle reading: shapes, references, patients, bad input, unrecognized reporting, the two
stages (extract/assemble) and record_from_resources."""

from __future__ import annotations

import pickle
from datetime import date

import msgspec
import orjson
import pytest

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import DystoniaForm, Sex, TrialOutcome
from dystonia_cds.fhir.assemble import assemble_record
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.fhir.extract import extract_facts
from dystonia_cds.fhir.facts import Fact, FormFact, IgnoredFact, PatientFact
from dystonia_cds.fhir.mapping import record_from_resources
from dystonia_cds.knowledge.vocabulary import load_vocabulary
from fhir_builders import (
    bundle,
    condition,
    gene_observation,
    icd10,
    medication_request,
    patient,
    procedure,
    rxnorm,
    snomed,
    text_only,
    weight_observation,
)


@pytest.mark.parametrize("bundle_type", ["collection", "searchset", "transaction"])
def test_bundle_types_are_read(bundle_type: str) -> None:
    b = bundle(
        patient(birth_date="2012-02-29", gender="male"),
        condition(icd10("G24.1")),
        bundle_type=bundle_type,
    )
    rec = read_bundle(orjson.dumps(b), source="b.json")
    assert (rec.patient_id, rec.birth_date, rec.sex) == ("pat-1", date(2012, 2, 29), Sex.MALE)
    assert rec.phenotype.forms == {DystoniaForm.GENETIC_TORSION}


def test_urn_uuid_references_like_synthea_are_followed() -> None:
    pid = "8f437924-8cad-441b-88d2-ff38c9363bde"
    cond = condition(icd10("G24.3"), patient_id=pid)
    cond["subject"] = {"reference": f"urn:uuid:{pid}"}
    rec = read_bundle(bundle(patient(pid), cond, bundle_type="transaction"), source="s.json")
    assert rec.phenotype.forms == {DystoniaForm.CERVICAL}


def test_patient_known_by_a_different_full_url_is_matched() -> None:
    b = bundle(patient("p-9"), condition(icd10("G24.3"), patient_id="x"))
    b["entry"][0]["fullUrl"] = "urn:uuid:abc"
    b["entry"][1]["resource"]["subject"] = {"reference": "urn:uuid:abc"}
    assert read_bundle(b, source="s.json").phenotype.has_dystonia


def test_absolute_and_versioned_references_are_followed() -> None:
    cond = condition(icd10("G24.3"))
    cond["subject"] = {"reference": "https://ehr.example/fhir/Patient/pat-1/_history/3"}
    assert read_bundle(bundle(patient(), cond), source="s.json").phenotype.has_dystonia


def test_resources_of_another_patient_are_left_out_and_reported() -> None:
    rec = read_bundle(
        bundle(patient(), condition(icd10("G24.3"), patient_id="someone-else")), source="s.json"
    )
    assert not rec.phenotype.has_dystonia
    assert any("another patient" in u.reason for u in rec.unrecognized)


def test_partial_birth_date_reads_as_the_first_day() -> None:
    assert read_bundle(bundle(patient(birth_date="1990-07")), source="s.json").birth_date == date(
        1990, 7, 1
    )


def test_unused_resource_types_are_counted_in_one_summary_entry() -> None:
    claims = [
        {"resourceType": "Claim", "id": f"c{i}", "patient": {"reference": "Patient/pat-1"}}
        for i in range(50)
    ]
    rec = read_bundle(
        bundle(patient(), *claims, {"resourceType": "Encounter", "id": "e1"}), source="s.json"
    )
    summaries = [u for u in rec.unrecognized if u.location == "input"]
    assert len(summaries) == 1
    assert "50 Claim" in summaries[0].reason
    assert "1 Encounter" in summaries[0].reason


def test_same_unknown_code_in_many_resources_is_reported_once_with_a_count() -> None:
    reqs = [medication_request(rxnorm("316672", "Simvistatin 10 MG")) for _ in range(5)]
    rec = read_bundle(bundle(patient(), *reqs), source="s.json")
    entries = [u for u in rec.unrecognized if "316672" in u.reason]
    assert len(entries) == 1
    assert entries[0].location.endswith("and 4 more")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "s.json: not JSON"),
        (b"[1, 2]", "s.json: not a FHIR Bundle"),
        (
            b'{"resourceType": "Patient", "id": "x"}',
            "s.json: not a FHIR Bundle (resourceType 'Patient')",
        ),
        (
            b'{"resourceType": "Bundle", "type": "history", "entry": []}',
            "s.json: Bundle.type must be",
        ),
        (b'{"resourceType": "Bundle", "entry": []}', "s.json: Bundle.type must be"),
        (b'{"resourceType": "Bundle", "type": [], "entry": []}', "s.json: Bundle.type must be"),
        (b'{"resourceType": "Bundle", "type": {}, "entry": []}', "s.json: Bundle.type must be"),
        (
            b'{"resourceType": "Bundle", "type": "collection", "entry": {}}',
            "s.json: Bundle.entry must be an array",
        ),
        (
            b'{"resourceType": "Bundle", "type": "collection", "entry": [3]}',
            "s.json: Bundle.entry[0] must be an object",
        ),
        (
            b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": []}]}',
            "s.json: Bundle.entry[0].resource must be an object",
        ),
        (
            b'{"resourceType": "Bundle", "type": "collection", "entry": []}',
            "s.json: no Patient resource",
        ),
        (
            b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"id": "x"}}]}',
            "s.json: resource/x: resourceType is missing",
        ),
    ],
)
def test_bad_bundles_fail_with_one_line_naming_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(FhirInputError) as info:
        read_bundle(data, source="s.json")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_two_patients_are_refused_naming_both() -> None:
    with pytest.raises(FhirInputError, match=r"s\.json: 2 Patients \(Patient/a, Patient/b\)"):
        read_bundle(bundle(patient("a"), patient("b")), source="s.json")


def test_impossible_birth_date_names_the_patient_and_field() -> None:
    with pytest.raises(
        FhirInputError, match=r"s\.json: Patient/pat-1\.birthDate: is an impossible date"
    ):
        read_bundle(bundle(patient(birth_date="2011-02-29")), source="s.json")


def test_patient_without_id_takes_its_full_url() -> None:
    p = patient()
    del p["id"]
    b = bundle(p, condition(icd10("G24.3"), patient_id="u-1"))
    b["entry"][0]["fullUrl"] = "urn:uuid:u-1"
    assert read_bundle(b, source="s.json").patient_id == "u-1"


def test_unknown_gender_is_reported_and_read_as_unknown() -> None:
    rec = read_bundle(bundle(patient(gender="robot")), source="s.json")
    assert rec.sex is Sex.UNKNOWN
    assert any("gender" in u.location for u in rec.unrecognized)


def test_procedures_for_dbs_and_rehabilitation_become_trials() -> None:
    rec = read_bundle(
        bundle(
            patient(),
            procedure(text_only("Deep brain stimulation of globus pallidus"), when="2025-05-05"),
            procedure(snomed("1", "Physical therapy procedure"), status="in-progress"),
            procedure(text_only("Appendectomy")),
        ),
        source="s.json",
    )
    trials = {t.treatment: t for t in rec.trials}
    assert trials["deep-brain-stimulation"].start == date(2025, 5, 5)
    assert trials["deep-brain-stimulation"].active
    assert trials["rehabilitation-therapy"].active
    assert "1 Procedure" in rec.unrecognized[-1].reason


def test_botulinum_toxin_procedure_is_an_injection_with_its_product() -> None:
    proc = procedure(
        text_only("Injection of botulinum toxin"),
        when="2026-09-01",
        usedCode=[text_only("Xeomin 100 unit vial")],
    )
    rec = read_bundle(bundle(patient(), proc), source="s.json")
    assert [(i.date, i.product) for i in rec.injections] == [
        (date(2026, 9, 1), "incobotulinumtoxinA")
    ]


def test_procedure_outcome_code_is_read() -> None:
    proc = procedure(
        text_only("Deep brain stimulation"),
        outcome={"coding": [{"system": "urn:dystonia-cds:trial-outcome", "code": "good-response"}]},
    )
    rec = read_bundle(bundle(patient(), proc), source="s.json")
    assert rec.trials[0].outcome is TrialOutcome.GOOD_RESPONSE


@pytest.mark.parametrize("status", ["not-done", "entered-in-error", "preparation"])
def test_procedures_not_done_do_not_count(status: str) -> None:
    rec = read_bundle(
        bundle(patient(), procedure(text_only("Deep brain stimulation"), status=status)),
        source="s.json",
    )
    assert rec.trials == ()


def test_pathogenic_gene_finding_is_a_gene_and_absent_is_not() -> None:
    rec = read_bundle(
        bundle(patient(), gene_observation("GCH1"), gene_observation("TOR1A", "Absent")),
        source="s.json",
    )
    assert rec.phenotype.genes == {"GCH1"}


def test_gene_symbol_in_the_observation_text_is_the_fallback() -> None:
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": text_only("TOR1A gene mutation analysis"),
        "subject": {"reference": "Patient/pat-1"},
        "valueString": "Pathogenic variant detected",
    }
    assert read_bundle(bundle(patient(), obs), source="s.json").phenotype.genes == {"TOR1A"}


def test_gene_result_without_a_readable_value_is_reported() -> None:
    rec = read_bundle(bundle(patient(), gene_observation("SGCE", "see report")), source="s.json")
    assert not rec.phenotype.genes
    assert any("SGCE" in u.reason for u in rec.unrecognized)


def test_cyp2d6_poor_metabolizer_result_gives_both_findings() -> None:
    rec = read_bundle(
        bundle(patient(), gene_observation("CYP2D6", "Poor metabolizer")), source="s.json"
    )
    assert rec.findings == {"cyp2d6-genotyped", "cyp2d6-poor-metabolizer"}


def test_latest_body_weight_is_used_and_pounds_are_converted() -> None:
    rec = read_bundle(
        bundle(
            patient(),
            weight_observation(20, when="2025-01-01"),
            weight_observation(55.0, when="2026-01-01", unit="[lb_av]"),
        ),
        source="s.json",
    )
    assert rec.weight_kg == pytest.approx(24.948, abs=0.001)


def test_impossible_body_weight_fails() -> None:
    with pytest.raises(FhirInputError, match=r"valueQuantity\.value"):
        read_bundle(bundle(patient(), weight_observation(-4)), source="s.json")


def test_allergy_to_botulinum_toxin_is_a_hypersensitivity() -> None:
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "code": text_only("Botulinum toxin type A"),
        "patient": {"reference": "Patient/pat-1"},
    }
    assert read_bundle(bundle(patient(), allergy), source="s.json").conditions == {
        "botulinum-toxin-hypersensitivity"
    }


# ---- the two stages ------------------------------------------------------------------------


def test_extract_facts_tags_each_fact_with_its_patient() -> None:
    vocab = load_vocabulary()
    facts = extract_facts(condition(icd10("G24.3"), patient_id="p7"), vocab)
    assert [type(f) for f in facts] == [FormFact]
    assert facts[0].patient_id == "p7"
    assert extract_facts(patient("p7"), vocab)[0] == PatientFact(
        "p7", "Patient/p7", date(1980, 5, 17), "female"
    )


def test_extract_facts_counts_unused_types_without_reading_them() -> None:
    facts = extract_facts(
        {"resourceType": "Claim", "id": "c", "patient": {"reference": "Patient/p7"}},
        load_vocabulary(),
    )
    assert facts == [IgnoredFact("p7", "Claim", "Claim")]


def test_facts_are_picklable_and_msgspec_round_trip() -> None:
    vocab = load_vocabulary()
    facts: list[Fact] = []
    for r in (
        patient(),
        condition(icd10("G24.3")),
        medication_request(rxnorm("5093", "haloperidol")),
        gene_observation("GCH1"),
    ):
        facts.extend(extract_facts(r, vocab))
    assert pickle.loads(pickle.dumps(facts)) == facts  # noqa: S301 - our own bytes
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(facts), type=list[Fact]) == facts
    copied = pickle.loads(pickle.dumps(vocab))  # noqa: S301 - our own bytes
    assert copied.lookup("http://hl7.org/fhir/sid/icd-10-cm", "G24.3") is not None


def test_assemble_is_independent_of_fact_order() -> None:
    vocab = load_vocabulary()
    facts: list[Fact] = []
    for r in (
        condition(icd10("G24.3"), onsetDateTime="2020-01-01"),
        medication_request(text_only("baclofen")),
        patient(),
    ):
        facts.extend(extract_facts(r, vocab))
    assert assemble_record("pat-1", facts) == assemble_record("pat-1", list(reversed(facts)))


def test_record_from_resources_reads_loose_resources_and_search_bundles() -> None:
    search = bundle(condition(icd10("G24.5")), bundle_type="searchset")
    rec = record_from_resources([patient(), search, None])
    assert rec.phenotype.forms == {DystoniaForm.BLEPHAROSPASM}


def test_record_from_resources_with_a_patient_id_needs_no_patient_resource() -> None:
    rec = record_from_resources([condition(icd10("G24.3"), patient_id="p3")], patient_id="p3")
    assert rec.patient_id == "p3"
    assert rec.phenotype.has_dystonia


def test_record_from_resources_without_a_patient_fails() -> None:
    with pytest.raises(FhirInputError, match="no Patient"):
        record_from_resources([condition(icd10("G24.3"))])


@pytest.mark.parametrize(("value", "unit"), [(1e-300, "kg"), (0.0004, "kg"), (0.4, "g")])
def test_a_body_weight_that_rounds_to_nothing_is_refused(value: float, unit: str) -> None:
    with pytest.raises(FhirInputError, match="impossible body weight"):
        read_bundle(bundle(patient(), weight_observation(value, unit=unit)), source="s.json")
