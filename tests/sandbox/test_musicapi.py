"""MusicAPI: Token, Basic and ES256 DevToken authentication, verified strictly.

DevTokens are signed here with ``cryptography`` directly (not PyJWT), so the emulator's verifier and
the test's signer share no code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from musicauth_gui.sandbox.musicapi import INTROSPECTION_PATH, PROFILE_PATH, MusicApiServer

CLIENT = "2cf82db3-4064-4235-8253-16994eb51773"
SECRET = "9facfe28-83e5-4b3f-815f-23551d77cd48"
OTHER = "8d883178-9585-482e-bb4b-0c85736edc2d"
KID = "key-1"
OTHER_KID = "key-other"
NOW = 1_700_000_000
USER = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
JSON_CT = "application/json; charset=utf-8"
CLAIMS = {"iss": CLIENT, "iat": NOW, "exp": NOW + 60}

Key = ec.EllipticCurvePrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def es256(key: Key, signing_input: str) -> str:
    """A JWS ES256 signature: raw r||s, 32 bytes each, base64url."""
    r, s = decode_dss_signature(key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def sign(
    key: Key,
    *,
    header: dict[str, Any] | None = None,
    iss: str = CLIENT,
    kid: str = KID,
    iat: int = NOW,
    exp: int = NOW + 14 * 86400,
    **extra: Any,
) -> str:
    head = header if header is not None else {"typ": "JWT", "alg": "ES256", "kid": kid}
    signing_input = b64json(head) + "." + b64json({"iss": iss, "iat": iat, "exp": exp, **extra})
    return signing_input + "." + es256(key, signing_input)


def public_pem(key: Any) -> bytes:
    return bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


@pytest.fixture(scope="module")
def key() -> Key:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def other_key() -> Key:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def musicapi(key: Key, other_key: Key) -> Iterator[MusicApiServer]:
    """MusicAPI with client :data:`CLIENT` (key :data:`KID`) and :data:`OTHER` (key :data:`OTHER_KID`)."""
    server = MusicApiServer(clock=lambda: float(NOW))
    server.register_client(CLIENT, SECRET)
    server.register_client(OTHER, "other-secret")
    server.register_public_key(CLIENT, KID, public_pem(key).decode())  # str PEM
    server.register_public_key(OTHER, OTHER_KID, public_pem(other_key))  # bytes PEM
    with server:
        yield server
    assert server.handler_errors == [], server.handler_errors[0]


def call(
    http: httpx.Client, server: MusicApiServer, authorization: str | None, path: str = INTROSPECTION_PATH
) -> httpx.Response:
    headers = {"Content-Type": JSON_CT}
    if authorization is not None:
        headers["Authorization"] = authorization
    return http.get(server.url(path), headers=headers)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def assert_401(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "unauthorized"
    assert reason in body["message"], body


# -- accepted ----------------------------------------------------------------------------------------


def test_token_scheme_is_public(http: httpx.Client, musicapi: MusicApiServer) -> None:
    response = call(http, musicapi, f"Token {CLIENT}")
    assert response.status_code == 200, response.text
    assert response.json() == {"scheme": "token", "client_id": CLIENT, "sub": None, "scopes": "public"}
    assert musicapi.requests[-1].headers["content-type"] == JSON_CT
    assert musicapi.last_devtoken_claims is None


def test_basic_scheme_is_private(http: httpx.Client, musicapi: MusicApiServer) -> None:
    for path in (INTROSPECTION_PATH, PROFILE_PATH):
        response = call(http, musicapi, basic(CLIENT, SECRET), path)
        assert response.status_code == 200, response.text
        assert response.json() == {"scheme": "basic", "client_id": CLIENT, "sub": None, "scopes": "private"}


def test_devtoken_scheme_is_private(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    token = sign(key, sub=USER)
    for path in (INTROSPECTION_PATH, PROFILE_PATH):
        response = call(http, musicapi, f"DevToken {token}", path)
        assert response.status_code == 200, response.text
        assert response.json() == {"scheme": "devtoken", "client_id": CLIENT, "sub": USER, "scopes": "private"}
    assert musicapi.last_devtoken_claims == {"iss": CLIENT, "iat": NOW, "exp": NOW + 14 * 86400, "sub": USER}


def test_devtoken_without_sub(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    response = call(http, musicapi, f"DevToken {sign(key)}")
    assert response.status_code == 200, response.text
    assert response.json()["sub"] is None


def test_content_type_not_required(http: httpx.Client, musicapi: MusicApiServer) -> None:
    response = http.get(musicapi.url(INTROSPECTION_PATH), headers={"Authorization": f"Token {CLIENT}"})
    assert response.status_code == 200
    assert "content-type" not in musicapi.requests[-1].headers


# -- refused -----------------------------------------------------------------------------------------


def test_token_refused_on_private_endpoint(http: httpx.Client, musicapi: MusicApiServer) -> None:
    response = call(http, musicapi, f"Token {CLIENT}", PROFILE_PATH)
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "private endpoint needs a DevToken or Basic auth"}


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        (f"Bearer {CLIENT}", "scheme"),
        (f"token {CLIENT}", "scheme"),
        ("Token", "malformed"),
        ("Token unknown-client", "unknown client"),
        (basic(CLIENT, "wrong"), "invalid client id or secret"),
        (basic("nobody", SECRET), "invalid client id or secret"),
        ("Basic not*base64", "malformed"),
        ("Basic " + base64.b64encode(CLIENT.encode()).decode(), "malformed"),
    ],
)
def test_bad_token_and_basic(
    http: httpx.Client, musicapi: MusicApiServer, authorization: str | None, reason: str
) -> None:
    response = call(http, musicapi, authorization)
    assert_401(response, reason)
    assert response.headers["www-authenticate"]


def test_unknown_kid(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, kid='no-such-key')}"), "unknown kid")


def test_wrong_iss(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, iss=OTHER)}"), "iss")


def test_expired(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, iat=NOW - 100, exp=NOW)}"), "expired")


def test_clock_moves(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    token = sign(key, exp=NOW + 3600)
    assert call(http, musicapi, f"DevToken {token}").status_code == 200
    musicapi.clock = lambda: float(NOW + 3600)
    assert_401(call(http, musicapi, f"DevToken {token}"), "expired")


def test_iat_in_the_future_or_in_milliseconds(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert call(http, musicapi, f"DevToken {sign(key, iat=NOW + 60)}").status_code == 200  # within leeway
    assert_401(call(http, musicapi, f"DevToken {sign(key, iat=NOW + 61)}"), "future")
    millis = sign(key, iat=NOW * 1000, exp=(NOW + 86400) * 1000)  # the spec example's units
    assert_401(call(http, musicapi, f"DevToken {millis}"), "milliseconds")


@pytest.mark.parametrize("claims", [{"iat": float(NOW)}, {"exp": str(NOW + 60)}, {"exp": True}])
def test_iat_and_exp_must_be_integers(
    http: httpx.Client, musicapi: MusicApiServer, key: Key, claims: dict[str, Any]
) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, **claims)}"), "integer")


def test_sub_must_be_a_string(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, sub=None)}"), "sub")


def test_alg_none(http: httpx.Client, musicapi: MusicApiServer) -> None:
    unsigned = b64json({"typ": "JWT", "alg": "none", "kid": KID}) + "." + b64json(CLAIMS) + "."
    assert_401(call(http, musicapi, f"DevToken {unsigned}"), "alg")


def test_hs256_header(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    # The classic confusion attack: an HMAC keyed with the public key's PEM.
    signing_input = b64json({"typ": "JWT", "alg": "HS256", "kid": KID}) + "." + b64json(CLAIMS)
    mac = hmac.new(public_pem(key), signing_input.encode(), hashlib.sha256).digest()
    assert_401(call(http, musicapi, f"DevToken {signing_input}.{b64url(mac)}"), "alg")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"typ": "JWT", "alg": "es256", "kid": KID}, "alg"),
        ({"typ": "JWT", "kid": KID}, "alg"),
        ({"alg": "ES256", "kid": KID}, "typ"),
        ({"typ": "JWT", "alg": "ES256"}, "kid"),
        ({"typ": "JWT", "alg": "ES256", "kid": KID, "crit": ["exp"]}, "crit"),
    ],
)
def test_header_checks(
    http: httpx.Client, musicapi: MusicApiServer, key: Key, header: dict[str, Any], reason: str
) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(key, header=header)}"), reason)


def test_tampered_payload(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    header, _payload, signature = sign(key).split(".")
    forged = b64json({"iss": CLIENT, "iat": NOW, "exp": NOW + 10 * 365 * 86400, "sub": USER})
    assert_401(call(http, musicapi, f"DevToken {header}.{forged}.{signature}"), "signature")


def test_signature_from_another_key(
    http: httpx.Client, musicapi: MusicApiServer, other_key: Key
) -> None:
    assert_401(call(http, musicapi, f"DevToken {sign(other_key, kid=KID)}"), "signature")
    # The same key under its own kid but claiming the other client: signature fine, iss wrong.
    assert_401(call(http, musicapi, f"DevToken {sign(other_key, kid=OTHER_KID)}"), "iss")


def test_der_signature_refused(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    header, payload, _signature = sign(key).split(".")
    der = key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # DER, not raw r||s
    assert_401(call(http, musicapi, f"DevToken {header}.{payload}.{b64url(der)}"), "signature")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: ".".join(t.split(".")[:2]),  # two parts
        lambda t: t + ".extra",  # four parts
        lambda t: "!!!" + t,  # bad base64 in the header
        lambda t: t.replace(".", ".*", 1),  # bad base64 in the payload
        lambda t: t + "==",  # padded signature
        lambda t: b64url(b"not json") + t[t.index(".") :],  # header not JSON
        lambda t: b64json(["JWT"]) + t[t.index(".") :],  # header not an object
    ],
    ids=["two-parts", "four-parts", "bad-b64-header", "bad-b64-payload", "padding", "header-not-json", "header-array"],
)
def test_malformed_jwt(http: httpx.Client, musicapi: MusicApiServer, key: Key, mangle: Any) -> None:
    assert_401(call(http, musicapi, f"DevToken {mangle(sign(key))}"), "malformed")


def test_failed_auth_leaves_last_auth(http: httpx.Client, musicapi: MusicApiServer, key: Key) -> None:
    assert call(http, musicapi, f"DevToken {sign(key, sub=USER)}").status_code == 200
    assert call(http, musicapi, f"DevToken {sign(key, iss=OTHER)}").status_code == 401
    assert musicapi.last_auth is not None and musicapi.last_auth.sub == USER


# -- key registration -------------------------------------------------------------------------------


def test_register_public_key_accepts_only_p256() -> None:
    server = MusicApiServer()
    server.register_client(CLIENT, SECRET)
    with pytest.raises(ValueError, match="P-256"):
        server.register_public_key(CLIENT, "p384", public_pem(ec.generate_private_key(ec.SECP384R1())))
    with pytest.raises(ValueError, match="P-256"):
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        server.register_public_key(CLIENT, "rsa", public_pem(rsa_key))
    with pytest.raises(ValueError):
        server.register_public_key(CLIENT, "junk", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_register_public_key_needs_a_client_and_a_free_kid(key: Key) -> None:
    server = MusicApiServer()
    with pytest.raises(ValueError, match="register the client"):
        server.register_public_key(CLIENT, KID, public_pem(key))
    server.register_client(CLIENT, SECRET)
    server.register_client(OTHER, "other-secret")
    server.register_public_key(CLIENT, KID, public_pem(key))
    with pytest.raises(ValueError, match="another client"):
        server.register_public_key(OTHER, KID, public_pem(key))
