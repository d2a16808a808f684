"""The Ed25519 key that signs the evidence ledger's chain head, and the head it last signed.

Anyone can recompute a SHA-256 chain, so the chain alone proves order and integrity only
against someone who cannot rewrite it all. The signature adds *who*: a rewritten chain needs
the private key to be signed again. The key is generated on first use in
``$CASTWATCH_HOME/keys/ledger-signing.pem`` (PKCS #8, mode 0600); its fingerprint (SHA-256 of
the raw 32-byte public key, hex) is stored with every signature and printed on every notice,
so a key swapped for another is named by ``castwatch evidence verify`` and can be checked
against the fingerprint a recipient was given.

Beside the key, ``keys/ledger-head.json`` (the *witness*) keeps the highest head this data
directory ever signed, with its signature. It lives outside the database on purpose: someone
who deletes the ledger's last rows and signatures and re-points the head row leaves a
consistent but shorter chain, and only a record kept elsewhere shows that entry N once existed
(docs/enforce.md, "No rollback").

The key lives in ``storage``, not in ``enforce``, because every stage that writes evidence
files (the verification stage's captures among them) signs its appends with it, and stages
left of ``enforce`` may not import it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from castwatch.catalog.evidence import head_message, utc_text
from castwatch.errors import ConfigError
from castwatch.storage.keyfiles import create_once

KEY_FILE = "ledger-signing.pem"
WITNESS_FILE = "ledger-head.json"
_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # utc_text's spelling


def key_path(keys_dir: Path) -> Path:
    return keys_dir / KEY_FILE


def witness_path(keys_dir: Path) -> Path:
    return keys_dir / WITNESS_FILE


def public_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclass(slots=True, frozen=True)
class HeadWitness:
    """The highest head signed from this data directory, as written after each append."""

    seq: int
    head_hash: str
    signed_at: datetime
    key_fingerprint: str
    signature: bytes


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

    def verifies(self, signature: bytes, message: bytes) -> bool:
        return signature_valid(self.public_key, signature, message)

    def read_witness(self) -> HeadWitness | None:
        return read_witness(self.path.parent)

    def write_witness(self, witness: HeadWitness) -> None:
        """Record ``witness`` unless the one on disk is already further along."""
        current = self.read_witness()
        if current is not None and current.seq >= witness.seq:
            # Two writers finishing out of order: the witness only ever moves forward.
            return
        target = witness_path(self.path.parent)
        scratch = target.with_name(f".{target.name}.{os.getpid()}")
        document = {
            "seq": witness.seq,
            "head_hash": witness.head_hash,
            "signed_at": utc_text(witness.signed_at),
            "key_fingerprint": witness.key_fingerprint,
            "signature": witness.signature.hex(),
        }
        try:
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(document, option=orjson.OPT_INDENT_2))
            os.replace(scratch, target)
        except OSError as exc:
            raise ConfigError(
                f"the evidence was recorded, but the ledger head witness {target} could not be "
                f"written ({exc.strerror or exc}); make {target.parent} writable: the next "
                "append writes it again"
            ) from None


def read_witness(keys_dir: Path) -> HeadWitness | None:
    """The witness of ``keys_dir``, or None when there is none yet.

    A witness that cannot be read is an error, not "none": an attacker emptying the file
    must not make castwatch forget the head it records.
    """
    path = witness_path(keys_dir)
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(f"{path} (the ledger head witness) cannot be read: {exc}") from None
    try:
        return HeadWitness(
            seq=int(document["seq"]),
            head_hash=str(document["head_hash"]),
            signed_at=datetime.strptime(str(document["signed_at"]), _TIME).replace(tzinfo=UTC),
            key_fingerprint=str(document["key_fingerprint"]),
            signature=bytes.fromhex(str(document["signature"])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path} (the ledger head witness) is malformed: {exc}") from None


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


def witness_message(witness: HeadWitness) -> bytes:
    """The bytes the witness's signature covers: the message of the head signature it copies."""
    return head_message(witness.seq, witness.head_hash, witness.signed_at, witness.key_fingerprint)


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
    # Two first uses at once keep one key.
    create_once(path, pem)
