"""Encryption at rest for the credentials castwatch finds in pirate URLs.

The key is a Fernet key (AES-128-CBC + HMAC-SHA256, from ``cryptography``) generated on first
use in ``$CASTWATCH_HOME/keys/credentials.key`` with owner-only permissions. The database
never holds a credential in clear, so a copy of the database shared with a partner or
attached to a case shows the accounts exist without handing them out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from castwatch.catalog import Credentials
from castwatch.errors import ConfigError, StorageError
from castwatch.storage.keyfiles import create_once


class CredentialVault:
    """Encrypts, decrypts and fingerprints credentials with the data directory's key."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._key = _load_or_create_key(key_path)
        self._fernet = Fernet(self._key)

    def fingerprint(self, credentials: Credentials) -> str:
        """A keyed hash: the same account maps to the same value, which reveals nothing."""
        return hmac.new(self._key, _plain(credentials), hashlib.sha256).hexdigest()

    def encrypt(self, credentials: Credentials) -> bytes:
        return self._fernet.encrypt(_plain(credentials))

    def decrypt(self, ciphertext: bytes) -> Credentials:
        try:
            fields = json.loads(self._fernet.decrypt(ciphertext))
        except InvalidToken:
            raise StorageError(
                f"cannot decrypt stored credentials with {self.key_path}: the key changed "
                "or the database comes from another data directory"
            ) from None
        secrets = tuple((str(name), str(value)) for name, value in fields.pop("secrets", ()))
        return Credentials(**fields, secrets=secrets)


def _plain(credentials: Credentials) -> bytes:
    fields: dict[str, object] = {
        "username": credentials.username,
        "password": credentials.password,
        "mac": credentials.mac,
    }
    if credentials.secrets:
        # Only when present: accounts stored before URL secrets keep their fingerprints.
        fields["secrets"] = [list(pair) for pair in credentials.secrets]
    return json.dumps(fields, sort_keys=True).encode()


def _load_or_create_key(path: Path) -> bytes:
    if path.exists():
        key = path.read_bytes().strip()
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(f"{path} is not a valid castwatch key file") from None
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    create_once(path, Fernet.generate_key())
    return _load_or_create_key(path)
