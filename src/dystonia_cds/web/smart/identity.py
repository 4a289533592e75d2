"""Who the clinician is: the `fhirUser` claim of the EHR's OpenID Connect id token.

The id token's signature is checked against the EHR's keys when its SMART configuration
publishes `jwks_uri`; without one, the token is trusted as it came straight from the EHR's token
endpoint (OpenID Connect, code flow). Either way `aud` must be our client id, `exp` in the
future, and `iss` the EHR's published issuer or a URL on the origin of the EHR's FHIR server
or issuer. A `fhirUser` naming a Patient or RelatedPerson is refused: this app is for clinicians.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from dystonia_cds.web.smart.clients import SmartError

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]
LEEWAY_S = 60
NOT_CLINICIANS = ("Patient/", "RelatedPerson/")


def refused(message: str) -> SmartError:
    return SmartError(401, "Sign-in through the EHR failed", message)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


async def fetch_jwks(http: httpx.AsyncClient, jwks_uri: str) -> dict[str, Any]:
    try:
        response = await http.get(jwks_uri, headers={"accept": "application/json"})
        response.raise_for_status()
        jwks = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise refused("The EHR's keys (jwks_uri) could not be read.") from exc
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise refused("The EHR's keys (jwks_uri) are not a JSON Web Key Set.")
    return jwks


def signed_claims(id_token: str, jwks: dict[str, Any], client_id: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except jwt.PyJWTError as exc:
        raise refused("The EHR's id token or keys cannot be read.") from exc
    kid = header.get("kid")
    candidates = [k for k in keys if kid is None or k.key_id == kid]
    for key in candidates:
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=client_id,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"], "verify_iss": False},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise refused(f"The EHR's id token is not valid ({type(exc).__name__}).") from exc
        return claims
    raise refused("The EHR's id token is not signed by the EHR's keys.")


def unsigned_claims(id_token: str, client_id: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise refused("The EHR's id token cannot be read.") from exc
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise refused("The EHR's id token is for another app (aud).")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY_S < time.time():
        raise refused("The EHR's id token has expired.")
    return claims


def check_issuer(claims: dict[str, Any], iss: str, issuer: str | None) -> None:
    claimed = claims.get("iss")
    if not isinstance(claimed, str):
        raise refused("The EHR's id token names no issuer.")
    if claimed == issuer:
        return
    if _origin(claimed) not in {_origin(iss), _origin(issuer or iss)}:
        raise refused("The EHR's id token comes from another issuer.")


def fhir_user(claims: dict[str, Any]) -> str:
    """The clinician's FHIR identity (`fhirUser`, e.g. "Practitioner/12")."""
    value = claims.get("fhirUser")
    if not isinstance(value, str) or not value or len(value) > 500:
        raise refused("The EHR did not say who you are (no fhirUser in the id token).")
    resource = value.split("/_history/")[0].rsplit("/", 2)
    if len(resource) >= 2 and f"{resource[-2]}/" in NOT_CLINICIANS:
        raise refused("This app is for clinicians; the EHR user is a patient or relative.")
    return value


async def identify(
    http: httpx.AsyncClient,
    id_token: Any,
    *,
    client_id: str,
    iss: str,
    endpoints: dict[str, str],
) -> tuple[str, dict[str, Any]]:
    """The clinician's `fhirUser` and the id token's claims, or `SmartError` (401)."""
    if not isinstance(id_token, str) or not id_token:
        raise refused("The EHR sent no id token (scopes openid fhirUser).")
    jwks_uri = endpoints.get("jwks_uri")
    if jwks_uri:
        claims = signed_claims(id_token, await fetch_jwks(http, jwks_uri), client_id)
    else:
        claims = unsigned_claims(id_token, client_id)
    check_issuer(claims, iss, endpoints.get("issuer"))
    return fhir_user(claims), claims
