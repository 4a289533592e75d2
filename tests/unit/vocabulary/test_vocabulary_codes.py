"""Every code in the vocabulary against its expected display; emit safety; loader errors."""

from __future__ import annotations

import pytest

from dystonia_cds.domain.errors import KnowledgeError
from dystonia_cds.knowledge.vocabulary import (
    ICD10CM,
    LOINC,
    RXNORM,
    SNOMED,
    build_vocabulary,
    load_vocabulary,
    validate_file,
)

# (system, code) -> (expected display, concept id, verified). Every code the vocabulary encodes
# must be here, and nothing here may be missing from the vocabulary.
EXPECTED = {
    (ICD10CM, "G24.02"): ("Drug induced acute dystonia", "acute-drug-induced-dystonia", "primary"),
    (ICD10CM, "G24.09"): ("Other drug induced dystonia", "other-drug-induced-dystonia", "primary"),
    (ICD10CM, "G24.1"): ("Genetic torsion dystonia", "genetic-torsion-dystonia", "primary"),
    (ICD10CM, "G24.2"): (
        "Idiopathic nonfamilial dystonia",
        "idiopathic-nonfamilial-dystonia",
        "primary",
    ),
    (ICD10CM, "G24.3"): ("Spasmodic torticollis", "cervical-dystonia", "primary"),
    (ICD10CM, "G24.4"): ("Idiopathic orofacial dystonia", "oromandibular-dystonia", "primary"),
    (ICD10CM, "G24.5"): ("Blepharospasm", "blepharospasm", "primary"),
    (ICD10CM, "G24.8"): ("Other dystonia", "other-dystonia", "primary"),
    (ICD10CM, "G24.9"): ("Dystonia, unspecified", "dystonia-unspecified", "primary"),
    (SNOMED, "15802004"): ("Dystonia", "dystonia-unspecified", "secondary"),
    (ICD10CM, "E83.01"): ("Wilson's disease", "wilson-disease", "secondary"),
    # comorbidities (prefix = a category covering its sub-codes)
    (ICD10CM, "H40.2"): ("Primary angle-closure glaucoma", "narrow-angle-glaucoma", "secondary"),
    (ICD10CM, "F32.A"): ("Depression, unspecified", "depression", "secondary"),
    (ICD10CM, "F32"): ("Depressive episode", "depression", "secondary"),
    (ICD10CM, "F33"): ("Major depressive disorder, recurrent", "depression", "secondary"),
    (ICD10CM, "R45.851"): ("Suicidal ideations", "suicidality", "secondary"),
    (ICD10CM, "N18.9"): ("Chronic kidney disease, unspecified", "renal-impairment", "secondary"),
    (ICD10CM, "N18"): ("Chronic kidney disease (CKD)", "renal-impairment", "secondary"),
    (ICD10CM, "G70.00"): (
        "Myasthenia gravis without (acute) exacerbation",
        "myasthenia-gravis",
        "secondary",
    ),
    (ICD10CM, "G70.0"): ("Myasthenia gravis", "myasthenia-gravis", "secondary"),
    (ICD10CM, "G70.80"): (
        "Lambert-Eaton syndrome, unspecified",
        "lambert-eaton-syndrome",
        "secondary",
    ),
    (ICD10CM, "G70.81"): (
        "Lambert-Eaton syndrome in disease classified elsewhere",
        "lambert-eaton-syndrome",
        "secondary",
    ),
    (ICD10CM, "G73.1"): (
        "Lambert-Eaton syndrome in neoplastic disease",
        "lambert-eaton-syndrome",
        "secondary",
    ),
    (ICD10CM, "G12.2"): ("Motor neuron disease", "motor-neuron-disease", "secondary"),
    (ICD10CM, "G12.21"): ("Amyotrophic lateral sclerosis", "motor-neuron-disease", "secondary"),
    (ICD10CM, "R13.10"): ("Dysphagia, unspecified", "dysphagia", "secondary"),
    (ICD10CM, "R13.1"): ("Dysphagia", "dysphagia", "secondary"),
    (ICD10CM, "N40"): ("Benign prostatic hyperplasia", "prostatic-hypertrophy", "secondary"),
    (ICD10CM, "N40.1"): (
        "Benign prostatic hyperplasia with lower urinary tract symptoms",
        "prostatic-hypertrophy",
        "secondary",
    ),
    (ICD10CM, "R33.9"): ("Retention of urine, unspecified", "urinary-retention", "secondary"),
    (ICD10CM, "R33"): ("Retention of urine", "urinary-retention", "secondary"),
    (ICD10CM, "G40"): ("Epilepsy and recurrent seizures", "epilepsy", "secondary"),
    (ICD10CM, "I45.81"): ("Long QT syndrome", "long-qt-syndrome", "secondary"),
    (ICD10CM, "G80.3"): ("Athetoid cerebral palsy", "cerebral-palsy", "primary"),
    (ICD10CM, "G20.C"): ("Parkinsonism, unspecified", "parkinsonism", "secondary"),
    (ICD10CM, "G20"): ("Parkinson's disease", "parkinsonism", "secondary"),
    (ICD10CM, "G21.1"): ("Other drug-induced secondary parkinsonism", "parkinsonism", "secondary"),
    (ICD10CM, "G21.4"): ("Vascular parkinsonism", "parkinsonism", "secondary"),
    (ICD10CM, "G21.9"): ("Secondary parkinsonism, unspecified", "parkinsonism", "secondary"),
    (ICD10CM, "C43"): ("Malignant melanoma of skin", "melanoma", "secondary"),
    (ICD10CM, "Z85.820"): (
        "Personal history of malignant melanoma of skin",
        "melanoma",
        "secondary",
    ),
    (RXNORM, "3498"): ("diphenhydramine", "diphenhydramine", "unverified"),
    (RXNORM, "6375"): ("levodopa", "levodopa", "unverified"),
    (RXNORM, "10811"): ("trihexyphenidyl", "trihexyphenidyl", "unverified"),
    (RXNORM, "2598"): ("clonazepam", "clonazepam", "unverified"),
    (RXNORM, "3322"): ("diazepam", "diazepam", "primary"),
    (RXNORM, "1292"): ("baclofen", "baclofen", "secondary"),
    (RXNORM, "10390"): ("tetrabenazine", "tetrabenazine", "primary"),
    (RXNORM, "5093"): ("haloperidol", "haloperidol", "primary"),
    (RXNORM, "8076"): ("perphenazine", "perphenazine", "primary"),
    (RXNORM, "8331"): ("pimozide", "pimozide", "primary"),
    (RXNORM, "35636"): ("risperidone", "risperidone", "primary"),
    (RXNORM, "61381"): ("olanzapine", "olanzapine", "primary"),
    (RXNORM, "89013"): ("aripiprazole", "aripiprazole", "primary"),
    (RXNORM, "6915"): ("metoclopramide", "metoclopramide", "primary"),
    (RXNORM, "7052"): ("morphine", "morphine", "primary"),
    (RXNORM, "7804"): ("oxycodone", "oxycodone", "primary"),
    (RXNORM, "4337"): ("fentanyl", "fentanyl", "primary"),
    (RXNORM, "2670"): ("codeine", "codeine", "primary"),
    (RXNORM, "10689"): ("tramadol", "tramadol", "primary"),
    (RXNORM, "6813"): ("methadone", "methadone", "primary"),
    (LOINC, "69548-6"): ("Genetic variant assessment", "genetic-variant-assessment", "secondary"),
    (LOINC, "48018-6"): ("Gene studied [ID]", "gene-studied", "secondary"),
    (LOINC, "29463-7"): ("Body weight", "body-weight", "secondary"),
    (LOINC, "LA9633-4"): ("Present", "variant-present", "unverified"),
    (LOINC, "LA9634-2"): ("Absent", "variant-absent", "unverified"),
}


def _entries() -> dict[tuple[str, str], tuple[str, str, str]]:
    return {
        (e.system, e.code): (e.display, e.concept, e.verified) for e in load_vocabulary().entries()
    }


def test_every_encoded_code_is_in_the_expected_table() -> None:
    assert set(_entries()) == set(EXPECTED)


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()))
def test_code_has_its_expected_display_concept_and_verification(
    key: tuple[str, str], expected: tuple[str, str, str]
) -> None:
    assert _entries()[key] == expected


def test_every_code_names_its_source() -> None:
    assert all(e.source for e in load_vocabulary().entries())


def test_emit_code_gives_only_verified_codes() -> None:
    vocab = load_vocabulary()
    for entry in vocab.entries():
        emitted = vocab.emit_code(entry.concept)
        if entry.verified == "unverified":
            assert emitted is None or emitted.code != entry.code
        if emitted is not None:
            assert _entries()[(emitted.system, emitted.code)][2] in ("primary", "secondary")


@pytest.mark.parametrize("concept", ["levodopa", "diphenhydramine", "clonazepam", "benztropine"])
def test_drugs_without_a_verified_code_are_never_emitted(concept: str) -> None:
    assert load_vocabulary().emit_code(concept) is None


def test_emit_code_prefers_a_primary_code() -> None:
    coding = load_vocabulary().emit_code("dystonia-unspecified")
    assert coding is not None
    assert (coding.system, coding.code, coding.display) == (
        ICD10CM,
        "G24.9",
        "Dystonia, unspecified",
    )


def test_no_procedure_code_is_emitted_because_none_is_verified() -> None:
    vocab = load_vocabulary()
    for pid in ("botulinum-toxin", "deep-brain-stimulation", "rehabilitation-therapy"):
        assert vocab.emit_code(pid) is None


def test_icd10_codes_match_with_or_without_the_dot() -> None:
    vocab = load_vocabulary()
    hit = vocab.lookup(ICD10CM, "g2402")
    assert hit is not None
    assert hit.concept == "acute-drug-induced-dystonia"


def test_unknown_code_is_not_found() -> None:
    assert load_vocabulary().lookup(RXNORM, "999999999") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Carbidopa 25 MG / Levodopa 100 MG Oral Tablet", ("levodopa",)),
        ("Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet", ("hydrocodone",)),
        ("Benzatropine mesilate 2 mg injection", ("benztropine",)),
        ("chlorpromazine 25 mg", ("chlorpromazine",)),
        ("Dihydrocodeine 30 mg", ()),
        ("Naproxen sodium 220 MG Oral Tablet", ()),
    ],
)
def test_drug_names_match_whole_words_and_salts_and_products(
    text: str, expected: tuple[str, ...]
) -> None:
    assert load_vocabulary().match_names("ingredient", text) == expected


def test_generic_dystonia_name_yields_to_a_specific_form() -> None:
    vocab = load_vocabulary()
    assert vocab.match_names("form", "Cervical dystonia") == ("cervical-dystonia",)
    assert vocab.match_names("form", "Generalized dystonia") == ("dystonia-unspecified",)


def test_a_malformed_file_names_the_file_the_entry_and_the_field() -> None:
    data = {
        "version": "1",
        "changes": ["x"],
        "concept": [{"id": "x", "kind": "form", "codes": [{"system": "icd10cm", "code": "G24.3"}]}],
    }
    with pytest.raises(
        KnowledgeError, match=r"vocabulary/bad\.toml: concept 'x': concept\.0\.codes\.0\.display"
    ):
        validate_file("bad", data)


def test_an_unknown_form_id_is_refused() -> None:
    data = {"version": "1", "changes": ["x"], "concept": [{"id": "not-a-form", "kind": "form"}]}
    with pytest.raises(KnowledgeError, match="unknown form id"):
        build_vocabulary({"bad": validate_file("bad", data)})


def test_a_code_listed_twice_is_refused() -> None:
    code = {"system": "rxnorm", "code": "1", "display": "x", "source": "s", "verified": "primary"}
    data = {
        "version": "1",
        "changes": ["x"],
        "concept": [
            {"id": "a", "kind": "ingredient", "codes": [code]},
            {"id": "b", "kind": "ingredient", "codes": [code]},
        ],
    }
    with pytest.raises(KnowledgeError, match="listed twice"):
        build_vocabulary({"bad": validate_file("bad", data)})


def test_vocabulary_is_cached_and_has_a_version() -> None:
    assert load_vocabulary() is load_vocabulary()
    assert load_vocabulary().version


def test_observation_fast_path_codes_are_the_vocabularys() -> None:
    from dystonia_cds.fhir.observations import BODY_WEIGHT, GENETIC

    vocab = load_vocabulary()
    weight, genetic = vocab.lookup(LOINC, BODY_WEIGHT), vocab.lookup(LOINC, GENETIC)
    assert weight is not None
    assert genetic is not None
    assert (weight.concept, genetic.concept) == ("body-weight", "genetic-variant-assessment")


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("H40.2211", "narrow-angle-glaucoma"),
        ("F33.1", "depression"),
        ("G20.A1", "parkinsonism"),
        ("G21.11", "parkinsonism"),
        ("C43.59", "melanoma"),
        ("N18.32", "renal-impairment"),
        ("R13.12", "dysphagia"),
        ("G40.909", "epilepsy"),
    ],
)
def test_icd10_category_prefixes_cover_their_sub_codes(code: str, concept: str) -> None:
    hit = load_vocabulary().lookup(ICD10CM, code)
    assert hit is not None
    assert hit.concept == concept


@pytest.mark.parametrize("code", ["G21.0", "G24.01", "G80.1", "H40.1"])
def test_neighbouring_codes_outside_a_prefix_are_not_matched(code: str) -> None:
    assert load_vocabulary().lookup(ICD10CM, code) is None


def test_category_and_narrower_codes_are_never_emitted() -> None:
    vocab = load_vocabulary()
    for entry in vocab.entries():
        emitted = vocab.emit_code(entry.concept)
        if entry.prefix:
            assert emitted is None or emitted.code != entry.code
    for concept in ("melanoma", "motor-neuron-disease", "prostatic-hypertrophy", "cerebral-palsy"):
        assert vocab.emit_code(concept) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOR1A gene analysis", True),
        ("tor1a sequencing", True),
        ("Hemoglobin A1c", False),
        ("", False),
    ],
)
def test_gene_pre_check_sees_symbols_as_written(text: str, expected: bool) -> None:
    assert load_vocabulary().may_name("gene", text) is expected
