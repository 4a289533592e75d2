"""The clinical text summary: disclaimer, patient, alerts before options, each option with its
strength, rationale, cautions and evidence, notes, and what could not be understood."""

from __future__ import annotations

from datetime import date

from dystonia_cds import DISCLAIMER
from dystonia_cds.domain.patient import (
    Injection,
    PatientRecord,
    Sex,
    TreatmentTrial,
    TrialOutcome,
    Unrecognized,
)
from dystonia_cds.domain.recommendation import (
    Alert,
    Evidence,
    Option,
    Provenance,
    Recommendation,
    Severity,
    Strength,
    UnderstoodPhenotype,
)
from dystonia_cds.fhir.text import MAX_UNRECOGNIZED, render_text

PROV = Provenance(rule="r", facts=(), knowledge_version="k1")


def _rec(**overrides: object) -> Recommendation:
    record = PatientRecord(
        patient_id="p1",
        birth_date=date(2016, 1, 1),
        sex=Sex.FEMALE,
        weight_kg=30.5,
        trials=(
            TreatmentTrial(
                "trihexyphenidyl", date(2024, 1, 1), None, False, TrialOutcome.INEFFECTIVE
            ),
        ),
        injections=(Injection(date(2026, 9, 1), "onabotulinumtoxinA"),),
        unrecognized=(Unrecognized("Condition/x.code", "SNOMED CT 1 'Thing' matches nothing"),),
    )
    fields: dict[str, object] = {
        "record": record,
        "evaluated_at": date(2026, 11, 25),
        "age_years": 10,
        "options": (
            Option(
                "levodopa-trial",
                1,
                Strength.FIRST_LINE,
                "Levodopa trial",
                ("Child with dystonia.",),
                ("Dyskinesia.",),
                (Evidence("EFNS 2011", "guideline", "R5"),),
                PROV,
            ),
            Option(
                "rehabilitation-therapy",
                2,
                Strength.CONSIDER,
                "Physical therapy",
                (),
                (),
                (),
                PROV,
                adjunct=True,
            ),
            Option(
                "tetrabenazine",
                3,
                Strength.CONTRAINDICATED,
                "Tetrabenazine",
                ("Depression.",),
                (),
                (),
                PROV,
            ),
        ),
        "alerts": (
            Alert("levodopa-trial-missing", Severity.WARNING, "No levodopa trial on record.", PROV),
        ),
        "trace": (),
        "knowledge_version": "k1",
        "notes": ("Onset age unknown.",),
        "phenotype": UnderstoodPhenotype(
            forms=("genetic-torsion-dystonia",),
            regions=("trunk",),
            distribution="generalized",
            onset_age_years=7.0,
            onset_band="childhood",
        ),
    }
    fields.update(overrides)
    return Recommendation(**fields)  # type: ignore[arg-type]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_text_carries_the_disclaimer_first_and_last() -> None:
    text = render_text(_rec())
    assert _flat(text).count(DISCLAIMER) == 2
    assert _flat("\n".join(text.splitlines()[:4])).endswith(DISCLAIMER)


def test_alerts_come_before_options_and_options_keep_their_rank() -> None:
    text = render_text(_rec())
    assert (
        text.index("ALERTS")
        < text.index("[WARNING] No levodopa trial on record")
        < text.index("OPTIONS")
    )
    assert text.index("1. Levodopa trial [first-line]") < text.index(
        "2. Physical therapy [consider, adjunct]"
    )
    assert "3. Tetrabenazine [contraindicated]" in text


def test_each_option_shows_rationale_cautions_and_evidence() -> None:
    text = render_text(_rec())
    assert "why: Child with dystonia." in text
    assert "caution: Dyskinesia." in text
    assert "evidence: EFNS 2011 (guideline)" in text


def test_patient_phenotype_and_history_are_summarised() -> None:
    text = render_text(_rec())
    assert "PATIENT  10 years, female, 30.5 kg" in text
    assert "dystonia: genetic torsion dystonia" in text
    assert "onset: 7 years (childhood)" in text
    assert "tried: trihexyphenidyl from 2024-01-01 (past, ineffective)" in text
    assert "botulinum toxin: 1 session(s), last 2026-09-01 (onabotulinumtoxinA)" in text


def test_no_dystonia_is_said_plainly() -> None:
    text = render_text(_rec(phenotype=UnderstoodPhenotype(), options=(), alerts=()))
    assert "No active dystonia recorded." in text
    assert "none offered" in text


def test_what_could_not_be_understood_is_listed_and_long_lists_are_cut() -> None:
    assert "Condition/x.code: SNOMED CT 1 'Thing' matches nothing" in render_text(_rec())
    many = tuple(
        Unrecognized(f"Condition/{i}.code", f"reason {i}") for i in range(MAX_UNRECOGNIZED + 5)
    )
    text = render_text(_rec(unrecognized=many))
    assert f"COULD NOT BE UNDERSTOOD ({MAX_UNRECOGNIZED + 5})" in text
    assert "... and 5 more (see --format json)" in text


def test_drugs_on_record_are_listed_newest_first_with_route_and_state() -> None:
    from dystonia_cds.domain.patient import Medication

    meds = (
        Medication("haloperidol", date(2026, 11, 24), None, False, "intramuscular"),
        Medication("baclofen", date(2025, 1, 1), None, True),
    )
    rec = _rec()
    text = render_text(_rec(record=PatientRecord(**{**_fields(rec.record), "medications": meds})))
    assert (
        "drugs on record: haloperidol (2026-11-24, intramuscular); baclofen (2025-01-01, current)"
        in _flat(text)
    )


def test_trial_daily_dose_is_shown() -> None:
    trial = TreatmentTrial("tetrabenazine", date(2025, 5, 1), None, True, None, 25.0)
    rec = _rec()
    text = render_text(_rec(record=PatientRecord(**{**_fields(rec.record), "trials": (trial,)})))
    assert "tried: tetrabenazine from 2025-05-01 (current, 25 mg/day)" in text


def _fields(record: PatientRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in PatientRecord.__dataclass_fields__}
