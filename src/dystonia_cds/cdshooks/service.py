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

from dystonia_cds.cdshooks.audit import CallNote
from dystonia_cds.cdshooks.cards import CardSettings, finding_card, treatment_cards
from dystonia_cds.cdshooks.evaluations import Evaluation, EvaluationCache, render
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.order_safety import OrderChecker
from dystonia_cds.cdshooks.orders import VocabularyLike, read_order
from dystonia_cds.cdshooks.payload import HookRequest, draft_orders, load_prefetch, read_envelope
from dystonia_cds.cdshooks.prefetch import Servers, complete_prefetch
from dystonia_cds.cdshooks.services import Service
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
    smart_launch_url: str | None = None  # cards link to SMART launch when SMART is configured

    _suggestions: SuggestionMaker | None = None

    def settings_for(self, patient_url: str | None) -> CardSettings:
        if self._suggestions is None:
            self._suggestions = SuggestionMaker(self.vocab.emit_code, self.labels)
        return CardSettings(
            self.source_label,
            self.sources,
            self._suggestions,
            self.kb.drug_classes,
            patient_url,
            smart_launch_url=self.smart_launch_url,
            option_of=getattr(self.kb, "treatment_options", {}).get,
        )

    async def run(
        self, service: Service, body: bytes, servers: Servers = frozenset()
    ) -> dict[str, Any]:
        """`respond`, decoded."""
        result: dict[str, Any] = orjson.loads(await self.respond(service, body, servers))
        return result

    async def respond(
        self,
        service: Service,
        body: bytes,
        servers: Servers = frozenset(),
        note: CallNote | None = None,
    ) -> bytes:
        """The JSON response body (`{"cards": [...]}`) of a hook call. `servers`: the FHIR base
        URLs the fallback fetch may reach (None: any, insecure development mode only); `note`
        receives the patient, hook and card topics for the audit trail."""
        note = note or CallNote()
        request = read_envelope(body, service)
        note.patient_id, note.hook = request.patient_id, request.hook
        user = request.context.get("userId")
        if isinstance(user, str) and user:  # printable only: any backend stores the audit row
            note.actor += " " + "".join(c if c.isprintable() else "?" for c in user[:100])
        today = date.today()
        key = (request.digest, request.patient_id, today) if request.digest else None
        cached = self.cache.get(key) if key else None
        if cached is None:
            load_prefetch(request)  # skipped on a hit: these bytes were read and checked before
        orders = None
        if service.orders:
            orders = [read_order(o, self.vocab) for o in draft_orders(request)]
        await complete_prefetch(request, self.fhir_timeout_s, servers)
        entry = cached or self.evaluation(request, today)
        url = await self.directory.url_for(request.patient_id)
        if orders is None:
            return self.treatment_body(
                service.id, entry, url, repeated=cached is not None, note=note
            )
        record, baseline = entry.record, entry.recommendation
        features = on_date(self.features, today)
        checker = OrderChecker(
            self.kb, lambda r: baseline if r is record else self.evaluate(r, today), features
        )
        cs = self.settings_for(url)
        cards = [finding_card(f, cs) for f in checker.check(record, orders, today)]
        self.card_log.record(service.id, cards)
        note.topics = tuple(c["source"]["topic"]["code"] for c in cards)
        return orjson.dumps({"cards": cards})

    def treatment_body(
        self,
        service_id: str,
        entry: Evaluation,
        url: str | None,
        *,
        repeated: bool,
        note: CallNote | None = None,
    ) -> bytes:
        """The treatment cards; for a repeated evaluation, encoded once and issued with fresh
        uuids from then on."""
        note = note or CallNote()
        rendered = entry.rendered.get(url)
        if rendered is None:
            cards = treatment_cards(entry.recommendation, self.settings_for(url))
            if not repeated:
                self.card_log.record(service_id, cards)
                note.topics = tuple(c["source"]["topic"]["code"] for c in cards)
                return orjson.dumps({"cards": cards})
            rendered = entry.rendered[url] = render(cards)
        self.card_log.count(service_id, rendered.issued)
        note.topics = tuple(topic for topic, _ in rendered.issued)
        return rendered.fresh()

    def evaluation(self, request: HookRequest, today: date) -> Evaluation:
        """The patient's record and recommendation, cached when the prefetch was complete."""
        record = self.record(request)
        recommendation = self.evaluate(record, today)
        if request.digest:
            return self.cache.put(
                (request.digest, request.patient_id, today), record, recommendation
            )
        return Evaluation(record, recommendation)

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
