"""Trusted CDS Hooks issuers and the FHIR servers each may send the service to.

`DYSTONIA_CDS_TRUSTED_ISSUERS` maps an issuer either to its JWKS URL (the plain form: JWTs are
verified, and the fallback fetch is never made for its calls) or to
`{"jwks_url": ..., "fhir_servers": [base URLs]}`: the fallback fetch (and the `next` links of a
paged prefetch) may then reach those FHIR servers only, with the call's `fhirAuthorization`
token. Any other `fhirServer` is refused with 412 before a request is made (SSRF: a trusted
caller cannot point the service, and its bearer token, at another host or port).

Base URLs are compared normalised (`normal_base`): scheme and host in lower case, the default
port dropped, no trailing slash; a URL with user info, a query, a fragment, a `..` or `.`
segment, or control characters is not a FHIR base URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from dystonia_cds.config import TrustedIssuer
from dystonia_cds.domain.errors import InvalidInput

DEFAULT_PORTS = {"http": 80, "https": 443}
ANY_SERVER = None  # insecure development mode: no issuer, no binding


@dataclass(frozen=True, slots=True)
class Issuer:
    jwks_url: str
    fhir_servers: frozenset[str]  # normalised base URLs


def issuers_from(config: Mapping[str, str | TrustedIssuer]) -> dict[str, Issuer]:
    """The issuers of the settings; a FHIR server that is not a base URL stops start-up
    (`InvalidInput` naming the issuer and the URL)."""
    out: dict[str, Issuer] = {}
    for name, entry in config.items():
        if isinstance(entry, str):
            out[name] = Issuer(entry, frozenset())
            continue
        servers = set()
        for url in entry.fhir_servers:
            base = normal_base(url)
            if base is None:
                raise InvalidInput(
                    f"DYSTONIA_CDS_TRUSTED_ISSUERS[{name!r}].fhir_servers: {url!r} is not an "
                    "http(s) base URL"
                )
            servers.add(base)
        out[name] = Issuer(entry.jwks_url, frozenset(servers))
    return out


def normal_base(url: str) -> str | None:
    """The URL as a comparable FHIR base (`https://host[:port]/path`), or None when it is not
    a plain http(s) base URL."""
    if not url.isprintable() or any(c.isspace() for c in url) or "?" in url or "#" in url:
        return None
    base = origin(url)
    if base is None:
        return None
    path = urlsplit(url).path.rstrip("/")
    if any(segment in (".", "..") for segment in path.split("/")):
        return None
    return base + path


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL (in lower case, the default port dropped), or
    None when it is not one (or carries user info)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host or parts.username is not None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return f"{scheme}://{netloc}"
