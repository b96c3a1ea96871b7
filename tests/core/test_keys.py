"""Keys and DevTokens against outside truth: openssl reads what we write, we read what openssl
writes, and DevTokens verify with a verifier independent of PyJWT."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from musicauth_gui.core import keys
from musicauth_gui.core.devtoken import APPLE_MAX_TTL, DevTokenSigner, check_lifetime, parse_ttl
from musicauth_gui.core.errors import ConfigError
from musicauth_gui.core.profiles_file import parse_profile
from tests.support.jws import b64url_decode, verify_es256

PASSPHRASE = b"correct horse battery"


def openssl(*args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=input, capture_output=True, check=True).stdout


def test_generated_key_is_read_by_openssl(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    pem = keys.private_pkcs8_pem(key).encode()
    text = openssl("pkey", "-noout", "-text", input=pem).decode()
    assert "prime256v1" in text or "P-256" in text
    ec_text = openssl("ec", "-noout", "-text", input=pem).decode()
    assert "prime256v1" in ec_text
    public_from_openssl = openssl("pkey", "-pubout", input=pem).decode()
    assert public_from_openssl.strip() == keys.public_pem(key).strip()


def test_openssl_ecparam_key_imports_with_and_without_parameters_block() -> None:
    with_params = openssl("ecparam", "-name", "prime256v1", "-genkey")
    assert b"EC PARAMETERS" in with_params and b"EC PRIVATE KEY" in with_params
    without = openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout")
    for pem in (with_params, without):
        key = keys.load_private_key(pem)
        assert isinstance(key.curve, ec.SECP256R1)
    pkcs8 = openssl("pkcs8", "-topk8", "-nocrypt", input=without)
    assert b"BEGIN PRIVATE KEY" in pkcs8
    assert keys.fingerprint(keys.load_private_key(pkcs8)) == keys.fingerprint(keys.load_private_key(without))
    der = openssl("pkcs8", "-topk8", "-nocrypt", "-outform", "DER", input=without)
    assert keys.fingerprint(keys.load_private_key(der)) == keys.fingerprint(keys.load_private_key(without))


def test_encrypted_pkcs8_asks_for_the_passphrase() -> None:
    key = keys.generate_private_key()
    encrypted = keys.encrypted_pkcs8_pem(key, PASSPHRASE).encode()
    with pytest.raises(keys.PassphraseRequired):
        keys.load_private_key(encrypted)
    with pytest.raises(keys.WrongPassphrase):
        keys.load_private_key(encrypted, b"wrong passphrase")
    assert keys.fingerprint(keys.load_private_key(encrypted, PASSPHRASE)) == keys.fingerprint(key)
    # ...and openssl decrypts our export.
    openssl("pkey", "-noout", "-passin", f"pass:{PASSPHRASE.decode()}", input=encrypted)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (lambda: openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout"), keys.UnsupportedKey, "secp384r1"),
        (
            lambda: rsa.generate_private_key(65537, 2048).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            keys.UnsupportedKey,
            "RSA",
        ),
        (lambda: keys.public_pem(keys.generate_private_key()).encode(), keys.UnsupportedKey, "public key"),
        (lambda: b"garbage that is no key at all", keys.KeyProblem, "not a private key"),
        (lambda: b"-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----\n", keys.KeyProblem, "not a private key"),
        (lambda: b"", keys.KeyProblem, "empty"),
    ],
)
def test_bad_keys_fail_with_one_clear_line(data, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        keys.load_private_key(data())
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_jwk_and_rfc7638_thumbprint() -> None:
    # RFC 7638 §3.1 gives an RSA example; for EC, check against the definition with a known key.
    key = keys.generate_private_key()
    jwk = keys.public_jwk(key, kid="K1")
    numbers = key.public_key().public_numbers()
    assert int.from_bytes(b64url_decode(jwk["x"]), "big") == numbers.x
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]}, separators=(",", ":")).encode()
    import hashlib

    assert keys.jwk_thumbprint(jwk) == base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    # The same thumbprint as a known-good implementation (PyJWT's JWK export, sorted the RFC way).
    from jwt.algorithms import ECAlgorithm

    other = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    assert keys.jwk_thumbprint(other) == keys.jwk_thumbprint(jwk)


def test_devtoken_header_and_claims_verify_independently() -> None:
    key = keys.generate_private_key()
    token = DevTokenSigner(key, kid="KID123").sign(iss="client-id", sub="user-uuid", ttl=parse_ttl("14d"), now=1_700_000_000)
    header, payload = verify_es256(token, key.public_key())
    assert header == {"alg": "ES256", "kid": "KID123", "typ": "JWT"}
    assert payload == {"iss": "client-id", "sub": "user-uuid", "iat": 1_700_000_000, "exp": 1_700_000_000 + 14 * 86400}
    no_sub = DevTokenSigner(key, kid="KID123").sign(iss="client-id", ttl=60, now=1)
    assert "sub" not in verify_es256(no_sub, key.public_key())[1]
    other = keys.generate_private_key()
    with pytest.raises(InvalidSignature):
        verify_es256(token, other.public_key())
    # PyJWT, the reference the signer builds on, reads it back the same.
    import jwt

    claims = jwt.decode(token, key.public_key(), algorithms=["ES256"], options={"verify_exp": False})
    assert claims == payload and jwt.get_unverified_header(token) == header


def test_ttl_forms_and_apple_cap() -> None:
    assert [parse_ttl(t) for t in ("14d", "2h", "30m", "45s")] == [14 * 86400, 7200, 1800, 45]
    for bad in ("14", "1w", "-1d", "0s", "abc"):
        with pytest.raises(ConfigError):
            parse_ttl(bad)
    signer = DevTokenSigner(keys.generate_private_key(), kid="ABCDE12345")
    signer.sign(iss="TEAM123456", ttl=APPLE_MAX_TTL, max_ttl=APPLE_MAX_TTL)
    with pytest.raises(ConfigError, match="six months"):
        signer.sign(iss="TEAM123456", ttl=APPLE_MAX_TTL + 1, max_ttl=APPLE_MAX_TTL)


def test_the_lifetime_cap_is_one_check_with_one_message() -> None:
    # The profiles file (and so the profile editor), the DevToken dialog and the signer all ask
    # check_lifetime, so a user reads the same words wherever the lifetime was chosen.
    too_long = APPLE_MAX_TTL + 1
    assert check_lifetime(APPLE_MAX_TTL, APPLE_MAX_TTL) == APPLE_MAX_TTL
    assert check_lifetime(10**9, None) == 10**9  # no cap (MusicAPI)
    with pytest.raises(ConfigError) as direct:
        check_lifetime(too_long, APPLE_MAX_TTL)
    assert direct.value.message == (
        "a DevToken lifetime of 15,777,001 s exceeds the provider's limit of 15,777,000 s (about six months)"
    )
    signer = DevTokenSigner(keys.generate_private_key(), kid="ABCDE12345")
    with pytest.raises(ConfigError) as signed:
        signer.sign(iss="TEAM123456", ttl=too_long, max_ttl=APPLE_MAX_TTL)
    table = {"provider": "apple-music", "team_id": "TEAM123456", "key": "k", "key_id": "ABCDE12345"}
    with pytest.raises(ConfigError) as imported:
        parse_profile("am", {**table, "devtoken_ttl": f"{too_long}s"})
    assert signed.value.message == direct.value.message
    assert imported.value.message == direct.value.message
    assert (imported.value.profile, imported.value.field) == ("am", "devtoken_ttl")  # data, not words
