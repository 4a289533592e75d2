"""Pieces of the JWT check: bearer parsing, the replay cache, the JWKS cache (key rotation,
broken sets) with an injected httpx transport."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dystonia_cds.cdshooks import auth
from dystonia_cds.cdshooks.auth import JwksCache, bearer_token
from dystonia_cds.cdshooks.replay import LocalReplayCache
from dystonia_cds.domain.errors import AuthenticationError


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_a_missing_or_non_bearer_authorization_is_refused(header: str | None) -> None:
    with pytest.raises(AuthenticationError):
        bearer_token(header)


def test_bearer_token_is_taken_from_the_header() -> None:
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer  xyz ") == "xyz"


def test_a_jti_is_refused_again_until_its_token_expires() -> None:
    cache = LocalReplayCache()
    assert cache.remember_now("iss", "j1", exp=100.0, now=10.0)
    assert not cache.remember_now("iss", "j1", exp=100.0, now=20.0)
    assert cache.remember_now("other-iss", "j1", exp=100.0, now=20.0)
    assert cache.remember_now("iss", "j1", exp=300.0, now=150.0)  # the first token has expired


def jwk(kid: str) -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    out: dict[str, Any] = jwt.algorithms.ECAlgorithm.to_jwk(key, as_dict=True)
    out.update(kid=kid, use="sig")
    return out


def test_an_unknown_kid_refetches_the_jwks_once_for_key_rotation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sets = [{"keys": [jwk("k1")]}, {"keys": [jwk("k1"), jwk("k2")]}]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=sets[min(len(calls), 2) - 1])

    monkeypatch.setattr(auth, "MIN_REFETCH_S", 0.0)
    cache = JwksCache(ttl_s=300, transport=httpx.MockTransport(handler))

    async def scenario() -> None:
        await cache.key("https://ehr/jwks", "k1")
        await cache.key("https://ehr/jwks", "k1")
        assert len(calls) == 1  # cached
        await cache.key("https://ehr/jwks", "k2")
        assert len(calls) == 2  # rotated in
        with pytest.raises(AuthenticationError, match="kid 'k3'"):
            await cache.key("https://ehr/jwks", "k3")

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500),
        httpx.Response(200, content=b"not json"),
        httpx.Response(200, json={"nokeys": 1}),
    ],
)
def test_an_unreachable_or_broken_jwks_is_an_authentication_error(response: httpx.Response) -> None:
    cache = JwksCache(ttl_s=300, transport=httpx.MockTransport(lambda _r: response))
    with pytest.raises(AuthenticationError, match="JWKS"):
        asyncio.run(cache.key("https://ehr/jwks", "k1"))


# ---- FHIR servers bound to issuers ------------------------------------------------------------


def test_issuers_take_both_forms_and_compare_fhir_servers_as_base_urls() -> None:
    from dystonia_cds.cdshooks.issuers import Issuer, issuers_from
    from dystonia_cds.config import TrustedIssuer

    issuers = issuers_from(
        {
            "https://plain": "https://plain/jwks",
            "https://bound": TrustedIssuer(
                jwks_url="https://bound/jwks",
                fhir_servers=["HTTPS://EHR.example:443/fhir/", "http://10.0.0.5:8080/r4"],
            ),
        }
    )
    assert issuers["https://plain"] == Issuer("https://plain/jwks", frozenset())
    assert issuers["https://bound"].fhir_servers == {
        "https://ehr.example/fhir",
        "http://10.0.0.5:8080/r4",
    }


def test_a_fhir_server_that_is_not_a_base_url_stops_start_up_naming_it() -> None:
    from dystonia_cds.cdshooks.issuers import issuers_from
    from dystonia_cds.config import TrustedIssuer
    from dystonia_cds.domain.errors import InvalidInput

    bad = TrustedIssuer(jwks_url="https://i/jwks", fhir_servers=["ftp://ehr/fhir"])
    with pytest.raises(InvalidInput, match=r"\['https://i'\].fhir_servers: 'ftp://ehr/fhir'"):
        issuers_from({"https://i": bad})


@pytest.mark.parametrize(
    "url",
    [
        "ftp://ehr/fhir",
        "http://user:pw@ehr/fhir",
        "http://ehr/fhir?x=1",
        "http://ehr/fhir#x",
        "http://ehr/fhir/../admin",
        "http://ehr/./fhir",
        "http://ehr:99999/fhir",
        "http://[::1/fhir",
        "http://ehr/fh ir",
        "http://ehr/fhir\x00",
        "http:///fhir",
        "//ehr/fhir",
    ],
)
def test_what_is_not_a_plain_http_base_url_has_no_normal_form(url: str) -> None:
    from dystonia_cds.cdshooks.issuers import normal_base

    assert normal_base(url) is None


def test_origins_compare_scheme_host_and_port() -> None:
    from dystonia_cds.cdshooks.issuers import origin

    assert origin("https://EHR.example:443/fhir?_getpages=x") == "https://ehr.example"
    assert origin("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin("http://127.0.0.1:8081/x") != origin("http://127.0.0.1:8080/x")
    assert origin("/relative") is None
