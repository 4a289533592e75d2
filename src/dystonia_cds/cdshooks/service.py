"""One hook call from body bytes to the response: parse, complete the prefetch, build the
patient record (H2's mapping), evaluate (H1's engine) on the service's own current date, turn
the result into cards and log them for feedback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.cdshooks.cards import CardSettings, finding_card, treatment_cards
from dystonia_cds.cdshooks.evaluations import EvaluationCache
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.order_safety import OrderChecker
from dystonia_cds.cdshooks.orders import VocabularyLike, read_order
from dystonia_cds.cdshooks.payload import HookRequest, draft_orders, parse_hook_request
from dystonia_cds.cdshooks.prefetch import complete_prefetch
from dystonia_cds.cdshooks.services import TREATMENT_OPTIONS, Service
from dystonia_cds.cdshooks.suggestions import SuggestionMaker
from dystonia_cds.domain.errors import DystoniaCdsError, InvalidInput
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Recommendation

log = logging.getLogger(__name__)
BuildRecord = Callable[[Iterable[dict[str, Any]], str], PatientRecord]
Evaluate = Callable[[PatientRecord, date], Recommendation]
FeaturesOn = Callable[[PatientRecord, date], frozenset[str]]


@dataclass(slots=True)
class PatientDirectory:
    """Whether a patient id exists in the store (for the card link), cached briefly.

    One lookup per patient at a time: calls that arrive while it runs await the same answer
    (without this, every concurrent call for a patient whose entry just expired started its
    own database query in a thread, and dozens of threads contending for the GIL stalled the
    event loop)."""

    sessions: sessionmaker[Session]
    base_url: str
    known_ttl_s: float = 60.0
    unknown_ttl_s: float = 2.0
    _cache: dict[str, tuple[bool, float]] = field(default_factory=dict)
    _pending: dict[str, asyncio.Future[bool]] = field(default_factory=dict)

    async def url_for(self, patient_id: str) -> str | None:
        hit = self._cache.get(patient_id)
        if hit is None or hit[1] < time.monotonic():
            exists = await self._lookup(patient_id)
        else:
            exists = hit[0]
        return f"{self.base_url}/patients/{patient_id}" if exists else None

    async def _lookup(self, patient_id: str) -> bool:
        pending = self._pending.get(patient_id)
        if pending is not None:
            return await _shared(pending)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[patient_id] = future
        try:
            exists = await to_thread.run_sync(self._exists, patient_id)
        except BaseException:  # cancelled (_exists itself never raises): waiters get no link
            future.cancel()
            raise
        finally:
            del self._pending[patient_id]
        ttl = self.known_ttl_s if exists else self.unknown_ttl_s
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[patient_id] = (exists, time.monotonic() + ttl)
        future.set_result(exists)
        return exists

    def _exists(self, patient_id: str) -> bool:
        try:
            from dystonia_cds.store.care_models import Patient
        except ImportError:
            return False
        try:
            with self.sessions() as session:
                return (
                    session.scalar(select(Patient.id).where(Patient.id == patient_id)) is not None
                )
        except Exception:  # the link is optional; never fail a hook call over it
            log.warning("patient lookup for the card link failed", exc_info=True)
            return False


async def _shared(lookup: asyncio.Future[bool]) -> bool:
    """The answer of a lookup another call started (False when that call was cancelled)."""
    try:
        return await asyncio.shield(lookup)
    except asyncio.CancelledError:
        if not lookup.cancelled():
            raise  # this call itself is being cancelled
        return False


def on_date(
    features: FeaturesOn | None, today: date
) -> Callable[[PatientRecord], frozenset[str]] | None:
    if features is None:
        return None
    return lambda record: features(record, today)


@dataclass(slots=True)
class HookRunner:
    """Runs hook calls; every collaborator is injected (tests pass fakes)."""

    kb: Any
    vocab: VocabularyLike
    build_record: BuildRecord
    evaluate: Evaluate
    card_log: CardLog
    directory: PatientDirectory
    fhir_timeout_s: float
    source_label: str
    sources: dict[str, str]
    labels: dict[str, str]
    cache: EvaluationCache = field(default_factory=EvaluationCache)
    features: FeaturesOn | None = None  # the engine's features of a record on a date

    def settings_for(self, patient_url: str | None) -> CardSettings:
        maker = SuggestionMaker(self.vocab.emit_code, self.labels)
        return CardSettings(
            self.source_label, self.sources, maker, self.kb.drug_classes, patient_url
        )

    async def respond(self, service: Service, body: bytes) -> bytes:
        """The JSON response body of a hook call."""
        return orjson.dumps(await self.run(service, body))

    async def run(self, service: Service, body: bytes) -> dict[str, Any]:
        request = parse_hook_request(body, service)
        orders = None
        if service.id != TREATMENT_OPTIONS:
            orders = [read_order(o, self.vocab) for o in draft_orders(request)]
        await complete_prefetch(request, self.fhir_timeout_s)
        today = date.today()
        record, baseline = self.evaluation(request, today)
        cs = self.settings_for(await self.directory.url_for(request.patient_id))
        if orders is None:
            cards = treatment_cards(baseline, cs)
        else:
            features = on_date(self.features, today)
            checker = OrderChecker(
                self.kb, lambda r: baseline if r is record else self.evaluate(r, today), features
            )
            cards = [finding_card(f, cs) for f in checker.check(record, orders, today)]
        self.card_log.record(service.id, cards)
        return {"cards": cards}

    def evaluation(self, request: HookRequest, today: date) -> tuple[PatientRecord, Recommendation]:
        """The patient's record and recommendation, from the cache when the prefetch repeats."""
        key = (request.digest, request.patient_id, today) if request.digest else None
        cached = self.cache.get(key) if key else None
        if cached is not None:
            return cached
        record = self.record(request)
        recommendation = self.evaluate(record, today)
        if key:
            self.cache.put(key, record, recommendation)
        return record, recommendation

    def record(self, request: HookRequest) -> PatientRecord:
        try:
            return self.build_record(request.resources, request.patient_id)
        except DystoniaCdsError:
            raise
        except Exception as exc:  # malformed resources the mapping did not foresee
            log.warning("prefetch could not be mapped: %s", type(exc).__name__)
            raise InvalidInput(
                f"the prefetched resources could not be read ({type(exc).__name__})",
                location="prefetch",
            ) from exc
