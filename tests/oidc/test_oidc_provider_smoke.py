"""Self-check of the OIDC test provider (tests/oidc/server.mjs), driven by hand with httpx.

This proves the provider behaves the way the oauth2 profile tests rely on: discovery,
authorization code + PKCE S256 + state through a loopback redirect on any port, refresh token
rotation, introspection (RFC 7662), revocation (RFC 7009) and a denied authorization.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.support.oidc_provider import OidcProvider, follow_redirects, run_oidc_provider

pytestmark = pytest.mark.oidc

ACCESS_TOKEN_TTL = 900


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with run_oidc_provider(access_token_ttl=ACCESS_TOKEN_TTL) as p:
        yield p


@pytest.fixture(scope="module")
def denying_provider() -> Iterator[OidcProvider]:
    with run_oidc_provider(deny=True) as p:
        yield p


@pytest.fixture(scope="module")
def discovery(provider: OidcProvider) -> dict:
    response = httpx.get(provider.discovery_url)
    response.raise_for_status()
    return response.json()


@dataclass
class Authorized:
    code: str
    verifier: str
    redirect_uri: str
    params: dict[str, str]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(
    provider: OidcProvider,
    discovery: dict,
    client_id: str,
    *,
    port: int = 53682,
    scope: str = "openid profile email offline_access",
    prompt: str | None = "consent",
    extra: dict[str, str] | None = None,
) -> Authorized:
    """Run the authorization request through the automatic interaction; stop at the redirect_uri
    without connecting to it. ``prompt=consent`` by default: oidc-provider drops offline_access
    (so: no refresh token) from requests without it."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    redirect_uri = provider.redirect_uri(port)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **({"prompt": prompt} if prompt is not None else {}),
        **(extra or {}),
    }
    url = f"{discovery['authorization_endpoint']}?{urlencode(query)}"
    with httpx.Client() as browser:
        location = follow_redirects(browser, url, stop=lambda u: u.startswith(redirect_uri))
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == redirect_uri
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert params.get("state") == state
    assert params.get("iss") == provider.issuer  # RFC 9207
    return Authorized(code=params.get("code", ""), verifier=verifier, redirect_uri=redirect_uri, params=params)


def token_request(discovery: dict, data: dict[str, str], auth: tuple[str, str] | None = None) -> httpx.Response:
    return httpx.post(discovery["token_endpoint"], data=data, auth=auth)


def post_auth(provider: OidcProvider) -> dict[str, str]:
    return {"client_id": provider.client_id, "client_secret": provider.client_secret}


def test_discovery(provider: OidcProvider, discovery: dict) -> None:
    assert provider.issuer.startswith("http://127.0.0.1:")
    assert discovery["issuer"] == provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "introspection_endpoint", "revocation_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(provider.issuer + "/")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["response_types_supported"] == ["code"]
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(discovery["grant_types_supported"])
    assert {"openid", "profile", "email", "offline_access"} <= set(discovery["scopes_supported"])
    assert {"client_secret_post", "client_secret_basic", "none"} <= set(discovery["token_endpoint_auth_methods_supported"])
    assert discovery["authorization_response_iss_parameter_supported"] is True


def test_code_flow_refresh_introspect_revoke(provider: OidcProvider, discovery: dict) -> None:
    auth = authorize(provider, discovery, provider.client_id, port=41999)
    assert auth.code

    response = token_request(discovery, {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": auth.verifier,
        **post_auth(provider),
    })
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["expires_in"] == ACCESS_TOKEN_TTL
    assert tokens["id_token"].count(".") == 2
    assert set(tokens["scope"].split()) == {"openid", "profile", "email", "offline_access"}
    first_refresh = tokens["refresh_token"]

    # Refresh: always rotated.
    response = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": first_refresh, **post_auth(provider)})
    assert response.status_code == 200, response.text
    refreshed = response.json()
    assert refreshed["refresh_token"] != first_refresh
    assert refreshed["access_token"] != tokens["access_token"]
    assert refreshed["expires_in"] == ACCESS_TOKEN_TTL

    # Introspection of the new access token.
    introspection = httpx.post(discovery["introspection_endpoint"], data={"token": refreshed["access_token"], **post_auth(provider)})
    assert introspection.status_code == 200, introspection.text
    info = introspection.json()
    assert info["active"] is True
    assert info["sub"] == "test-user-1"
    assert info["client_id"] == provider.client_id
    assert info["token_type"] == "Bearer"
    assert info["iss"] == provider.issuer

    # Revocation of the access token, then it is inactive.
    revocation = httpx.post(
        discovery["revocation_endpoint"],
        data={"token": refreshed["access_token"], "token_type_hint": "access_token", **post_auth(provider)},
    )
    assert revocation.status_code == 200, revocation.text
    introspection = httpx.post(discovery["introspection_endpoint"], data={"token": refreshed["access_token"], **post_auth(provider)})
    assert introspection.json() == {"active": False}

    # Replaying the rotated (old) refresh token fails; oidc-provider treats it as token theft and
    # revokes the whole grant, so the current refresh token dies with it.
    replay = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": first_refresh, **post_auth(provider)})
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    after = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"], **post_auth(provider)})
    assert after.status_code == 400
    assert after.json()["error"] == "invalid_grant"


def test_revoking_refresh_token(provider: OidcProvider, discovery: dict) -> None:
    auth = authorize(provider, discovery, provider.client_id)
    tokens = token_request(discovery, {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": auth.verifier,
        **post_auth(provider),
    }).json()
    refresh = tokens["refresh_token"]
    info = httpx.post(discovery["introspection_endpoint"], data={"token": refresh, **post_auth(provider)}).json()
    # (oidc-provider leaves token_type out for refresh tokens; access tokens say "Bearer".)
    assert info["active"] is True
    assert info["sub"] == "test-user-1"
    assert "offline_access" in info["scope"].split()

    revocation = httpx.post(
        discovery["revocation_endpoint"], data={"token": refresh, "token_type_hint": "refresh_token", **post_auth(provider)}
    )
    assert revocation.status_code == 200
    assert httpx.post(discovery["introspection_endpoint"], data={"token": refresh, **post_auth(provider)}).json() == {"active": False}
    response = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": refresh, **post_auth(provider)})
    assert response.json()["error"] == "invalid_grant"


def test_code_is_single_use_and_replay_revokes_grant(provider: OidcProvider, discovery: dict) -> None:
    auth = authorize(provider, discovery, provider.client_id)
    data = {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": auth.verifier,
        **post_auth(provider),
    }
    tokens = token_request(discovery, data).json()
    again = token_request(discovery, data)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # RFC 6749 section 4.1.2: tokens issued from a replayed code get revoked.
    info = httpx.post(discovery["introspection_endpoint"], data={"token": tokens["access_token"], **post_auth(provider)}).json()
    assert info == {"active": False}
    refresh = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **post_auth(provider)})
    assert refresh.json()["error"] == "invalid_grant"


def test_public_client_any_loopback_port(provider: OidcProvider, discovery: dict) -> None:
    for port in (8080, 61234):
        auth = authorize(provider, discovery, provider.public_client_id, port=port)
        response = token_request(discovery, {
            "grant_type": "authorization_code",
            "client_id": provider.public_client_id,
            "code": auth.code,
            "redirect_uri": auth.redirect_uri,
            "code_verifier": auth.verifier,
        })
        assert response.status_code == 200, response.text
        tokens = response.json()
        refreshed = token_request(discovery, {
            "grant_type": "refresh_token",
            "client_id": provider.public_client_id,
            "refresh_token": tokens["refresh_token"],
        })
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
        info = httpx.post(
            discovery["introspection_endpoint"],
            data={"token": refreshed.json()["access_token"], "client_id": provider.public_client_id},
        ).json()
        assert info["active"] is True and info["sub"] == "test-user-1"


def test_basic_client_and_strict_auth_method(provider: OidcProvider, discovery: dict) -> None:
    auth = authorize(provider, discovery, provider.basic_client_id)
    data = {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": auth.verifier,
    }
    # Secret in the body for a client_secret_basic client: rejected by the test server.
    wrong = token_request(discovery, {**data, "client_id": provider.basic_client_id, "client_secret": provider.client_secret})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    response = token_request(discovery, data, auth=(provider.basic_client_id, provider.client_secret))
    assert response.status_code == 200, response.text
    assert "refresh_token" in response.json()

    # And the other way round for the client_secret_post client.
    wrong = httpx.post(discovery["introspection_endpoint"], data={"token": "x"}, auth=(provider.client_id, provider.client_secret))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"

    # Wrong secret.
    bad = token_request(discovery, {"grant_type": "refresh_token", "refresh_token": "x"}, auth=(provider.basic_client_id, "nope"))
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"


def test_pkce_is_required_and_checked(provider: OidcProvider, discovery: dict) -> None:
    redirect_uri = provider.redirect_uri(5000)
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid",
        "state": "s1",
    }
    with httpx.Client() as browser:
        location = follow_redirects(
            browser, f"{discovery['authorization_endpoint']}?{urlencode(query)}", stop=lambda u: u.startswith(redirect_uri)
        )
    params = parse_qs(urlsplit(location).query)
    assert params["error"] == ["invalid_request"]
    assert params["state"] == ["s1"]

    auth = authorize(provider, discovery, provider.client_id)
    response = token_request(discovery, {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": pkce_pair()[0],
        **post_auth(provider),
    })
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_not_redirected_to(provider: OidcProvider, discovery: dict) -> None:
    _, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": "http://127.0.0.1:5000/elsewhere",
        "scope": "openid",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = httpx.get(f"{discovery['authorization_endpoint']}?{urlencode(query)}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"


@pytest.mark.parametrize("prompt", [None, "login"])
def test_offline_access_dropped_without_prompt_consent(provider: OidcProvider, discovery: dict, prompt: str | None) -> None:
    auth = authorize(provider, discovery, provider.client_id, prompt=prompt)
    tokens = token_request(discovery, {
        "grant_type": "authorization_code",
        "code": auth.code,
        "redirect_uri": auth.redirect_uri,
        "code_verifier": auth.verifier,
        **post_auth(provider),
    }).json()
    assert "refresh_token" not in tokens
    assert "offline_access" not in tokens["scope"].split()


def test_always_issue_refresh_token() -> None:
    with run_oidc_provider(always_issue_refresh_token=True) as p:
        discovery = httpx.get(p.discovery_url).json()
        auth = authorize(p, discovery, p.public_client_id, scope="openid", prompt=None)
        tokens = token_request(discovery, {
            "grant_type": "authorization_code",
            "client_id": p.public_client_id,
            "code": auth.code,
            "redirect_uri": auth.redirect_uri,
            "code_verifier": auth.verifier,
        }).json()
        assert tokens["scope"] == "openid"
        refreshed = token_request(discovery, {
            "grant_type": "refresh_token",
            "client_id": p.public_client_id,
            "refresh_token": tokens["refresh_token"],
        })
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["refresh_token"] != tokens["refresh_token"]


def test_client_credentials(provider: OidcProvider, discovery: dict) -> None:
    response = token_request(discovery, {"grant_type": "client_credentials", **post_auth(provider)})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["expires_in"] == ACCESS_TOKEN_TTL
    assert "refresh_token" not in tokens
    info = httpx.post(discovery["introspection_endpoint"], data={"token": tokens["access_token"], **post_auth(provider)}).json()
    assert info["active"] is True
    assert info["client_id"] == provider.client_id
    assert "sub" not in info or info["sub"] == provider.client_id

    # Not allowed for the public client (oidc-provider says invalid_request, not RFC 6749's
    # unauthorized_client).
    public = token_request(discovery, {"grant_type": "client_credentials", "client_id": provider.public_client_id})
    assert public.status_code == 400
    assert public.json()["error"] in ("invalid_request", "unauthorized_client")


def test_denied(denying_provider: OidcProvider) -> None:
    discovery = httpx.get(denying_provider.discovery_url).json()
    auth = authorize(denying_provider, discovery, denying_provider.client_id, port=47000)
    assert auth.code == ""
    assert auth.params["error"] == "access_denied"
    assert auth.params["error_description"] == "The user denied access"
