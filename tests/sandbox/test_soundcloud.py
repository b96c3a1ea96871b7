"""SoundCloud: PKCE required, OAuth authorization scheme, capped client credentials."""

from __future__ import annotations

import httpx

from musicauth_gui.sandbox import SoundCloudServer

from .conftest import SECRET
from .helpers import REDIRECT, authorize, basic, get_code, location_params, pkce_pair, post_form

AUTH = {"Authorization": basic("sc-app", SECRET)}


def sign_in(http: httpx.Client, soundcloud: SoundCloudServer) -> dict[str, str]:
    verifier, challenge = pkce_pair()
    code = get_code(http, soundcloud, "sc-app", challenge=challenge)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "sc-app",
        "client_secret": SECRET,
        "code_verifier": verifier,
    }
    response = post_form(http, soundcloud, "/oauth/token", data)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_pkce_required(http: httpx.Client, soundcloud: SoundCloudServer) -> None:
    response = authorize(http, soundcloud, response_type="code", client_id="sc-app", redirect_uri=REDIRECT, state="s")
    assert location_params(response)["error"] == "invalid_request"


def test_me_needs_the_oauth_scheme(http: httpx.Client, soundcloud: SoundCloudServer) -> None:
    token = sign_in(http, soundcloud)["access_token"]
    ok = http.get(soundcloud.url("/me"), headers={"Authorization": f"OAuth {token}"})
    assert ok.json()["urn"] == soundcloud.user_id
    bearer = http.get(soundcloud.url("/me"), headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401 and bearer.json()["error"]
    assert bearer.headers["www-authenticate"].startswith("OAuth")


def test_single_use_refresh_tokens(http: httpx.Client, soundcloud: SoundCloudServer) -> None:
    tokens = sign_in(http, soundcloud)
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": "sc-app",
        "client_secret": SECRET,
    }
    new = post_form(http, soundcloud, "/oauth/token", data).json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert post_form(http, soundcloud, "/oauth/token", data).json()["error"] == "invalid_grant"


def test_client_credentials_basic_and_capped(http: httpx.Client, soundcloud: SoundCloudServer) -> None:
    in_body = post_form(
        http,
        soundcloud,
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": "sc-app", "client_secret": SECRET},
    )
    assert in_body.status_code == 401
    for _ in range(3):
        assert (
            post_form(http, soundcloud, "/oauth/token", {"grant_type": "client_credentials"}, headers=AUTH).status_code
            == 200
        )
    capped = post_form(http, soundcloud, "/oauth/token", {"grant_type": "client_credentials"}, headers=AUTH)
    assert capped.status_code == 429
    assert capped.json()["error"] == "rate_limited"
    assert soundcloud.issued_count("client_credentials") == 3
    later = soundcloud.clock() + 3601
    soundcloud.clock = lambda: later
    assert (
        post_form(http, soundcloud, "/oauth/token", {"grant_type": "client_credentials"}, headers=AUTH).status_code
        == 200
    )


def test_default_cap_is_50_per_12_hours() -> None:
    server = SoundCloudServer()
    assert (server.client_credentials_limit, server.client_credentials_window) == (50, 12 * 3600)
