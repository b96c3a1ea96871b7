"""PKCE (RFC 7636) with S256, and the ``state`` value, both from ``secrets``."""

from __future__ import annotations

import hashlib
import secrets

from ..jws import b64url_encode
from ..record import frozen_record
from ..secret import Secret


def challenge_for(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2."""
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


@frozen_record
class Pkce:
    """One sign-in's PKCE pair (RFC 7636): the verifier kept, the challenge sent."""

    verifier: Secret
    challenge: str
    method: str = "S256"

    @classmethod
    def generate(cls) -> Pkce:
        # 32 random bytes give a 43-character verifier: the minimum length, 256 bits of entropy
        # (RFC 7636 §7.1 recommends exactly this).
        verifier = b64url_encode(secrets.token_bytes(32))
        return cls(verifier=Secret(verifier), challenge=challenge_for(verifier))


def new_state() -> str:
    return secrets.token_urlsafe(32)
