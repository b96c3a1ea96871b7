"""ES256 JWS as the emulators check it: the compact form (RFC 7515 §7.1), unpadded base64url
(§2), JSON objects without duplicate members, a P-256 key and a 64-byte ``r || s`` signature
(RFC 7518 §3.4).

Shared by the MusicAPI and Apple Music emulators, and written apart from musicauth's own
signing (core/jws.py, core/devtoken.py), so that a test against an emulator checks musicauth
against the specifications, not against itself. Each emulator words the refusals its own way:
``MalformedJws`` says what was wrong, the emulator answers as its provider does.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class MalformedJws(ValueError):
    """The token is not a well-formed compact JWS; the message says which part is not."""


def load_p256_public_key(public_pem: str | bytes, *, wrong_curve: str) -> ec.EllipticCurvePublicKey:
    """The EC P-256 public key in ``public_pem``.

    Raises:
        ValueError: not a PEM public key, or (with the message ``wrong_curve``) not EC P-256.
    """
    data = public_pem.encode("ascii") if isinstance(public_pem, str) else public_pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(wrong_curve)
    return key


@dataclass(frozen=True)
class Jws:
    """A compact JWS split into its parts; the payload is decoded only when asked for, so an
    emulator may check the signature first."""

    header: dict[str, Any]
    signing_input: bytes
    signature: bytes
    payload_raw: bytes

    def claims(self) -> dict[str, Any]:
        """The payload as a JSON object.

        Raises:
            MalformedJws: not a JSON object.
        """
        return json_object(self.payload_raw, "payload")

    def signed_by(self, key: ec.EllipticCurvePublicKey) -> bool:
        """Whether the signature is ``key``'s ES256 signature of the signing input."""
        if len(self.signature) != 64:
            return False
        r, s = int.from_bytes(self.signature[:32], "big"), int.from_bytes(self.signature[32:], "big")
        try:
            key.verify(encode_dss_signature(r, s), self.signing_input, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def split_jws(token: str) -> Jws:
    """``token``'s parts, the header decoded.

    Raises:
        MalformedJws: not three parts, bad base64url, or a header that is not a JSON object.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedJws("expected three dot-separated parts")
    header_raw, payload_raw, signature = (b64url_decode(part) for part in parts)
    return Jws(
        header=json_object(header_raw, "header"),
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=signature,
        payload_raw=payload_raw,
    )


def b64url_decode(part: str) -> bytes:
    """Unpadded base64url (RFC 7515 §2), refusing padding and foreign characters."""
    if not _B64URL.fullmatch(part) or len(part) % 4 == 1:
        raise MalformedJws("bad base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise MalformedJws("bad base64url") from None


def json_object(raw: bytes, what: str) -> dict[str, Any]:
    """``raw`` as a JSON object with no member twice (RFC 7515 §5.2 lets a parser refuse them)."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError):
        raise MalformedJws(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedJws(f"{what} is not a JSON object")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"duplicate member {name!r}")
        result[name] = value
    return result
