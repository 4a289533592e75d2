"""Mutated example Bundles through the whole `recommend` path (FHIR mapping, engine, text and
JSON output): each is either understood or refused with an error that names what is wrong;
never an unexpected exception. (This found a Bundle.type given as an array raising TypeError.)"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings

from dystonia_cds.commands.recommend import evaluate, render
from dystonia_cds.domain.errors import DystoniaCdsError
from mutation import mutated_bundles


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_bundles())
def test_a_mutated_bundle_is_read_or_refused_by_name(bundle: dict[str, Any]) -> None:
    data = orjson.dumps(bundle)
    try:
        result = evaluate(data, "mutated.json", date(2026, 11, 25))
    except DystoniaCdsError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        return  # a clear one-line error naming what is wrong (exit status 2 in the CLI)
    assert render(result, "text")
    assert orjson.loads(render(result, "json"))
