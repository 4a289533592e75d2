"""Wires a `HookRunner` to the real collaborators: the knowledge base in the app context, the
vocabulary and FHIR mapping (`dystonia_cds.fhir`), the engine. Built on first use, so that the
app starts even while one of them cannot be imported (the call then answers 503).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from dystonia_cds.cdshooks.errors import NotReady
from dystonia_cds.cdshooks.issued import CardLog
from dystonia_cds.cdshooks.service import FeaturesOn, HookRunner, PatientDirectory
from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import PatientRecord
from dystonia_cds.domain.recommendation import Recommendation

log = logging.getLogger(__name__)


def build_runner(ctx: AppContext, card_log: CardLog) -> HookRunner:
    from dystonia_cds.engine import recommend
    from dystonia_cds.fhir.mapping import record_from_resources
    from dystonia_cds.knowledge.vocabulary import load_vocabulary

    kb = ctx.knowledge

    def build_record(resources: Iterable[dict[str, Any]], patient_id: str) -> PatientRecord:
        record: PatientRecord = record_from_resources(resources, patient_id=patient_id)
        return record

    def evaluate(record: PatientRecord, on: date) -> Recommendation:
        result: Recommendation = recommend(record, kb, on=on)
        return result

    features = engine_features(kb)
    terms = getattr(kb, "terms", {})
    labels = {**terms.get("procedures", {}), **terms.get("ingredients", {})}
    sources = {key: src.short for key, src in getattr(kb, "sources", {}).items()}
    base = ctx.settings.public_url.rstrip("/")
    return HookRunner(
        kb=kb,
        vocab=load_vocabulary(),
        build_record=build_record,
        evaluate=evaluate,
        card_log=card_log,
        directory=PatientDirectory(ctx.sessions, base),
        fhir_timeout_s=ctx.settings.fhir_timeout_s,
        source_label=f"dystonia-cds (knowledge {kb.version})",
        sources=sources,
        labels=dict(labels),
        features=features,
        smart_launch_url=f"{base}/smart/launch" if ctx.settings.smart_clients else None,
    )


def engine_features(kb: Any) -> FeaturesOn | None:
    """The engine's feature words of a record, where the engine exposes them (else None: the
    order checks then rely on the engine's verdicts only)."""
    try:
        from dystonia_cds.engine.context import build_context
    except ImportError:
        return None

    def features(record: PatientRecord, on: date) -> frozenset[str]:
        return frozenset(build_context(record, kb, on).features)

    return features


class RunnerHolder:
    """Builds the runner once (`warm()` at start-up, else on first use) and, on the first
    call served, freezes what start-up loaded out of the garbage collector's way: the app,
    the knowledge base and the vocabulary are long-lived, and full collections that walk them
    otherwise pause a worker for tens of milliseconds (PERFORMANCE.md)."""

    def __init__(self, ctx: AppContext, card_log: CardLog) -> None:
        self.ctx = ctx
        self.card_log = card_log
        self._runner: HookRunner | None = None
        self._frozen = False

    def warm(self) -> None:
        try:
            self._build()
        except Exception as exc:  # reported again, as a 503, on the first call
            log.warning("CDS Hooks runner not built at start-up: %s", exc)

    def _build(self) -> HookRunner:
        if self._runner is None:
            try:
                self._runner = build_runner(self.ctx, self.card_log)
            except ImportError as exc:
                log.error("CDS Hooks cannot run: %s", exc)
                raise NotReady(f"the service is not ready: {exc}") from exc
        return self._runner

    def get(self) -> HookRunner:
        runner = self._build()
        if not self._frozen:
            self._frozen = True
            gc.freeze()
        return runner
