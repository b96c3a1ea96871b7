"""Spotify: loopback-only redirects, PKCE public clients, Basic for confidential ones, rotation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from musicauth_gui.sandbox import SpotifyServer
from musicauth_gui.sandbox.spotify import REFRESH_TOKEN_LIFETIME

from .conftest import SECRET
from .helpers import REDIRECT, authorize, basic, get_code, pkce_pair, post_form

AUTH = {"Authorization": basic("sp-app", SECRET)}


def token(http: httpx.Client, spotify: SpotifyServer, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    return post_form(http, spotify, "/api/token", data, **kwargs)


def sign_in(http: httpx.Client, spotify: SpotifyServer) -> dict[str, str]:
    """The confidential client's code flow, tokens returned."""
    code = get_code(http, spotify, "sp-app")
    response = token(
        http, spotify, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [("sp-localhost", "http://localhost:8888/callback"), ("sp-app", "http://localhost:53682/callback")],
)
def test_localhost_is_refused_even_if_registered(
    http: httpx.Client, spotify: SpotifyServer, client_id: str, redirect_uri: str
) -> None:
    response = authorize(http, spotify, response_type="code", client_id=client_id, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Insecure redirect URI" in response.text
    assert "location" not in response.headers


def test_ipv6_loopback(http: httpx.Client, spotify: SpotifyServer) -> None:
    spotify.register_client("v6", SECRET, redirect_uris=["http://[::1]/cb"])
    assert get_code(http, spotify, "v6", redirect_uri="http://[::1]:40000/cb")


def test_public_client_pkce_and_rotation(http: httpx.Client, spotify: SpotifyServer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(http, spotify, "sp-public", scope="user-read-private", challenge=challenge)
    redeem = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": "sp-public"}
    tokens = token(http, spotify, {**redeem, "code_verifier": verifier}).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "sp-public"}
    refreshed = token(http, spotify, refresh).json()
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    assert not spotify.is_access_token_active(tokens["access_token"])
    assert token(http, spotify, refresh).json()["error"] == "invalid_grant"


def test_confidential_client_uses_basic(http: httpx.Client, spotify: SpotifyServer) -> None:
    code = get_code(http, spotify, "sp-app")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    in_body = token(http, spotify, {**data, "client_id": "sp-app", "client_secret": SECRET})
    assert (in_body.status_code, in_body.json()["error"]) == (401, "invalid_client")
    assert sign_in(http, spotify)["token_type"] == "Bearer"


def test_client_credentials_basic_only(http: httpx.Client, spotify: SpotifyServer) -> None:
    ok = token(http, spotify, {"grant_type": "client_credentials"}, headers=AUTH)
    assert ok.status_code == 200 and "refresh_token" not in ok.json()
    in_body = {"grant_type": "client_credentials", "client_id": "sp-app", "client_secret": SECRET}
    assert token(http, spotify, in_body).status_code == 401
    public = token(http, spotify, {"grant_type": "client_credentials", "client_id": "sp-public"})
    assert (public.status_code, public.json()["error"]) == (401, "invalid_client")


def test_refresh_token_lifetime_is_six_months_from_consent(http: httpx.Client, spotify: SpotifyServer) -> None:
    start = spotify.clock()
    now = start

    def clock() -> float:
        return now

    spotify.clock = clock
    rt = sign_in(http, spotify)["refresh_token"]
    for days in (60, 120, 181):
        now = start + days * 86400
        rt = token(http, spotify, {"grant_type": "refresh_token", "refresh_token": rt}, headers=AUTH).json()[
            "refresh_token"
        ]
    now = start + REFRESH_TOKEN_LIFETIME
    expired = token(http, spotify, {"grant_type": "refresh_token", "refresh_token": rt}, headers=AUTH)
    assert expired.json() == {"error": "invalid_grant", "error_description": "Refresh token expired"}


def test_me(http: httpx.Client, spotify: SpotifyServer) -> None:
    access = sign_in(http, spotify)["access_token"]
    me = http.get(spotify.url("/v1/me"), headers={"Authorization": f"Bearer {access}"}).json()
    assert (me["id"], me["type"]) == ("sandbox-spotify-user", "user")
    assert http.get(spotify.url("/v1/me"), headers={"Authorization": f"OAuth {access}"}).status_code == 401
