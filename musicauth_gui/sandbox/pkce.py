"""PKCE checks as an authorization server makes them (RFC 7636, S256 only).

``plain`` is refused: OAuth 2.1 §4.1.1 keeps it only for clients that cannot hash, and every client
of this project can.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

__all__ = ["is_valid_challenge", "is_valid_verifier", "s256", "verifier_matches"]

# RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# A base64url SHA-256 digest without padding is always 43 characters.
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


def s256(verifier: str) -> str:
    """The S256 challenge of ``verifier``: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_valid_verifier(verifier: str) -> bool:
    """Whether ``verifier`` has the length and alphabet RFC 7636 §4.1 demands."""
    return _VERIFIER.fullmatch(verifier) is not None


def is_valid_challenge(challenge: str) -> bool:
    """Whether ``challenge`` looks like an S256 challenge."""
    return _CHALLENGE.fullmatch(challenge) is not None


def verifier_matches(verifier: str, challenge: str) -> bool:
    """Whether ``verifier`` is well formed and hashes to ``challenge`` (constant-time compare)."""
    return is_valid_verifier(verifier) and secrets.compare_digest(s256(verifier), challenge)
