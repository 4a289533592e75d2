"""OAuth 2 with the EHR through Authlib's httpx client: discovery of the EHR's endpoints
(`{iss}/.well-known/smart-configuration`), the authorization URL (PKCE S256, `state`,
`aud` = `iss`, `launch`), the code exchange and the refresh.

Nothing here logs a token or a code; errors become `SmartError` naming what failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from dystonia_cds.web.smart.clients import SmartClient, SmartError

log = logging.getLogger(__name__)
LAUNCH_TTL_S = 600  # an authorization must come back within ten minutes
DEFAULT_TOKEN_S = 300  # when the EHR does not say how long its token lasts


@dataclass(frozen=True, slots=True)
class SmartConfiguration:
    """What the EHR's `.well-known/smart-configuration` publishes (the parts used here)."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str | None
    issuer: str | None
    capabilities: frozenset[str]

    @property
    def v2_scopes(self) -> bool:
        return "permission-v2" in self.capabilities or "permission-v1" not in self.capabilities

    def endpoints(self) -> dict[str, str]:
        found = {"token_endpoint": self.token_endpoint, "jwks_uri": self.jwks_uri}
        found["issuer"] = self.issuer
        return {k: v for k, v in found.items() if v}


def _unavailable(what: str) -> SmartError:
    return SmartError(502, "The EHR did not answer as expected", what)


def _endpoint(config: dict[str, Any], name: str, iss: str, required: bool) -> str | None:
    value = config.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("https", "http"):
        raise _unavailable(f"The EHR's SMART configuration has no valid {name}.")
    if urlsplit(iss).scheme == "https" and urlsplit(value).scheme != "https":
        raise _unavailable(f"The EHR's {name} is not https while its FHIR server is.")
    return value


async def discover(http: httpx.AsyncClient, iss: str) -> SmartConfiguration:
    """The EHR's SMART configuration; `SmartError` (502) when it cannot be read or lacks
    PKCE S256 where it lists challenge methods."""
    try:
        response = await http.get(
            f"{iss}/.well-known/smart-configuration", headers={"accept": "application/json"}
        )
        response.raise_for_status()
        config = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("SMART discovery failed: %s", type(exc).__name__)
        raise _unavailable("The EHR's SMART configuration could not be read.") from exc
    if not isinstance(config, dict):
        raise _unavailable("The EHR's SMART configuration is not a JSON object.")
    methods = config.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise _unavailable("The EHR does not support PKCE with S256.")
    capabilities = config.get("capabilities")
    return SmartConfiguration(
        authorization_endpoint=str(_endpoint(config, "authorization_endpoint", iss, True)),
        token_endpoint=str(_endpoint(config, "token_endpoint", iss, True)),
        jwks_uri=_endpoint(config, "jwks_uri", iss, False),
        issuer=config.get("issuer") if isinstance(config.get("issuer"), str) else None,
        capabilities=frozenset(c for c in capabilities if isinstance(c, str))
        if isinstance(capabilities, list)
        else frozenset(),
    )


def oauth_client(
    client: SmartClient, redirect_uri: str, timeout_s: float, scope: str | None = None
) -> AsyncOAuth2Client:
    """A confidential client (HTTP Basic) when a secret is configured, else a public one."""
    return AsyncOAuth2Client(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if client.client_secret else "none",
        timeout=timeout_s,
        follow_redirects=False,
    )


def new_verifier() -> str:
    return str(generate_token(64))  # RFC 7636: 43-128 characters


def authorization_url(
    oauth: AsyncOAuth2Client,
    config: SmartConfiguration,
    *,
    state: str,
    verifier: str,
    aud: str,
    launch: str | None,
) -> str:
    extra = {"aud": aud, **({"launch": launch} if launch else {})}
    url, _ = oauth.create_authorization_url(
        config.authorization_endpoint, state=state, code_verifier=verifier, **extra
    )
    return str(url)


async def exchange_code(
    oauth: AsyncOAuth2Client, token_endpoint: str, *, code: str, verifier: str
) -> dict[str, Any]:
    """The token response for an authorization code (with the PKCE verifier)."""
    try:
        token = await oauth.fetch_token(token_endpoint, code=code, code_verifier=verifier)
    except (OAuthError, httpx.HTTPError, ValueError, KeyError) as exc:
        log.warning("SMART code exchange refused: %s", type(exc).__name__)
        raise SmartError(
            401, "Sign-in through the EHR failed", "The EHR refused the authorization code."
        ) from exc
    return _checked(dict(token))


async def refresh(
    oauth: AsyncOAuth2Client, token_endpoint: str, refresh_token: str
) -> dict[str, Any]:
    try:
        token = await oauth.refresh_token(token_endpoint, refresh_token=refresh_token)
    except (OAuthError, httpx.HTTPError, ValueError, KeyError) as exc:
        log.warning("SMART token refresh refused: %s", type(exc).__name__)
        raise relaunch_needed() from exc
    return _checked(dict(token))


def relaunch_needed() -> SmartError:
    return SmartError(
        401,
        "The EHR session has ended",
        "Access to the EHR has expired. Open this app again from the EHR to continue.",
    )


def _checked(token: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(token.get("access_token"), str) or not token["access_token"]:
        raise SmartError(401, "Sign-in through the EHR failed", "The EHR sent no access token.")
    if str(token.get("token_type", "")).lower() != "bearer":
        raise SmartError(401, "Sign-in through the EHR failed", "The EHR's token is not Bearer.")
    return token


def expiry(token: dict[str, Any]) -> datetime:
    seconds = token.get("expires_in")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        seconds = DEFAULT_TOKEN_S
    return datetime.now(UTC) + timedelta(seconds=min(float(seconds), 86400.0))
