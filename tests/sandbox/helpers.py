"""Small helpers for driving the emulators over real HTTP in tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from musicauth_gui.sandbox import AuthorizationServer

REGISTERED_REDIRECT = "http://127.0.0.1/callback"
# What a native app sends: the registered loopback URI with the port it happened to bind.
REDIRECT = "http://127.0.0.1:53682/callback"


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge) pair, computed independently of the emulator's code."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def basic(client_id: str, secret: str) -> str:
    """An RFC 6749 §2.3.1 Basic header value (id and secret form-urlencoded first)."""
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def location_params(response: httpx.Response) -> dict[str, str]:
    """The query parameters of a redirect's Location (asserting it is a redirect)."""
    assert response.status_code in (302, 303), (response.status_code, response.text)
    return dict(parse_qsl(urlsplit(response.headers["location"]).query))


def authorize(http: httpx.Client, server: AuthorizationServer, **params: Any) -> httpx.Response:
    """GET the authorization endpoint with ``params`` (None values are left out), no redirects."""
    query = {name: value for name, value in params.items() if value is not None}
    return http.get(server.url(server.authorize_path), params=query)


def get_code(
    http: httpx.Client,
    server: AuthorizationServer,
    client_id: str,
    *,
    redirect_uri: str = REDIRECT,
    scope: str | None = None,
    state: str | None = "st-123",
    challenge: str | None = None,
) -> str:
    """Run the authorization request (consent "approve") and return the code."""
    response = authorize(
        http,
        server,
        response_type="code",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else None,
    )
    params = location_params(response)
    assert params.get("state") == state
    return params["code"]


def post_form(
    http: httpx.Client, server: AuthorizationServer, path: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """POST ``data`` form-encoded to ``path``."""
    return http.post(server.url(path), data=data, **kwargs)
