"""Tokens encrypted at rest with MultiFernet keys that are independent of SECRET_KEY.

A stored value reads ``v1:<key id>:<fernet token>``. The first key in
``FIELD_ENCRYPTION_KEYS`` encrypts; any listed key decrypts. A value under a key
that is not configured, or that fails authentication, raises
``TokenDecryptionError``: it is never handed back as if it were the token, so
ciphertext can never reach TikTok as a bearer token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

FORMAT_VERSION = "v1"


class TokenDecryptionError(Exception):
    """A stored secret could not be decrypted with the configured keys."""


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS is empty; set at least one Fernet key "
                '(generate one with `python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())"`).'
            )
        self._fernets: dict[str, Fernet] = {}
        for position, key in enumerate(keys, start=1):
            try:
                self._fernets[key_id(key)] = Fernet(key)
            except ValueError as error:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS entry {position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes)."
                ) from error
        self.primary_key_id = key_id(keys[0])

    def encrypt(self, plaintext: str) -> str:
        token = self._fernets[self.primary_key_id].encrypt(plaintext.encode())
        return f"{FORMAT_VERSION}:{self.primary_key_id}:{token.decode()}"

    def decrypt(self, stored: str) -> str:
        _version, stored_key_id, token = self._split(stored)
        fernet = self._fernets.get(stored_key_id)
        if fernet is None:
            raise TokenDecryptionError(
                f"This secret was encrypted with key {stored_key_id}, which is not in "
                "FIELD_ENCRYPTION_KEYS. Add that key back (after the current one) and "
                "run `manage.py rotate_token_keys`."
            )
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise TokenDecryptionError(
                f"A secret under key {stored_key_id} failed authentication: the key "
                "is wrong or the stored value was altered."
            ) from error

    def key_id_of(self, stored: str) -> str:
        return self._split(stored)[1]

    def rotate(self, stored: str) -> str:
        return self.encrypt(self.decrypt(stored))

    @staticmethod
    def _split(stored: str) -> tuple[str, str, str]:
        parts = stored.split(":", 2)
        if len(parts) != 3 or parts[0] != FORMAT_VERSION:
            raise TokenDecryptionError(
                "A stored secret is not in the v1:<key id>:<token> format; it was "
                "written without encryption or altered."
            )
        return parts[0], parts[1], parts[2]


@lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> TokenCipher:
    return TokenCipher(keys)


def get_cipher() -> TokenCipher:
    return _cipher_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


class SealedSecret:
    """A secret held in memory; its repr never shows it. Call ``reveal()`` to use it."""

    __slots__ = ("_ciphertext", "_plaintext")

    def __init__(
        self, *, plaintext: str | None = None, ciphertext: str | None = None
    ) -> None:
        self._plaintext = plaintext
        self._ciphertext = ciphertext

    def reveal(self) -> str:
        if self._plaintext is None:
            assert self._ciphertext is not None  # noqa: S101 - one is always set
            self._plaintext = get_cipher().decrypt(self._ciphertext)
        return self._plaintext

    def ciphertext(self) -> str:
        if self._ciphertext is None:
            assert self._plaintext is not None  # noqa: S101
            self._ciphertext = get_cipher().encrypt(self._plaintext)
        return self._ciphertext

    def __repr__(self) -> str:
        return "<SealedSecret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SealedSecret):
            return self.reveal() == other.reveal()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _SealingAttribute(DeferredAttribute):
    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, str):
            value = SealedSecret(plaintext=value) if value else None
        instance.__dict__[self.field.attname] = value


if TYPE_CHECKING:
    _EncryptedBase = models.TextField[str | SealedSecret | None, SealedSecret | None]
else:
    _EncryptedBase = models.TextField


class EncryptedTextField(_EncryptedBase):
    """Stores a secret encrypted; the attribute is a ``SealedSecret`` or None."""

    descriptor_class = _SealingAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, *args: Any) -> SealedSecret | None:
        if not value:
            return None
        return SealedSecret(ciphertext=value)

    def to_python(self, value: Any) -> SealedSecret | None:
        if isinstance(value, SealedSecret) or value is None:
            return value
        return SealedSecret(plaintext=str(value)) if value else None

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = SealedSecret(plaintext=value)
        if not isinstance(value, SealedSecret):
            raise TypeError("EncryptedTextField values must be str or SealedSecret.")
        return value.ciphertext()

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, admin history) never sees the secret.
        return ""
