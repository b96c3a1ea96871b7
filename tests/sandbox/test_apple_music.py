"""The Apple Music emulator is as strict as the spec: developer tokens (ES256, kid, iss, exp, the
lifetime cap, origin), both headers on the storefront call, CORS for loopback pages only, and a
configurable refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from musicauth_gui.core.devtoken import DevTokenSigner
from musicauth_gui.sandbox import AppleMusicServer

TEAM, KID = "TEAM123456", "KEY1234567"
PAGE = "http://127.0.0.1:5555"
KEY = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def apple() -> Iterator[AppleMusicServer]:
    with AppleMusicServer() as server:
        public = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        server.register_key(TEAM, KID, public)
        yield server
    assert server.handler_errors == []


def developer(*, kid: str = KID, iss: str = TEAM, ttl: int = 3600, now: float | None = None, **extra: Any) -> str:
    return DevTokenSigner(KEY, kid=kid).sign(iss=iss, ttl=ttl, now=now, extra=extra or None)


def user_token(http: httpx.Client, apple: AppleMusicServer) -> str:
    answer = http.post(apple.url("/musickit/authorize"), headers={"Authorization": f"Bearer {developer()}"}, json={})
    assert answer.status_code == 200
    return str(answer.json()["music_user_token"])


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (developer(kid="OTHERKEY01"), "unknown kid"),
        (developer(iss="OTHER12345"), "iss is not the Team ID"),
        (developer(now=0), "not valid now"),
        (developer(ttl=15_777_001), "at most 15777000 s"),
        (developer(origin="https://app.example"), "origin must be a list"),
        (developer(origin=["https://app.example"]), "origin is not allowed"),
        (developer()[:-4] + "AAAA", "invalid signature"),
        ("not-a-jwt", "malformed"),
    ],
)
def test_configure_refuses_what_apple_would(http, apple, token, detail) -> None:  # type: ignore[no-untyped-def]
    answer = http.post(apple.url("/musickit/configure"), headers={"Authorization": f"Bearer {token}", "Origin": PAGE}, json={})
    assert answer.status_code == 401 and detail in answer.json()["errors"][0]["detail"]


def test_a_loopback_page_may_call_and_an_allowed_origin_passes(http, apple) -> None:  # type: ignore[no-untyped-def]
    preflight = http.options(apple.url("/musickit/configure"), headers={"Origin": PAGE})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == PAGE
    assert http.options(apple.url("/musickit/configure"), headers={"Origin": "https://evil.example"}).status_code == 403
    token = developer(origin=[PAGE])
    answer = http.post(apple.url("/musickit/configure"), headers={"Authorization": f"Bearer {token}", "Origin": PAGE}, json={})
    assert answer.status_code == 200 and answer.json() == {"interactive": False}
    assert apple.last_developer_claims is not None and apple.last_developer_claims["origin"] == [PAGE]


def test_authorize_can_be_refused(http, apple) -> None:  # type: ignore[no-untyped-def]
    apple.consent = "deny"
    answer = http.post(apple.url("/musickit/authorize"), headers={"Authorization": f"Bearer {developer()}"}, json={})
    assert answer.status_code == 401 and answer.json()["errors"][0]["code"] == "AUTHORIZATION_ERROR"
    apple.consent = "interactive"  # the page's "Don't Allow", then "Allow"
    headers = {"Authorization": f"Bearer {developer()}"}
    assert http.post(apple.url("/musickit/authorize"), headers=headers, json={"decision": "deny"}).status_code == 401
    assert http.post(apple.url("/musickit/authorize"), headers=headers, json={"decision": "approve"}).status_code == 200


def test_the_storefront_wants_both_tokens(http, apple) -> None:  # type: ignore[no-untyped-def]
    mut = user_token(http, apple)
    url = apple.url("/v1/me/storefront")
    both = {"Authorization": f"Bearer {developer()}", "Music-User-Token": mut}
    assert http.get(url, headers=both).json()["data"][0]["id"] == "us"
    assert http.get(url, headers={"Music-User-Token": mut}).status_code == 401
    assert http.get(url, headers={"Authorization": both["Authorization"]}).status_code == 403
    assert http.get(url, headers={**both, "Music-User-Token": "made-up"}).status_code == 403
    apple.withdraw_user_tokens()
    assert http.get(url, headers=both).status_code == 403
