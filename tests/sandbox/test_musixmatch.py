"""Musixmatch, as its OAuth documentation describes it."""

from __future__ import annotations

import httpx
import pytest

from musicauth_gui.sandbox import MusixmatchServer

from .conftest import SECRET
from .helpers import REDIRECT, authorize, basic, get_code, location_params, pkce_pair, post_form

SCOPE = "profile email"


def redeem(http: httpx.Client, mxm: MusixmatchServer, code: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": "mxm-app",
        "client_secret": SECRET,
        "code": code,
        "redirect_uri": REDIRECT,
        **extra,
    }
    return post_form(http, mxm, "/oauth/token", data)


def refresh(http: httpx.Client, mxm: MusixmatchServer, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": "mxm-app", "client_secret": SECRET}
    return post_form(http, mxm, "/oauth/token", data)


def introspect(http: httpx.Client, mxm: MusixmatchServer, data: dict[str, str]) -> httpx.Response:
    return post_form(http, mxm, "/oauth/token-metadata", data)


def test_code_flow_with_pkce(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(http, musixmatch, "mxm-app", scope=SCOPE, challenge=challenge)
    response = redeem(http, musixmatch, code, code_verifier=verifier)
    body = response.json()
    assert response.status_code == 200
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, SCOPE)
    assert body["refresh_token"]


def test_pkce_verified_when_used(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    _, challenge = pkce_pair()
    code = get_code(http, musixmatch, "mxm-app", scope=SCOPE, challenge=challenge)
    assert redeem(http, musixmatch, code, code_verifier=pkce_pair()[0]).json()["error"] == "invalid_grant"


def test_code_flow_without_pkce(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    assert redeem(http, musixmatch, get_code(http, musixmatch, "mxm-app", scope=SCOPE)).status_code == 200


@pytest.mark.parametrize(
    ("scope", "state", "error"),
    [("profile", "s", "invalid_scope"), (None, "s", "invalid_scope"), (SCOPE, None, "invalid_request")],
)
def test_authorize_requirements(
    http: httpx.Client, musixmatch: MusixmatchServer, scope: str | None, state: str | None, error: str
) -> None:
    response = authorize(
        http, musixmatch, response_type="code", client_id="mxm-app", redirect_uri=REDIRECT, scope=scope, state=state
    )
    assert location_params(response)["error"] == error


def test_secret_goes_in_the_body(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    code = get_code(http, musixmatch, "mxm-app", scope=SCOPE)
    data = {"grant_type": "authorization_code", "client_id": "mxm-app", "code": code, "redirect_uri": REDIRECT}
    response = post_form(http, musixmatch, "/oauth/token", data, headers={"Authorization": basic("mxm-app", SECRET)})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")  # client_secret missing


def test_rotation(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    tokens = redeem(http, musixmatch, get_code(http, musixmatch, "mxm-app", scope=SCOPE)).json()
    new = refresh(http, musixmatch, tokens["refresh_token"]).json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert not musixmatch.is_access_token_active(tokens["access_token"])
    assert not musixmatch.is_refresh_token_active(tokens["refresh_token"])
    assert refresh(http, musixmatch, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_introspection(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    tokens = redeem(http, musixmatch, get_code(http, musixmatch, "mxm-app", scope=SCOPE)).json()
    assert introspect(http, musixmatch, {"accessToken": tokens["access_token"]}).json() == {
        "active": True,
        "sub": "mxm-user-1234",
    }
    assert introspect(http, musixmatch, {"accessToken": "nope"}).json() == {"active": False}
    assert introspect(http, musixmatch, {"accessToken": tokens["refresh_token"]}).json() == {"active": False}
    wrong_field = introspect(http, musixmatch, {"token": tokens["access_token"]})
    assert (wrong_field.status_code, wrong_field.json()["error"]) == (400, "invalid_request")
    as_json = http.post(musixmatch.url("/oauth/token-metadata"), json={"accessToken": tokens["access_token"]})
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")


def test_client_credentials(http: httpx.Client, musixmatch: MusixmatchServer) -> None:
    data = {
        "grant_type": "client_credentials",
        "client_id": "mxm-app",
        "client_secret": SECRET,
        "scope": "lyrics.submit",
    }
    body = post_form(http, musixmatch, "/oauth/token", data).json()
    assert body["scope"] == "lyrics.submit" and "refresh_token" not in body
    assert introspect(http, musixmatch, {"accessToken": body["access_token"]}).json()["sub"] == "mxm-app"


@pytest.mark.parametrize("document", ["oauth-authorization-server", "openid-configuration"])
def test_discovery(http: httpx.Client, musixmatch: MusixmatchServer, document: str) -> None:
    meta = http.get(musixmatch.url(f"/.well-known/{document}")).json()
    assert meta["issuer"] == musixmatch.base_url
    assert meta["authorization_endpoint"] == musixmatch.url("/oauth/authorize")
    assert meta["token_endpoint"] == musixmatch.url("/oauth/token")
    assert meta["introspection_endpoint"] == musixmatch.url("/oauth/token-metadata")
    assert meta["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert "revocation_endpoint" not in meta
