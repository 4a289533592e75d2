"""What the service emits is valid FHIR: suggested MedicationRequest and ServiceRequest
resources validated with fhir.resources (R4B, the R4-compatible models); and repeated prefetch
is evaluated once per process while cards stay fresh."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from dystonia_cds.cdshooks.cardids import key_of, topic_key
from dystonia_cds.cdshooks.cards import CardSettings, treatment_cards
from dystonia_cds.cdshooks.evaluations import Evaluation, EvaluationCache, prefetch_digest, render
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.service import HookRunner, PatientDirectory
from dystonia_cds.cdshooks.services import PREFETCH_TYPES, SERVICES
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


def fake_runner(
    evaluate: Callable[[PatientRecord, date], Recommendation], card_log: CardLog
) -> HookRunner:
    """A runner whose record and evaluation are stand-ins (the tests here are about caching)."""
    return HookRunner(
        kb=type("Kb", (), {"drug_classes": staticmethod(lambda _i: frozenset())})(),
        vocab=load_vocabulary(),
        build_record=lambda _resources, pid: PatientRecord(pid),
        evaluate=evaluate,
        card_log=card_log,
        directory=Directory(None, ""),  # type: ignore[arg-type]
        fhir_timeout_s=1,
        source_label="test",
        sources={},
        labels={},
    )


def empty_prefetch_call(**extra: Any) -> bytes:
    """A patient-view call for patient "p" with every prefetch key present and empty."""
    prefetch = dict.fromkeys(PREFETCH_TYPES)
    call = {
        "hook": "patient-view",
        "hookInstance": "0",
        **extra,
        "context": {"patientId": "p"},
        "prefetch": prefetch,
    }
    return orjson.dumps(call)


def test_a_repeated_prefetch_is_evaluated_once_and_cards_get_new_uuids() -> None:
    calls: list[PatientRecord] = []

    def evaluate(record: PatientRecord, on: date) -> Recommendation:
        calls.append(record)
        return Recommendation(record, on, None, (option("baclofen"),), (), (), "t")

    class Log(CardLog):
        def record(self, service_id: str, cards: list[dict[str, Any]]) -> None:
            pass

    runner = fake_runner(evaluate, Log(None))  # type: ignore[arg-type]
    body = empty_prefetch_call(hookInstance="1")
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
    assert cache.get((bytes([2]), "p", date(2026, 1, 1))) == Evaluation(record, rec)
    assert prefetch_digest({"a": 1}) == prefetch_digest({"a": 1}) != prefetch_digest({"a": 2})
    assert prefetch_digest(None) is None


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def masked(body: bytes) -> bytes:
    return UUID_TEXT.sub("<uuid>", body.decode()).encode()


def test_rendered_cards_are_the_cards_with_fresh_uuids_in_place() -> None:
    maker = SuggestionMaker(load_vocabulary().emit_code, {})
    cs = CardSettings("test", {}, maker, lambda _i: frozenset(), "https://x/patients/p")
    options = tuple(
        option(o) for o in ("botulinum-toxin", "baclofen", "clonazepam", "levodopa-trial")
    )
    rec = Recommendation(PatientRecord("p"), date(2026, 1, 1), None, options, (), (), "t")
    cards = treatment_cards(rec, cs)
    original = orjson.dumps({"cards": cards})
    rendered = render(cards)
    first, second = rendered.fresh(), rendered.fresh()
    assert masked(first) == masked(second) == masked(original)
    old = set(UUID_TEXT.findall(original.decode()))
    new = [UUID_TEXT.findall(b.decode()) for b in (first, second)]
    assert len(new[0]) == len(old) == len(rendered.parts) - 1
    assert not old & set(new[0])
    assert not set(new[0]) & set(new[1])
    for card, fresh in zip(cards, orjson.loads(first)["cards"], strict=True):
        assert key_of(fresh["uuid"]) == topic_key(card["source"]["topic"]["code"])
    assert rendered.issued == tuple((c["source"]["topic"]["code"], c["indicator"]) for c in cards)


def test_a_repeated_call_issues_the_same_cards_with_new_uuids_and_counts_them() -> None:
    counted: list[tuple[str, str]] = []

    class Log(CardLog):
        def count(self, service_id: str, issued: Collection[tuple[str, str]]) -> None:
            counted.extend(issued)

    def evaluate(r: PatientRecord, on: date) -> Recommendation:
        return Recommendation(
            r, on, None, (option("botulinum-toxin"), option("baclofen")), (), (), "t"
        )

    runner = fake_runner(evaluate, Log(None))  # type: ignore[arg-type]
    body = empty_prefetch_call()
    service = SERVICES["dystonia-treatment-options"]
    bodies = [asyncio.run(runner.respond(service, body)) for _ in range(4)]
    assert len({masked(b) for b in bodies}) == 1  # the first built, the second rendered ...
    assert len(set(bodies)) == 4
    assert runner.cache.hits == 3
    assert counted == [("botulinum-toxin", "info"), ("baclofen", "info")] * 4
