"""Salted password hashes for the web accounts (scrypt from the standard library), never the password."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
_N, _R, _P, _LEN = 2**14, 8, 1, 32  # ≈16 MiB and tens of milliseconds per check: slow for a guesser
MIN_LENGTH = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=128 * r * (n + p + 2))


def hash_password(password: str) -> str:
    """"scrypt$16384$8$1$<salt>$<hash>" (base64), a fresh random salt each time."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, _N, _R, _P, _LEN)
    return f"{SCHEME}${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def _parts(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return None
        values = int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except (ValueError, TypeError):
        return None
    n_, r_, p_, salt_, digest_ = values
    if not (2 <= n_ <= 2**20 and n_ & (n_ - 1) == 0 and 1 <= r_ <= 32 and 1 <= p_ <= 16 and salt_ and digest_):
        return None
    return values


def is_password_hash(stored: object) -> bool:
    """True for a hash this module wrote (the config check uses it)."""
    return isinstance(stored, str) and _parts(stored) is not None


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison of the password's hash with the stored one; False for a malformed hash."""
    parts = _parts(stored)
    if parts is None:
        return False
    n, r, p, salt, digest = parts
    return hmac.compare_digest(_derive(password, salt, n, r, p, len(digest)), digest)


@functools.cache
def dummy_hash() -> str:
    """Checked against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return hash_password(secrets.token_hex(8))
