"""The one base64url and the one unverified JWT reader (core/jws.py)."""

from __future__ import annotations

import base64

import pytest

from musicauth_gui.core.jws import b64url_decode, b64url_encode, decode_unverified


def segment(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


EMPTY = segment("{}")
NOT_UTF8 = base64.urlsafe_b64encode(b"\xff\xfe").decode()


@pytest.mark.parametrize("data", [b"", b"f", b"fo", b"foo", bytes(range(256))])
def test_base64url_has_no_padding_and_round_trips(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text) == data
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_rfc_7515_appendix_c_example() -> None:
    assert b64url_encode(bytes([3, 236, 255, 224, 193])) == "A-z_4ME"


def test_header_and_claims_of_a_jwt() -> None:
    token = ".".join([segment('{"alg":"ES256"}'), segment('{"exp":5,"sub":"u"}'), "c2ln"])
    assert decode_unverified(token) == ({"alg": "ES256"}, {"exp": 5, "sub": "u"})


@pytest.mark.parametrize(
    "token",
    [
        "opaque-access-token",
        "a.b",
        "a.b.c.d",
        f"{EMPTY}.not base64!.sig",
        f"{EMPTY}.{segment('not json')}.sig",
        f"{segment('[]')}.{EMPTY}.sig",  # a header that is no object
        f"{EMPTY}.{segment('[1]')}.sig",
        f"{EMPTY}.{NOT_UTF8}.sig",  # not UTF-8
    ],
)
def test_anything_else_is_not_a_jwt(token: str) -> None:
    assert decode_unverified(token) is None


def test_a_segment_nested_too_deeply_is_not_a_jwt_rather_than_a_crash() -> None:
    # The window decodes whatever token it shows; a RecursionError there used to escape.
    token = f"{EMPTY}.{segment('[' * 100_000)}.sig"
    assert decode_unverified(token) is None
