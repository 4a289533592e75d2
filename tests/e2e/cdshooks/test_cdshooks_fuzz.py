"""Fuzzing the CDS Hooks routes: schemathesis against their OpenAPI (real uvicorn server on
127.0.0.1, insecure dev mode so bodies reach the parsers), and hypothesis-generated hook bodies
with arbitrary prefetch content. Neither may ever produce a 5xx."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from cdshooks_support import serve
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds.app import create_context
from dystonia_cds.cdshooks.routes import install
from dystonia_cds.config import Settings

SERVICES = [
    "dystonia-treatment-options",
    "dystonia-order-safety",
    "dystonia-order-select",
    "unknown-service",
]


_TMP = tempfile.mkdtemp(prefix="dcds-fuzz-")
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_SETTINGS = Settings(
    database_url=f"sqlite:///{_TMP}/db.sqlite", insecure_dev=True, max_body_bytes=100_000
)
# The CDS Hooks routes alone (the same OpenAPI as in the whole app), so that this module does
# not depend on the other adapters importing cleanly at collection time.
APP = FastAPI()
install(APP, create_context(_SETTINGS))
schema = schemathesis.openapi.from_dict(APP.openapi()).include(
    path_regex="^/(cds-services|feedback)"
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error_on_the_cds_routes(case: Any, base: str) -> None:
    response = case.call(base_url=base)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
json_any = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
fhir_types = st.sampled_from(
    [
        "Patient",
        "Condition",
        "MedicationRequest",
        "MedicationStatement",
        "MedicationAdministration",
        "Procedure",
        "Observation",
        "Bundle",
        "OperationOutcome",
    ]
)
resource = st.fixed_dictionaries(
    {"resourceType": fhir_types},
    optional={
        "id": st.text(max_size=5),
        "status": st.sampled_from(["active", "completed", "draft", "entered-in-error", 3]),
        "subject": st.just({"reference": "Patient/p"}) | json_any,
        "code": st.fixed_dictionaries(
            {}, optional={"text": st.text(max_size=30), "coding": json_any}
        )
        | json_any,
        "medicationCodeableConcept": st.fixed_dictionaries(
            {}, optional={"text": st.sampled_from(["haloperidol", "baclofen 10 mg", "botox"])}
        )
        | json_any,
        "birthDate": st.sampled_from(["2010-01-01", "1950-13-40", "x"]) | json_any,
        "authoredOn": st.sampled_from(["2026-01-01", "not a date"]) | json_any,
        "entry": st.lists(st.fixed_dictionaries({"resource": json_any}), max_size=2) | json_any,
    },
)
links = st.lists(
    st.fixed_dictionaries(
        {
            "relation": st.sampled_from(["next", "self"]) | json_any,
            "url": st.sampled_from(
                ["http://127.0.0.1:9/fhir/Condition?page=2", "http://evil.example/x", "/rel"]
            )
            | json_any,
        }
    ),
    max_size=2,
)
bundle = st.builds(
    lambda rs, ls: {
        "resourceType": "Bundle",
        "entry": [{"resource": r} for r in rs],
        **({"link": ls} if ls else {}),
    },
    st.lists(resource, max_size=4),
    links | json_any,
)
prefetch_value = st.none() | resource | bundle | json_any
prefetch = st.dictionaries(
    st.sampled_from(
        [
            "patient",
            "conditions",
            "medicationRequests",
            "medicationStatements",
            "medicationAdministrations",
            "procedures",
            "observations",
        ]
    ),
    prefetch_value,
    max_size=7,
)
hook_body = st.fixed_dictionaries(
    {
        "hook": st.sampled_from(["patient-view", "order-sign", "order-select"]) | json_any,
        "hookInstance": st.text(max_size=5),
        "context": st.fixed_dictionaries(
            {"patientId": st.just("p") | st.text(max_size=70) | json_any},
            optional={"draftOrders": bundle | json_any, "selections": json_any},
        )
        | json_any,
    },
    optional={
        "prefetch": prefetch | json_any,
        "fhirServer": st.sampled_from(
            [
                "http://127.0.0.1:9/fhir",
                "http://[::1/fhir",
                "http://u:p@127.0.0.1:9/fhir",
                "http://127.0.0.1:9/fhir/../admin",
                "http://127.0.0.1:99999/fhir",
                "http://127.0.0.1:9/fhir\u0000",
            ]
        )
        | st.text(max_size=30)
        | json_any,
    },
)


@given(body=hook_body, service=st.sampled_from(SERVICES))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_hook_bodies_never_cause_a_server_error(
    base: str, body: dict[str, Any], service: str
) -> None:
    response = httpx.post(f"{base}/cds-services/{service}", json=body, timeout=20)
    assert response.status_code in (200, 400, 404, 412), response.text[:300]
