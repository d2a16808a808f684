"""Password hashing and API-token secrets.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, RFC 9106 defaults).
API tokens are 32 random bytes: a fast hash (SHA-256) is enough for a secret with that much
entropy, and it lets a token be checked on every request without argon2's deliberate cost.
A token reads ``cw_<prefix>_<secret>``; the prefix is stored in clear to find the row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_TOKEN = re.compile(r"cw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
#: Generated passwords: 20 characters of URL-safe base64, ~120 bits.
_GENERATED_BYTES = 15
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def generate_password() -> str:
    return secrets.token_urlsafe(_GENERATED_BYTES)


def new_token() -> tuple[str, str, str]:
    """``(token, prefix, secret_hash)`` for a fresh API token."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"cw_{prefix}_{secret}", prefix, token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed token, else None."""
    found = _TOKEN.fullmatch(token.strip())
    return (found.group(1), found.group(2)) if found else None


def same_hash(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, token_hash(secret))
