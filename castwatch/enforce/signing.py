"""The Ed25519 key that signs the evidence ledger's chain head.

Anyone can recompute a SHA-256 chain, so the chain alone proves order and integrity only
against someone who cannot rewrite it all. The signature adds *who*: a rewritten chain needs
the private key to be signed again. The key is generated on first use in
``$CASTWATCH_HOME/keys/ledger-signing.pem`` (PKCS #8, mode 0600); its fingerprint (SHA-256 of
the raw 32-byte public key, hex) is stored with every signature and printed on every notice,
so a key swapped for another is named by ``castwatch evidence verify`` and can be checked
against the fingerprint a recipient was given.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from castwatch.errors import ConfigError

KEY_FILE = "ledger-signing.pem"


def key_path(keys_dir: Path) -> Path:
    return keys_dir / KEY_FILE


def public_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


class LedgerKey:
    """The private signing key of one data directory. Load with :meth:`load_or_create`."""

    def __init__(self, private_key: Ed25519PrivateKey, path: Path) -> None:
        self._private_key = private_key
        self.path = path
        self.public_key = private_key.public_key()
        self.fingerprint = public_fingerprint(self.public_key)

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> LedgerKey:
        path = key_path(keys_dir)
        if not path.exists():
            _create(path)
        return cls(_read_private(path), path)

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)


def load_public_key(keys_dir: Path) -> Ed25519PublicKey | None:
    """The public half of the data directory's key, or None when there is no key file."""
    path = key_path(keys_dir)
    if not path.exists():
        return None
    return _read_private(path).public_key()


def signature_valid(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(f"{path} is not a usable ledger signing key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Write aside, then link into place: two first uses at once keep one key, and nobody
    # reads a half-written file.
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
