"""JWT authentication of CDS Hooks calls through a real uvicorn server on 127.0.0.1, with the
EHR's keys generated here and its JWKS served on loopback."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cdshooks_support import EhrKeys, serve
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from dystonia_cds.cdshooks.routes import install
from dystonia_cds.cdshooks.services import Service
from dystonia_cds.config import Settings
from dystonia_cds.context import AppContext
from dystonia_cds.store.database import open_database

PUBLIC = "https://cds.example.org"
ISSUER = "https://ehr.example.org"
SERVICE = "dystonia-treatment-options"
AUD = f"{PUBLIC}/cds-services/{SERVICE}"
BODY = {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p1"}}


class FakeRunner:
    """Stands in for the engine: the tests here are about who may call, not what comes back."""

    async def respond(self, service: Service, body: bytes, *_: Any) -> bytes:
        return b'{"cards":[]}'


def build_app(tmp: Path, settings: Settings) -> FastAPI:
    ctx = AppContext(
        settings=settings, sessions=open_database(settings.database_url), knowledge=None
    )  # type: ignore[arg-type]
    app = FastAPI()
    install(app, ctx)
    app.state.cdshooks.runners._runner = FakeRunner()
    return app


@pytest.fixture(scope="module")
def keys() -> EhrKeys:
    return EhrKeys()


@pytest.fixture(scope="module")
def jwks_url(keys: EhrKeys) -> Iterator[str]:
    with serve(keys.app()) as base:
        yield f"{base}/jwks"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, jwks_url: str) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("auth")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}",
        public_url=PUBLIC,
        trusted_issuers={ISSUER: jwks_url},
    )
    with serve(build_app(tmp, settings)) as base:
        yield base


def call(server: str, token: str | None, service: str = SERVICE, path: str = "") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"{server}/cds-services/{service}{path}", json=BODY, headers=headers, timeout=10
    )


def test_discovery_is_open_without_a_token(server: str) -> None:
    assert httpx.get(f"{server}/cds-services", timeout=10).status_code == 200


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_a_token_signed_by_a_trusted_ehr_key_is_accepted(
    server: str, keys: EhrKeys, kid: str
) -> None:
    response = call(server, keys.token(iss=ISSUER, aud=AUD, kid=kid))
    assert response.status_code == 200, response.text
    assert response.json() == {"cards": []}


def test_a_token_without_typ_and_living_exactly_5_minutes_is_accepted(
    server: str, keys: EhrKeys
) -> None:
    now = int(time.time())
    token = keys.token(iss=ISSUER, aud=AUD, iat=now, exp=now + 300, headers={"typ": None})
    assert "typ" not in jwt.get_unverified_header(token)
    assert call(server, token).status_code == 200


def test_aud_may_be_a_list_holding_the_service_url(server: str, keys: EhrKeys) -> None:
    assert call(server, keys.token(iss=ISSUER, aud=["https://other", AUD])).status_code == 200


def test_a_jku_equal_to_the_configured_jwks_url_is_accepted(
    server: str, keys: EhrKeys, jwks_url: str
) -> None:
    token = keys.token(iss=ISSUER, aud=AUD, headers={"jku": jwks_url})
    assert call(server, token).status_code == 200


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


REJECTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "bad signature": ({"key": "other"}, "signature"),
    "unknown issuer": ({"iss": "https://evil.example"}, "not trusted"),
    "wrong aud": ({"aud": f"{PUBLIC}/cds-services/other"}, "aud"),
    "expired": ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    "iat in the future": (
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200},
        "not valid yet",
    ),
    "unknown kid": ({"kid": "rsa-unknown"}, "kid"),
    "foreign jku": ({"headers": {"jku": "https://evil.example/jwks"}}, "jku"),
    "no jti": ({"jti": None}, "jti"),
    "exp not an integer": ({"exp": lambda: time.time() + 120.5}, "integers"),  # when signed
    "exp a string": ({"exp": str(int(time.time()) + 120)}, "exp"),
    "lives over 5 minutes": (
        {"iat": int(time.time()), "exp": int(time.time()) + 3600},
        "at most 5 minutes",
    ),
    "typ not JWT": ({"headers": {"typ": "at+jwt"}}, "typ"),
    "jti not a string": ({"jti": 12345}, "JWT ID"),
    "jti too long": ({"jti": "j" * 300}, "jti"),
}


@pytest.mark.parametrize("reason", sorted(REJECTIONS))
def test_a_bad_token_is_rejected_with_401_naming_the_reason(
    server: str, keys: EhrKeys, reason: str
) -> None:
    overrides, expected = REJECTIONS[reason]
    args: dict[str, Any] = {"iss": ISSUER, "aud": AUD}
    args.update({k: v() if callable(v) else v for k, v in overrides.items()})
    if args.get("key") == "other":
        args["key"] = _other_key()
    response = call(server, keys.token(**args))
    assert response.status_code == 401
    assert expected in response.json()["error"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_missing_token_is_rejected_with_401(server: str) -> None:
    response = call(server, None)
    assert response.status_code == 401
    assert "Authorization" in response.json()["error"]


def test_a_replayed_jti_is_rejected(server: str, keys: EhrKeys) -> None:
    token = keys.token(iss=ISSUER, aud=AUD)
    assert call(server, token).status_code == 200
    replay = call(server, token)
    assert replay.status_code == 401
    assert "replay" in replay.json()["error"]


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_symmetric_and_unsigned_tokens_are_rejected(server: str, alg: str) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUD, "iat": now, "exp": now + 60, "jti": f"j-{alg}"}
    key = "a-shared-secret-that-is-long-enough-for-hs256" if alg == "HS256" else None
    token = jwt.encode(claims, key, algorithm=alg, headers={"kid": "rsa-1"})
    response = call(server, token)
    assert response.status_code == 401
    assert "not allowed" in response.json()["error"]


def test_an_unknown_service_is_404_whatever_the_token(server: str, keys: EhrKeys) -> None:
    assert call(server, None, service="no-such-service").status_code == 404
    good = keys.token(iss=ISSUER, aud=f"{PUBLIC}/cds-services/no-such-service")
    assert call(server, good, service="no-such-service").status_code == 404


def test_feedback_needs_the_jwt_and_accepts_the_feedback_url_as_aud(
    server: str, keys: EhrKeys
) -> None:
    body = {
        "feedback": [
            {"card": "c-1", "outcome": "overridden", "outcomeTimestamp": "2026-01-01T00:00:00Z"}
        ]
    }
    url = f"{server}/cds-services/{SERVICE}/feedback"
    assert httpx.post(url, json=body, timeout=10).status_code == 401
    for aud in (AUD, f"{AUD}/feedback"):
        token = keys.token(iss=ISSUER, aud=aud)
        response = httpx.post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 200, response.text


def test_the_jwks_is_fetched_once_and_cached(server: str, keys: EhrKeys) -> None:
    before = keys.jwks_hits
    for _ in range(3):
        assert call(server, keys.token(iss=ISSUER, aud=AUD)).status_code == 200
    assert keys.jwks_hits - before <= 1


def test_insecure_dev_mode_skips_verification_and_says_so_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", insecure_dev=True)
    with caplog.at_level(logging.WARNING, logger="dystonia_cds.cdshooks.routes"):
        app = build_app(tmp_path, settings)
    assert any(
        "INSECURE DEV MODE" in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )
    with serve(app) as base:
        assert call(base, None).status_code == 200


def test_a_signed_call_through_the_whole_app_returns_cards(
    tmp_path: Path, keys: EhrKeys, jwks_url: str
) -> None:
    from cdshooks_support import condition, hook_body, patient

    from dystonia_cds.app import create_app

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        public_url=PUBLIC,
        trusted_issuers={ISSUER: jwks_url},
    )
    resources = [patient("jwt-1", 45), condition("jwt-1", "G24.3", "Spasmodic torticollis")]
    with serve(create_app(settings)) as base:
        token = keys.token(iss=ISSUER, aud=AUD, kid="ec-1")
        response = httpx.post(
            f"{base}/cds-services/{SERVICE}",
            json=hook_body("patient-view", "jwt-1", resources),
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )
        unsigned = httpx.post(
            f"{base}/cds-services/{SERVICE}",
            json=hook_body("patient-view", "jwt-1", resources),
            timeout=20,
        )
    assert response.status_code == 200, response.text
    assert "botulinum-toxin" in [c["source"]["topic"]["code"] for c in response.json()["cards"]]
    assert unsigned.status_code == 401


@pytest.fixture(scope="module")
def two_workers(
    tmp_path_factory: pytest.TempPathFactory, jwks_url: str, redis_url: str
) -> Iterator[tuple[str, str]]:
    """Two servers (as two workers or two nodes would be) sharing one Redis replay store."""
    tmp = tmp_path_factory.mktemp("replay")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}",
        public_url=PUBLIC,
        trusted_issuers={ISSUER: jwks_url},
        replay_cache_url=redis_url,
    )
    with (  # lifespan on: shutting down closes each server's Redis connections
        serve(build_app(tmp, settings), lifespan="on") as first,
        serve(build_app(tmp, settings), lifespan="on") as second,
    ):
        yield first, second


def test_a_token_replayed_to_another_worker_is_rejected_with_a_shared_store(
    two_workers: tuple[str, str], keys: EhrKeys
) -> None:
    first, second = two_workers
    token = keys.token(iss=ISSUER, aud=AUD)
    assert call(first, token).status_code == 200
    replay = call(second, token)
    assert replay.status_code == 401
    assert "replay" in replay.json()["error"]
    assert call(second, keys.token(iss=ISSUER, aud=AUD)).status_code == 200  # a fresh jti


def test_without_a_shared_store_each_worker_keeps_its_own_replay_cache(
    server: str, tmp_path_factory: pytest.TempPathFactory, jwks_url: str, keys: EhrKeys
) -> None:
    """The documented limit of the default: a replay on another worker is not seen."""
    tmp = tmp_path_factory.mktemp("own")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'db.sqlite'}",
        public_url=PUBLIC,
        trusted_issuers={ISSUER: jwks_url},
    )
    token = keys.token(iss=ISSUER, aud=AUD)
    with serve(build_app(tmp, settings)) as other:
        assert call(server, token).status_code == 200
        assert call(other, token).status_code == 200
