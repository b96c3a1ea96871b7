"""Microsoft Live as Groove used it: application tokens and the user code flow."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from musicauth_gui.sandbox import LiveServer

from .conftest import LIVE_SECRET
from .helpers import REDIRECT, authorize, get_code, location_params, pkce_pair, post_form

GROOVE = "MicrosoftMediaServices.GrooveApiAccess"


def app_token(http: httpx.Client, live: LiveServer, **overrides: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "client_id": "groove-app",
        "client_secret": LIVE_SECRET,
        "scope": "app.music.xboxlive.com",
        **overrides,
    }
    return post_form(http, live, "/accesstoken.srf", data)


def test_app_token(http: httpx.Client, live: LiveServer) -> None:
    response = app_token(http, live)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["token_type", "access_token", "expires_in"]
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("Eg")
    assert body["expires_in"] == 86400
    assert live.issued_count("client_credentials") == 1


def test_app_token_ttl_is_configurable(http: httpx.Client) -> None:
    with LiveServer(app_token_ttl=120) as live:
        live.register_client("groove-app", LIVE_SECRET)
        assert app_token(http, live).json()["expires_in"] == 120


def test_grant_type_client_is_rejected(http: httpx.Client, live: LiveServer) -> None:
    response = app_token(http, live, grant_type="client")
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


@pytest.mark.parametrize("scope", ["", "app.music.xboxlive.com openid", "MicrosoftMediaServices.GrooveApiAccess"])
def test_app_scope_must_be_exact(http: httpx.Client, live: LiveServer, scope: str) -> None:
    assert app_token(http, live, scope=scope).json()["error"] == "invalid_scope"


def test_secret_must_be_url_encoded(http: httpx.Client, live: LiveServer) -> None:
    careless = (
        f"grant_type=client_credentials&client_id=groove-app&client_secret={LIVE_SECRET}&scope=app.music.xboxlive.com"
    )
    careful = careless.replace(LIVE_SECRET, quote(LIVE_SECRET, safe=""))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert http.post(live.url("/accesstoken.srf"), content=careful, headers=headers).status_code == 200
    response = http.post(live.url("/accesstoken.srf"), content=careless, headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    # The documented curl recipe (+ → %20 only) is not enough either for such a secret.
    sed = http.post(live.url("/accesstoken.srf"), content=careless.replace("+", "%20"), headers=headers)
    assert sed.status_code == 401


def test_app_tokens_only_on_accesstoken_srf(http: httpx.Client, live: LiveServer) -> None:
    data = {
        "grant_type": "client_credentials",
        "client_id": "groove-app",
        "client_secret": LIVE_SECRET,
        "scope": "app.music.xboxlive.com",
    }
    assert post_form(http, live, live.token_path, data).json()["error"] == "unsupported_grant_type"


def test_app_token_needs_form_encoding(http: httpx.Client, live: LiveServer) -> None:
    response = http.post(live.url("/accesstoken.srf"), json={"grant_type": "client_credentials"})
    assert response.json()["error"] == "invalid_request"


def redeem(http: httpx.Client, live: LiveServer, auth_code: str, **overrides: str) -> httpx.Response:
    """Redeem ``auth_code``; an override with an empty value leaves that parameter out."""
    data = {
        "grant_type": "authorization_code",
        "client_id": "groove-app",
        "client_secret": LIVE_SECRET,
        "redirect_uri": REDIRECT,
        "code": auth_code,
        **overrides,
    }
    return post_form(http, live, live.token_path, {k: v for k, v in data.items() if v})


def test_code_flow_without_offline_access_has_no_refresh_token(http: httpx.Client, live: LiveServer) -> None:
    body = redeem(http, live, get_code(http, live, "groove-app", scope=GROOVE, state=None)).json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == GROOVE
    assert "refresh_token" not in body


def test_code_flow_requires_groove_scope(http: httpx.Client, live: LiveServer) -> None:
    response = authorize(
        http, live, response_type="code", client_id="groove-app", redirect_uri=REDIRECT, scope="offline_access"
    )
    assert location_params(response)["error"] == "invalid_scope"


def test_live_ignores_pkce(http: httpx.Client, live: LiveServer) -> None:
    response = authorize(
        http,
        live,
        response_type="code",
        client_id="groove-app",
        redirect_uri=REDIRECT,
        scope=GROOVE,
        code_challenge="whatever",
        code_challenge_method="plain",
    )
    code = location_params(response)["code"]
    assert redeem(http, live, code, code_verifier=pkce_pair()[0]).status_code == 200


@pytest.mark.parametrize("missing", ["client_id", "redirect_uri", "client_secret", "code"])
def test_code_redemption_needs_every_parameter(http: httpx.Client, live: LiveServer, missing: str) -> None:
    code = get_code(http, live, "groove-app", scope=GROOVE)
    assert redeem(http, live, code, **{missing: ""}).json()["error"] == "invalid_request"


def test_refresh_with_offline_access(http: httpx.Client, live: LiveServer) -> None:
    tokens = redeem(http, live, get_code(http, live, "groove-app", scope=f"{GROOVE} offline_access")).json()
    rt = tokens["refresh_token"]
    data = {
        "grant_type": "refresh_token",
        "client_id": "groove-app",
        "client_secret": LIVE_SECRET,
        "redirect_uri": REDIRECT,
        "refresh_token": rt,
    }
    for missing in ("redirect_uri", "client_secret"):
        response = post_form(http, live, live.token_path, {k: v for k, v in data.items() if k != missing})
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    other = {**data, "redirect_uri": "http://127.0.0.1:1/callback"}
    assert post_form(http, live, live.token_path, other).json()["error"] == "invalid_grant"
    refreshed = post_form(http, live, live.token_path, data).json()
    assert refreshed["refresh_token"] == rt  # Live does not rotate
    assert live.is_access_token_active(tokens["access_token"])
    live.revoke_all_for_user()  # revoked consent: earlier refresh tokens die
    assert post_form(http, live, live.token_path, data).json()["error"] == "invalid_grant"


def test_logout(http: httpx.Client, live: LiveServer) -> None:
    ok = http.get(live.url("/oauth20_logout.srf"), params={"client_id": "groove-app", "redirect_uri": REDIRECT})
    assert (ok.status_code, ok.headers["location"]) == (302, REDIRECT)
    evil = http.get(
        live.url("/oauth20_logout.srf"), params={"client_id": "groove-app", "redirect_uri": "https://evil.example/"}
    )
    assert evil.status_code == 400 and "location" not in evil.headers
    page = http.get(live.url("/oauth20_logout.srf"), params={"client_id": "groove-app"})
    assert page.status_code == 200 and "signed out" in page.text


def test_search_resource(http: httpx.Client, live: LiveServer) -> None:
    token = app_token(http, live).json()["access_token"]
    url = live.url("/1/content/music/search")
    found = http.get(url, params={"q": "daft punk"}, headers={"Authorization": f"Bearer {token}"})
    assert found.json()["Tracks"]["Items"][0]["Name"] == "Daft Punk"
    by_query = http.get(url, params={"q": "x", "accessToken": f"Bearer {token}"})
    assert by_query.status_code == 200
    both = http.get(
        url, params={"q": "x", "accessToken": f"Bearer {token}"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert both.status_code == 400
    assert http.get(url, params={"q": "x"}).status_code == 401
    assert http.get(url, params={"q": "x"}, headers={"Authorization": "Bearer EgNope"}).status_code == 401
    assert http.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 400


def test_no_discovery(http: httpx.Client, live: LiveServer) -> None:
    assert http.get(live.url("/.well-known/openid-configuration")).status_code == 404
    assert http.get(live.url("/.well-known/oauth-authorization-server")).status_code == 404
