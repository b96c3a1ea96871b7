"""An ES256 verifier independent of PyJWT, for checking our DevTokens against outside truth:
the raw r||s signature (RFC 7518 §3.4) turned into DER and checked with ``cryptography``."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_es256(token: str, public: ec.EllipticCurvePublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of ``token`` once its signature verifies (InvalidSignature if not)."""
    header_b64, payload_b64, sig_b64 = token.split(".")
    signature = b64url_decode(sig_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{header_b64}.{payload_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(payload_b64))
