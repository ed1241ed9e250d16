"""Encryption of personal fields at rest, with keys that can be rotated without downtime.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a list of keys: the
first encrypts, all decrypt. To rotate: put a new key first and keep the old ones after it;
new writes use the new key, :meth:`FieldCipher.rotate` re-encrypts old values (each row
records the id of the key that sealed it), and an old key can be dropped once no row names
it any more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

#: A key for development and tests only; services refuse it in production.
DEVELOPMENT_KEY = "ZGV2ZWxvcG1lbnQtb25seS1rZXktMDEyMzQ1Njc4OWE="


def key_id(key: str) -> str:
    """A short, public fingerprint of a key: which key sealed a value, without the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class FieldCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:  # not 32 url-safe base64-encoded bytes
            raise ValueError(
                "a personal data key must be 32 url-safe base64-encoded bytes "
                "(python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from exc
        self.current_key_id = key_id(keys[0])
        self.key_ids = [key_id(k) for k in keys]

    def seal(self, value: Any) -> str:
        """A JSON-serialisable value, encrypted under the current key."""
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()

    def open(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ValueError(
                "the value was sealed with a key that is no longer configured"
            ) from exc

    def rotate(self, token: str) -> str:
        """The same value, re-encrypted under the current key."""
        return self._fernet.rotate(token.encode()).decode()


__all__ = ["DEVELOPMENT_KEY", "FieldCipher", "key_id"]


def seal_scoped(secret: bytes, scope: bytes, value: str, *, at: int) -> str:
    """``value`` encrypted and authenticated under a key of its own for ``scope`` (derived
    from ``secret``), stamped with the time ``at`` (Unix seconds): a token that opens for
    that scope only and shows nothing of ``value``."""
    return _scoped(secret, scope).encrypt_at_time(value.encode(), at).decode()


def open_scoped(secret: bytes, scope: bytes, token: str, *, ttl: int, at: int) -> str | None:
    """The value :func:`seal_scoped` sealed for ``scope``, if the token is genuine and at
    most ``ttl`` seconds old at ``at``; otherwise ``None``."""
    try:
        return _scoped(secret, scope).decrypt_at_time(token.encode(), ttl, at).decode()
    except (InvalidToken, UnicodeError):
        return None


def _scoped(secret: bytes, scope: bytes) -> Fernet:
    key = hmac.new(secret, b"scope|" + scope, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))
