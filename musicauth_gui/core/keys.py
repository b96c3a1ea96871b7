"""EC P-256 keys for ES256 DevTokens: generate, import, export, fingerprint.

Accepted imports (PEM or DER): SEC1 ``EC PRIVATE KEY`` as ``openssl ecparam -name prime256v1
-genkey`` writes it (with or without the ``EC PARAMETERS`` block before it), PKCS#8, and
encrypted PKCS#8 (Apple's ``.p8`` downloads are plain PKCS#8). Anything else (another curve,
RSA, a public key, a wrong passphrase, garbage, an empty file) is one clear error.

The private key leaves the keyring only as encrypted PKCS#8, on explicit request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .errors import Action, MusicAuthError
from .jws import b64url_encode
from .record import frozen_record


class KeyProblem(MusicAuthError):
    """A key file that cannot be used; the message says why."""

    actions = (Action.CHOOSE_KEY_FILE,)


class UnsupportedKey(KeyProblem):
    """A readable key of the wrong kind (RSA, another curve, a public key)."""


class PassphraseRequired(KeyProblem):
    actions = (Action.GIVE_PASSPHRASE,)


class WrongPassphrase(KeyProblem):
    actions = (Action.GIVE_PASSPHRASE,)


CURVE_NAME = "P-256"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.S)


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A new P-256 (prime256v1, secp256r1) private key."""
    return ec.generate_private_key(ec.SECP256R1())


def _private_blocks(data: bytes) -> tuple[bytes | None, list[str]]:
    """The private-key PEM block in ``data`` (skipping EC PARAMETERS), and the block labels."""
    labels, private = [], None
    for match in _PEM_BLOCK.finditer(data):
        label = match.group(1).decode("ascii", "replace")
        labels.append(label)
        if label.endswith("PRIVATE KEY") and private is None:
            private = match.group(0) + b"\n"
    return private, labels


def load_private_key(data: bytes, passphrase: bytes | None = None) -> ec.EllipticCurvePrivateKey:
    """Parse a P-256 private key from PEM or DER bytes.

    Raises:
        KeyProblem: empty, unreadable, encrypted without (or with a wrong) passphrase.
        UnsupportedKey: RSA, another curve, or a public key / certificate.
    """
    if not data.strip():
        raise KeyProblem("the key file is empty")
    key: Any
    if b"-----BEGIN" in data:
        block, labels = _private_blocks(data)
        if block is None:
            if any("PUBLIC KEY" in label or "CERTIFICATE" in label for label in labels):
                raise UnsupportedKey("this is a public key (or certificate); importing needs the private key")
            raise KeyProblem(f"no private key in this PEM (found: {', '.join(labels) or 'nothing readable'})")
        key = _load(block, passphrase, pem=True)
    else:
        key = _load(data, passphrase, pem=False)
    return _require_p256(key)


def _load(data: bytes, passphrase: bytes | None, *, pem: bool) -> Any:
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    try:
        return loader(data, password=passphrase)
    except TypeError as exc:
        text = str(exc).lower()
        if "encrypted" in text and "password was not given" in text:
            raise PassphraseRequired("the key is encrypted; a passphrase is needed") from None
        if "not encrypted" in text:
            return loader(data, password=None)
        raise KeyProblem("the key could not be read") from None
    except ValueError as exc:
        text = str(exc).lower()
        if passphrase is not None and ("decrypt" in text or "bad decrypt" in text or "incorrect password" in text):
            raise WrongPassphrase("wrong passphrase for this key") from None
        if not pem and _is_public_der(data):
            raise UnsupportedKey("this is a public key; importing needs the private key") from None
        if passphrase is not None:
            raise WrongPassphrase("wrong passphrase for this key (or a damaged file)") from None
        raise KeyProblem("not a private key in PEM or DER (PKCS#8 or SEC1)") from None
    except UnsupportedAlgorithm:
        raise UnsupportedKey("the key uses an algorithm this tool does not support; use an EC P-256 key") from None


def _is_public_der(data: bytes) -> bool:
    try:
        serialization.load_der_public_key(data)
        return True
    except (ValueError, UnsupportedAlgorithm):
        return False


def _require_p256(key: Any) -> ec.EllipticCurvePrivateKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP256R1):
            return key
        raise UnsupportedKey(f"an EC key on curve {key.curve.name}; ES256 needs P-256 (prime256v1)")
    if isinstance(key, rsa.RSAPrivateKey):
        raise UnsupportedKey(f"an RSA key ({key.key_size} bits); ES256 DevTokens need an EC P-256 key")
    raise UnsupportedKey(f"a {type(key).__name__.replace('PrivateKey', '').strip('_')} key; ES256 needs an EC P-256 key")


def private_pkcs8_pem(key: ec.EllipticCurvePrivateKey) -> str:
    """Unencrypted PKCS#8 PEM: only ever handed to the keyring."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def encrypted_pkcs8_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes) -> str:
    """The only export form of a private key: PKCS#8 encrypted with ``passphrase``."""
    if len(passphrase) < 8:
        raise KeyProblem("the export passphrase must be at least 8 characters", actions=(Action.GIVE_PASSPHRASE,))
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    ).decode("ascii")


def public_pem(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    """SubjectPublicKeyInfo PEM, what the providers' dashboards ask for."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    """``SHA256:<base64>`` of the DER public key (SubjectPublicKeyInfo), as ssh prints them."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode("ascii").rstrip("=")


def public_jwk(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey, *, kid: str | None = None) -> dict[str, str]:
    """The public key as a JWK (RFC 7517/7518), with ``kid`` when given."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    numbers = public.public_numbers()
    jwk = {
        "kty": "EC",
        "crv": CURVE_NAME,
        "x": b64url_encode(numbers.x.to_bytes(32, "big")),
        "y": b64url_encode(numbers.y.to_bytes(32, "big")),
    }
    if kid:
        jwk["kid"] = kid
    jwk["alg"] = "ES256"
    jwk["use"] = "sig"
    return jwk


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: SHA-256 over the required members, sorted, no whitespace."""
    required = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return b64url_encode(hashlib.sha256(canonical).digest())


@frozen_record
class KeyInfo:
    """What is shown of a stored key (nothing secret)."""

    name: str
    fingerprint: str
    created_at: float
    source: str
    public_pem: str
    used_by: tuple[str, ...] = ()
