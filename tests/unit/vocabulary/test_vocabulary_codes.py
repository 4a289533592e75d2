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
    (SNOMED, "15802004"): ("Dystonia", "dystonia-unspecified", "primary"),
    # SNOMED CT codes reference §7.2 marks verified (Global Patient Set, R75; VSAC, R77)
    (SNOMED, "74333002"): ("Spasmodic torticollis", "cervical-dystonia", "primary"),
    (SNOMED, "59026006"): ("Blepharospasm", "blepharospasm", "primary"),
    (SNOMED, "29003001"): ("Spastic dysphonia", "laryngeal-dystonia", "primary"),
    (SNOMED, "22451001"): ("Idiopathic torsion dystonia", "genetic-torsion-dystonia", "primary"),
    (SNOMED, "88518009"): ("Wilson's disease", "wilson-disease", "primary"),
    (SNOMED, "191744004"): ("Writer's cramp neurosis", "task-specific-limb-dystonia", "primary"),
    (ICD10CM, "E83.01"): ("Wilson's disease", "wilson-disease", "primary"),
    # comorbidities (prefix = a category covering its sub-codes)
    (ICD10CM, "H40.2"): ("Primary angle-closure glaucoma", "narrow-angle-glaucoma", "primary"),
    (ICD10CM, "F32.A"): ("Depression, unspecified", "depression", "primary"),
    (ICD10CM, "F32"): ("Depressive episode", "depression", "primary"),
    (ICD10CM, "F33"): ("Major depressive disorder, recurrent", "depression", "primary"),
    (ICD10CM, "R45.851"): ("Suicidal ideations", "suicidality", "primary"),
    (ICD10CM, "N18.9"): ("Chronic kidney disease, unspecified", "renal-impairment", "primary"),
    (ICD10CM, "N18"): ("Chronic kidney disease (CKD)", "renal-impairment", "primary"),
    (ICD10CM, "G70.00"): (
        "Myasthenia gravis without (acute) exacerbation",
        "myasthenia-gravis",
        "primary",
    ),
    (ICD10CM, "G70.0"): ("Myasthenia gravis", "myasthenia-gravis", "primary"),
    (ICD10CM, "G70.80"): (
        "Lambert-Eaton syndrome, unspecified",
        "lambert-eaton-syndrome",
        "primary",
    ),
    (ICD10CM, "G70.81"): (
        "Lambert-Eaton syndrome in disease classified elsewhere",
        "lambert-eaton-syndrome",
        "primary",
    ),
    (ICD10CM, "G73.1"): (
        "Lambert-Eaton syndrome in neoplastic disease",
        "lambert-eaton-syndrome",
        "primary",
    ),
    (ICD10CM, "G12.2"): ("Motor neuron disease", "motor-neuron-disease", "primary"),
    (ICD10CM, "G12.21"): ("Amyotrophic lateral sclerosis", "motor-neuron-disease", "primary"),
    (ICD10CM, "R13.10"): ("Dysphagia, unspecified", "dysphagia", "primary"),
    (ICD10CM, "R13.1"): ("Dysphagia", "dysphagia", "primary"),
    (ICD10CM, "N40"): ("Benign prostatic hyperplasia", "prostatic-hypertrophy", "primary"),
    (ICD10CM, "N40.1"): (
        "Benign prostatic hyperplasia with lower urinary tract symptoms",
        "prostatic-hypertrophy",
        "primary",
    ),
    (ICD10CM, "R33.9"): ("Retention of urine, unspecified", "urinary-retention", "primary"),
    (ICD10CM, "R33"): ("Retention of urine", "urinary-retention", "primary"),
    (ICD10CM, "G40"): ("Epilepsy and recurrent seizures", "epilepsy", "primary"),
    (ICD10CM, "I45.81"): ("Long QT syndrome", "long-qt-syndrome", "primary"),
    (ICD10CM, "G80.3"): ("Athetoid cerebral palsy", "cerebral-palsy", "primary"),
    (ICD10CM, "G20.C"): ("Parkinsonism, unspecified", "parkinsonism", "primary"),
    (ICD10CM, "G20"): ("Parkinson's disease", "parkinsonism", "primary"),
    (ICD10CM, "G21.1"): ("Other drug-induced secondary parkinsonism", "parkinsonism", "primary"),
    (ICD10CM, "G21.4"): ("Vascular parkinsonism", "parkinsonism", "primary"),
    (ICD10CM, "G21.9"): ("Secondary parkinsonism, unspecified", "parkinsonism", "primary"),
    (ICD10CM, "C43"): ("Malignant melanoma of skin", "melanoma", "primary"),
    (ICD10CM, "Z85.820"): (
        "Personal history of malignant melanoma of skin",
        "melanoma",
        "primary",
    ),
    (RXNORM, "3498"): ("diphenhydramine", "diphenhydramine", "primary"),
    (RXNORM, "6375"): ("levodopa", "levodopa", "primary"),
    (RXNORM, "10811"): ("trihexyphenidyl", "trihexyphenidyl", "primary"),
    (RXNORM, "2598"): ("clonazepam", "clonazepam", "primary"),
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
    # added 2026-12-05 (issue 10): code hierarchies checked against the CMS/NCHS tabular [R82]
    (ICD10CM, "F34.1"): ("Dysthymic disorder", "depression", "primary"),
    (ICD10CM, "T14.91"): ("Suicide attempt", "suicidality", "primary"),
    (ICD10CM, "K72"): (
        "Hepatic failure, not elsewhere classified",
        "hepatic-impairment",
        "primary",
    ),
    (ICD10CM, "K70.3"): ("Alcoholic cirrhosis of liver", "hepatic-impairment", "primary"),
    (ICD10CM, "K70.4"): ("Alcoholic hepatic failure", "hepatic-impairment", "primary"),
    (ICD10CM, "K74.3"): ("Primary biliary cirrhosis", "hepatic-impairment", "primary"),
    (ICD10CM, "K74.4"): ("Secondary biliary cirrhosis", "hepatic-impairment", "primary"),
    (ICD10CM, "K74.5"): ("Biliary cirrhosis, unspecified", "hepatic-impairment", "primary"),
    (ICD10CM, "K74.6"): (
        "Other and unspecified cirrhosis of liver",
        "hepatic-impairment",
        "primary",
    ),
    (ICD10CM, "N17"): ("Acute kidney failure", "renal-impairment", "primary"),
    (ICD10CM, "N19"): ("Unspecified kidney failure", "renal-impairment", "primary"),
    (ICD10CM, "Z99.2"): ("Dependence on renal dialysis", "renal-impairment", "primary"),
    (ICD10CM, "Z33.1"): ("Pregnant state, incidental", "pregnancy", "primary"),
    (ICD10CM, "Z34"): ("Encounter for supervision of normal pregnancy", "pregnancy", "primary"),
    (ICD10CM, "Z3A"): ("Weeks of gestation", "pregnancy", "primary"),
    (ICD10CM, "O09"): ("Supervision of high risk pregnancy", "pregnancy", "primary"),
    (ICD10CM, "O30"): ("Multiple gestation", "pregnancy", "primary"),
    (ICD10CM, "O36"): ("Maternal care for other fetal problems", "pregnancy", "primary"),
    (ICD10CM, "Z39.1"): (
        "Encounter for care and examination of lactating mother",
        "lactation",
        "primary",
    ),
    (ICD10CM, "O92.7"): ("Other and unspecified disorders of lactation", "lactation", "primary"),
    (ICD10CM, "F01"): ("Vascular dementia", "cognitive-impairment", "primary"),
    (ICD10CM, "F02"): (
        "Dementia in other diseases classified elsewhere",
        "cognitive-impairment",
        "primary",
    ),
    (ICD10CM, "F03"): ("Unspecified dementia", "cognitive-impairment", "primary"),
    (ICD10CM, "G30"): ("Alzheimer's disease", "cognitive-impairment", "primary"),
    (ICD10CM, "G31.0"): ("Frontotemporal dementia", "cognitive-impairment", "primary"),
    (ICD10CM, "G31.83"): (
        "Neurocognitive disorder with Lewy bodies",
        "cognitive-impairment",
        "primary",
    ),
    (ICD10CM, "G31.84"): (
        "Mild cognitive impairment of uncertain or unknown etiology",
        "cognitive-impairment",
        "primary",
    ),
    (ICD10CM, "F06.7"): (
        "Mild neurocognitive disorder due to known physiological condition",
        "cognitive-impairment",
        "primary",
    ),
    (ICD10CM, "F32.4"): (
        "Major depressive disorder, single episode, in partial remission",
        "depression-in-remission",
        "primary",
    ),
    (ICD10CM, "F32.5"): (
        "Major depressive disorder, single episode, in full remission",
        "depression-in-remission",
        "primary",
    ),
    (ICD10CM, "F33.4"): (
        "Major depressive disorder, recurrent, in remission",
        "depression-in-remission",
        "primary",
    ),
    (ICD10CM, "F11"): ("Opioid related disorders", "opioid-use", "primary"),
    (ICD10CM, "Z79.891"): ("Long term (current) use of opiate analgesic", "opioid-use", "primary"),
    (ICD10CM, "G70.1"): ("Toxic myoneural disorders", "neuromuscular-junction-disorder", "primary"),
    (ICD10CM, "G70.2"): (
        "Congenital and developmental myasthenia",
        "neuromuscular-junction-disorder",
        "primary",
    ),
    (ICD10CM, "G70.89"): (
        "Other specified myoneural disorders",
        "neuromuscular-junction-disorder",
        "primary",
    ),
    (ICD10CM, "G70.9"): (
        "Myoneural disorder, unspecified",
        "neuromuscular-junction-disorder",
        "primary",
    ),
    (ICD10CM, "H00.0"): (
        "Hordeolum (externum) (internum) of eyelid",
        "skin-infection-eyelid",
        "primary",
    ),
    (ICD10CM, "L03.21"): (
        "Cellulitis and acute lymphangitis of face",
        "skin-infection-face",
        "primary",
    ),
    (ICD10CM, "L02.0"): (
        "Cutaneous abscess, furuncle and carbuncle of face",
        "skin-infection-face",
        "primary",
    ),
    (ICD10CM, "L03.22"): (
        "Cellulitis and acute lymphangitis of neck",
        "skin-infection-neck",
        "primary",
    ),
    (ICD10CM, "L02.1"): (
        "Cutaneous abscess, furuncle and carbuncle of neck",
        "skin-infection-neck",
        "primary",
    ),
    (ICD10CM, "L03.113"): (
        "Cellulitis of right upper limb",
        "skin-infection-upper-limb",
        "primary",
    ),
    (ICD10CM, "L03.114"): ("Cellulitis of left upper limb", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L03.123"): (
        "Acute lymphangitis of right upper limb",
        "skin-infection-upper-limb",
        "primary",
    ),
    (ICD10CM, "L03.124"): (
        "Acute lymphangitis of left upper limb",
        "skin-infection-upper-limb",
        "primary",
    ),
    (ICD10CM, "L02.413"): (
        "Cutaneous abscess of right upper limb",
        "skin-infection-upper-limb",
        "primary",
    ),
    (ICD10CM, "L02.414"): (
        "Cutaneous abscess of left upper limb",
        "skin-infection-upper-limb",
        "primary",
    ),
    (ICD10CM, "L02.423"): ("Furuncle of right upper limb", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L02.424"): ("Furuncle of left upper limb", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L02.433"): ("Carbuncle of right upper limb", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L02.434"): ("Carbuncle of left upper limb", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L03.01"): ("Cellulitis of finger", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L03.02"): ("Acute lymphangitis of finger", "skin-infection-upper-limb", "primary"),
    (ICD10CM, "L03.115"): (
        "Cellulitis of right lower limb",
        "skin-infection-lower-limb",
        "primary",
    ),
    (ICD10CM, "L03.116"): ("Cellulitis of left lower limb", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L03.125"): (
        "Acute lymphangitis of right lower limb",
        "skin-infection-lower-limb",
        "primary",
    ),
    (ICD10CM, "L03.126"): (
        "Acute lymphangitis of left lower limb",
        "skin-infection-lower-limb",
        "primary",
    ),
    (ICD10CM, "L02.415"): (
        "Cutaneous abscess of right lower limb",
        "skin-infection-lower-limb",
        "primary",
    ),
    (ICD10CM, "L02.416"): (
        "Cutaneous abscess of left lower limb",
        "skin-infection-lower-limb",
        "primary",
    ),
    (ICD10CM, "L02.425"): ("Furuncle of right lower limb", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L02.426"): ("Furuncle of left lower limb", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L02.435"): ("Carbuncle of right lower limb", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L02.436"): ("Carbuncle of left lower limb", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L03.03"): ("Cellulitis of toe", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L03.04"): ("Acute lymphangitis of toe", "skin-infection-lower-limb", "primary"),
    (ICD10CM, "L03.31"): ("Cellulitis of trunk", "skin-infection-trunk", "primary"),
    (ICD10CM, "L02.2"): (
        "Cutaneous abscess, furuncle and carbuncle of trunk",
        "skin-infection-trunk",
        "primary",
    ),
    # added 2026-12-05 (issue 10): codes reference §7.2 / §7.3 mark verified
    (RXNORM, "1000104"): ("incobotulinumtoxinA", "incobotulinumtoxinA", "primary"),
    (RXNORM, "103990"): ("carbidopa / levodopa", "levodopa", "primary"),
    (RXNORM, "1115"): ("trihexyphenidyl hydrochloride", "trihexyphenidyl", "primary"),
    (RXNORM, "1424"): ("benztropine", "benztropine", "primary"),
    (RXNORM, "1712"): ("botulinum toxin type A", "botulinum-toxin", "primary"),
    (RXNORM, "18927"): ("benztropine mesylate", "benztropine", "primary"),
    (RXNORM, "2167673"): ("botulinum toxin type B", "botulinum-toxin", "primary"),
    (RXNORM, "2612452"): ("daxibotulinumtoxinA-lanm", "daxibotulinumtoxinA", "primary"),
    (RXNORM, "860178"): ("rimabotulinumtoxinB", "rimabotulinumtoxinB", "primary"),
    (RXNORM, "860189"): ("onabotulinumtoxinA", "onabotulinumtoxinA", "primary"),
    (SNOMED, "306170007"): (
        "Referral to physiotherapy service",
        "rehabilitation-therapy",
        "primary",
    ),
    (SNOMED, "308447003"): ("Referral to physiotherapist", "rehabilitation-therapy", "primary"),
    (SNOMED, "308453003"): (
        "Referral to occupational therapist",
        "rehabilitation-therapy",
        "primary",
    ),
    (SNOMED, "84478008"): ("Occupational therapy", "rehabilitation-therapy", "primary"),
    (SNOMED, "91251008"): ("Physical therapy procedure", "rehabilitation-therapy", "primary"),
    (ICD10CM, "G24.01"): ("Drug induced subacute dyskinesia", "tardive-dyskinesia", "primary"),
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


def test_a_toxin_serotype_alone_is_never_emitted_as_a_product() -> None:
    assert load_vocabulary().emit_code("botulinum-toxin") is None


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


@pytest.mark.parametrize("code", ["G21.0", "G80.1", "H40.1"])
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
