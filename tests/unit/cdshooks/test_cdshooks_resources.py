"""What the service emits is valid FHIR: suggested MedicationRequest and ServiceRequest
resources validated with fhir.resources (R4B, the R4-compatible models); and repeated prefetch
is evaluated once per process while cards stay fresh."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from dystonia_cds.cdshooks.evaluations import EvaluationCache, prefetch_digest
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.service import HookRunner, PatientDirectory
from dystonia_cds.cdshooks.services import SERVICES
from dystonia_cds.cdshooks.suggestions import SuggestionMaker
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Option, Provenance, Recommendation, Strength
from dystonia_cds.knowledge.vocabulary import load_vocabulary

PROV = Provenance("r", (), "t")


def option(oid: str) -> Option:
    return Option(oid, 1, Strength.RECOMMENDED, oid.title(), ("why",), (), (), PROV)


@pytest.mark.parametrize(
    "oid",
    [
        "baclofen",
        "levodopa-trial",
        "diphenhydramine",
        "botulinum-toxin",
        "deep-brain-stimulation",
        "rehabilitation-therapy",
    ],
)
def test_suggested_resources_are_valid_fhir(oid: str) -> None:
    maker = SuggestionMaker(load_vocabulary().emit_code, {})
    resource = maker.for_option(option(oid), "p1")[0]["actions"][0]["resource"]
    model = MedicationRequest if resource["resourceType"] == "MedicationRequest" else ServiceRequest
    model.model_validate(resource)


class Directory(PatientDirectory):
    async def url_for(self, patient_id: str) -> str | None:
        return None


def test_a_repeated_prefetch_is_evaluated_once_and_cards_get_new_uuids() -> None:
    calls: list[PatientRecord] = []

    def evaluate(record: PatientRecord, on: date) -> Recommendation:
        calls.append(record)
        return Recommendation(record, on, None, (option("baclofen"),), (), (), "t")

    class Log(CardLog):
        def record(self, service_id: str, cards: list[dict[str, Any]]) -> None:
            pass

    runner = HookRunner(
        kb=type("Kb", (), {"drug_classes": staticmethod(lambda _i: frozenset())})(),
        vocab=load_vocabulary(),
        build_record=lambda _resources, pid: PatientRecord(pid),
        evaluate=evaluate,
        card_log=Log(None),  # type: ignore[arg-type]
        directory=Directory(None, ""),  # type: ignore[arg-type]
        fhir_timeout_s=1,
        source_label="test",
        sources={},
        labels={},
    )
    prefetch = dict.fromkeys(
        [
            "patient",
            "conditions",
            "medicationRequests",
            "medicationStatements",
            "medicationAdministrations",
            "procedures",
            "observations",
        ]
    )
    body = orjson.dumps(
        {
            "hook": "patient-view",
            "hookInstance": "1",
            "context": {"patientId": "p"},
            "prefetch": prefetch,
        }
    )
    service = SERVICES["dystonia-treatment-options"]
    first = asyncio.run(runner.run(service, body))
    second = asyncio.run(
        runner.run(service, body.replace(b'"hookInstance":"1"', b'"hookInstance":"2"'))
    )
    assert len(calls) == 1
    assert first["cards"][0]["uuid"] != second["cards"][0]["uuid"]
    other = body.replace(b'"patientId":"p"', b'"patientId":"q"')
    asyncio.run(runner.run(service, other))
    assert len(calls) == 2


def test_the_cache_is_bounded_and_keys_on_content() -> None:
    cache = EvaluationCache(size=2)
    record = PatientRecord("p")
    rec = Recommendation(record, date(2026, 1, 1), None, (), (), (), "t")
    for n in range(3):
        cache.put((bytes([n]), "p", date(2026, 1, 1)), record, rec)
    assert cache.get((bytes([0]), "p", date(2026, 1, 1))) is None
    assert cache.get((bytes([2]), "p", date(2026, 1, 1))) == (record, rec)
    assert prefetch_digest({"a": 1}) == prefetch_digest({"a": 1}) != prefetch_digest({"a": 2})
    assert prefetch_digest(None) is None
