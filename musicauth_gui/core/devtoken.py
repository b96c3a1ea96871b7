"""ES256 DevTokens (MusicAPI; Apple MusicKit developer tokens) through PyJWT.

Header ``typ: JWT``, ``alg: ES256``, ``kid``; payload ``iss``, optional ``sub``, ``iat``, ``exp``
in seconds since the epoch (MusicAPI's own example multiplies milliseconds by mistake; the JWT
spec and its verifier want seconds). A signer holds a loaded key object (parsing a PEM per token
would halve the signing rate) and its encoded header: the signature itself is PyJWT's ES256
algorithm (ECDSA P-256 with SHA-256, DER turned into the raw r||s JWS wants), while the JSON and
base64url of the compact form are done here, once per signer for the header. ``jwt.encode``
re-serialises the header and re-validates every argument per call, which cost a third of the
rate (benchmarks/devtokens.py).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from .clock import SYSTEM_CLOCK
from .errors import ConfigError

DEFAULT_TTL = 14 * 24 * 3600
#: Apple refuses developer tokens that live longer than this (about six months).
APPLE_MAX_TTL = 15_777_000
_TTL_RE = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_ttl(text: str | int | None, *, default: int = DEFAULT_TTL) -> int:
    """Seconds from ``Nd``, ``Nh``, ``Nm`` or ``Ns`` (the contract's ``--ttl`` forms)."""
    if text is None or text == "":
        return default
    if isinstance(text, int):
        seconds = text
    else:
        match = _TTL_RE.match(text)
        if not match:
            raise ConfigError(f"lifetime {text!r} is not one of Nd, Nh, Nm or Ns (e.g. 14d)")
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ConfigError("a lifetime must be positive")
    return seconds


class DevTokenSigner:
    """Signs DevTokens with one loaded P-256 key.

    Args:
        key: the private key object (loaded once).
        kid: the Key ID the provider's dashboard gave for the matching public key.
    """

    def __init__(self, key: ec.EllipticCurvePrivateKey, *, kid: str) -> None:
        if not kid:
            raise ConfigError("a DevToken needs a key id (kid): the Key ID shown by the provider's dashboard")
        self._key = key
        self._algorithm = ECAlgorithm(ECAlgorithm.SHA256)
        header = {"alg": "ES256", "kid": kid, "typ": "JWT"}
        self._header_b64 = _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())

    def sign(
        self,
        *,
        iss: str,
        ttl: int = DEFAULT_TTL,
        sub: str | None = None,
        now: float | None = None,
        max_ttl: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A compact JWS. ``max_ttl`` refuses longer lifetimes (Apple's cap)."""
        if not iss:
            raise ConfigError("a DevToken needs an issuer (iss): the client id, or Apple's Team ID")
        if max_ttl is not None and ttl > max_ttl:
            raise ConfigError(
                f"a lifetime of {ttl} s is longer than the provider allows ({max_ttl} s, about six months)"
            )
        issued = int(now if now is not None else SYSTEM_CLOCK.now())
        payload: dict[str, Any] = {"iss": iss, "iat": issued, "exp": issued + ttl}
        if sub:
            payload["sub"] = sub
        if extra:
            payload.update(extra)
        payload_b64 = _b64url(json.dumps(payload, separators=(",", ":")).encode())
        signing_input = f"{self._header_b64}.{payload_b64}"
        signature = self._algorithm.sign(signing_input.encode("ascii"), self._key)
        return f"{signing_input}.{_b64url(signature)}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Header and payload of a JWT, for display only (no signature check); None if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        decoded = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2]]
    except (ValueError, TypeError):
        return None
    if not all(isinstance(d, dict) for d in decoded):
        return None
    return decoded[0], decoded[1]
