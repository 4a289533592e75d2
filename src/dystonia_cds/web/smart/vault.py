"""EHR tokens are kept server-side only, encrypted at rest with a key derived from
`DYSTONIA_CDS_SECRET_KEY` (Fernet: AES-128-CBC and HMAC-SHA256), so that a copy of the database
does not hand out access to the EHR."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class Vault:
    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(f"dystonia-cds smart tokens\n{secret_key}".encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The value, or None when it was sealed with another key (the secret changed)."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
