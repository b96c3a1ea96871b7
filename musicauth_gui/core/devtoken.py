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

import json
import re
from typing import TYPE_CHECKING, Any

from .clock import SYSTEM_CLOCK
from .errors import ConfigError
from .jws import b64url_encode

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

DEFAULT_TTL = 14 * 24 * 3600
#: Apple refuses developer tokens that live longer than this (about six months).
APPLE_MAX_TTL = 15_777_000
_TTL_RE = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_MEAN_MONTH = 2_629_746  # 365.2425 days / 12: Apple's cap is six of these, give or take a minute
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


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


def check_lifetime(seconds: int, max_ttl: int | None) -> int:
    """``seconds`` when a provider whose cap is ``max_ttl`` (None: no cap) accepts it.

    The one lifetime check, made wherever a DevToken's lifetime is chosen: the profiles file (and
    so the profile editor), the DevToken dialog's field, and every signature.

    Raises:
        ConfigError: the lifetime is over the cap.
    """
    if max_ttl is not None and seconds > max_ttl:
        raise ConfigError(
            f"a DevToken lifetime of {seconds:,} s exceeds the provider's limit of {max_ttl:,} s ({_roughly(max_ttl)})"
        )
    return seconds


def _roughly(seconds: int) -> str:
    """``about six months`` for a cap a user would recognise in months, else days."""
    months = round(seconds / _MEAN_MONTH)
    if 1 <= months <= len(_NUMBER_WORDS):
        return f"about {_NUMBER_WORDS[months - 1]} month{'s' if months > 1 else ''}"
    return f"about {round(seconds / 86400):,} days"


class DevTokenSigner:
    """Signs DevTokens with one loaded P-256 key.

    Args:
        key: the private key object (loaded once).
        kid: the Key ID the provider's dashboard gave for the matching public key.
    """

    def __init__(self, key: ec.EllipticCurvePrivateKey, *, kid: str) -> None:
        if not kid:
            raise ConfigError("a DevToken needs a key id (kid): the Key ID shown by the provider's dashboard")
        # Imported here, not with the module: the presets and the profiles file read this
        # module's lifetimes, and `musicauth token` must not pay for PyJWT and cryptography
        # (~30 ms) to print a stored token (benchmarks/README.md, "Start-up").
        from jwt.algorithms import ECAlgorithm

        self._key = key
        self._algorithm = ECAlgorithm(ECAlgorithm.SHA256)
        header = {"alg": "ES256", "kid": kid, "typ": "JWT"}
        self._header_b64 = b64url_encode(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())

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
        """A compact JWS. ``max_ttl`` refuses longer lifetimes (Apple's cap; see ``check_lifetime``)."""
        if not iss:
            raise ConfigError("a DevToken needs an issuer (iss): the client id, or Apple's Team ID")
        check_lifetime(ttl, max_ttl)
        issued = int(now if now is not None else SYSTEM_CLOCK.now())
        payload: dict[str, Any] = {"iss": iss, "iat": issued, "exp": issued + ttl}
        if sub:
            payload["sub"] = sub
        if extra:
            payload.update(extra)
        payload_b64 = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
        signing_input = f"{self._header_b64}.{payload_b64}"
        signature = self._algorithm.sign(signing_input.encode("ascii"), self._key)
        return f"{signing_input}.{b64url_encode(signature)}"
