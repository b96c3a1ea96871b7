"""Emulates TIDAL's developer-platform authorization server (login.tidal.com, auth.tidal.com).

Follows ``music-providers.md`` ("TIDAL", from tidal-sdk-web ``packages/auth/src/auth/auth.ts``):

* ``GET /authorize``: code flow, ``code_challenge_method=S256`` required (PKCE for every
  client), space-separated scopes from TIDAL's list; redirect URIs match the registered ones.
* ``POST /v1/oauth2/token``: form bodies; the code exchange with ``code_verifier``; client
  credentials with ``client_id`` and ``client_secret`` in the body. A refresh must carry
  ``scope`` and its answer has **no** ``refresh_token``: the old one stays valid (no rotation).
  Answers add ``user_id`` for user tokens.
* Errors: ``{"error", "error_description", "status", "sub_status"}``. TIDAL documents
  sub_status 11003 on a 401 for an expired access token ("refresh"); the token endpoint's
  numbers below (``TOKEN_SUB_STATUS``) are this emulator's stand-ins, not TIDAL's.
* ``GET /v2/searchResults/hello``: a catalogue search, ``Authorization: Bearer``, for any
  token (app or user).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .authorization_server import AuthorizationServer
from .clients import ClientRegistration
from .errors import OAuthError
from .server import Request, Response
from .token_store import AccessToken, Grant, RefreshToken

__all__ = ["EXPIRED_TOKEN_SUB_STATUS", "TIDAL_SCOPES", "TOKEN_SUB_STATUS", "TidalServer"]

TIDAL_SCOPES = (
    "user.read",
    "collection.read",
    "collection.write",
    "playlists.read",
    "playlists.write",
    "playback",
    "recommendations.read",
    "entitlements.read",
    "search.read",
    "search.write",
)
EXPIRED_TOKEN_SUB_STATUS = 11003
#: The emulator's own sub_status per OAuth error at the token endpoint (TIDAL's are unpublished).
TOKEN_SUB_STATUS = {
    "invalid_request": 11001,
    "invalid_client": 11002,
    "invalid_grant": 11101,
    "unauthorized_client": 11102,
    "unsupported_grant_type": 11103,
    "invalid_scope": 11104,
}


class TidalServer(AuthorizationServer):
    """TIDAL: PKCE code flow, client credentials, refresh with ``scope`` and no new refresh token."""

    display_name = "TIDAL"

    def __init__(self, *, port: int = 0, user_id: str = "195412345") -> None:
        """Create a stopped TIDAL emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The TIDAL user id token answers carry as ``user_id``.
        """
        super().__init__(
            port=port,
            authorize_path="/authorize",
            token_path="/v1/oauth2/token",
            introspection_path=None,
            revocation_path=None,
            resource_path="/v2/searchResults/hello",
            oauth_metadata=False,
            openid_configuration=False,
            auth_methods_supported=("client_secret_post", "none"),
            default_auth_methods=("client_secret_post",),
            grant_auth_methods={"client_credentials": ("client_secret_post",)},
            token_type="Bearer",
            pkce_required=True,
            scopes_supported=TIDAL_SCOPES,
            rotate_refresh_tokens=False,
            user_id=user_id,
        )
        token_endpoint = self._routes[self.token_path]["POST"]
        resource = self._routes["/v2/searchResults/hello"]["GET"]
        self.route("POST", self.token_path, lambda request: _tidal_error(token_endpoint(request)))
        self.route("GET", "/v2/searchResults/hello", lambda request: _tidal_error(resource(request)))

    def check_refresh(self, client: ClientRegistration, grant: Grant, form: Mapping[str, str]) -> None:
        """A refresh without ``scope`` is refused (tidal-sdk-web always sends it)."""
        if not form.get("scope"):
            raise OAuthError("invalid_request", "Missing scope: a refresh must name the scopes again")

    def token_response(self, access: AccessToken, refresh: RefreshToken | None) -> dict[str, Any]:
        """The usual answer plus ``user_id``; a refresh answer carries no refresh token."""
        body = super().token_response(access, refresh)
        if access.grant_type == "refresh_token":
            body.pop("refresh_token", None)
        if access.grant_type != "client_credentials":
            body["user_id"] = int(access.sub) if access.sub.isdigit() else access.sub
        return body

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """A one-track JSON:API search result."""
        return Response.json(
            200,
            {
                "data": {"id": "hello", "type": "searchResults"},
                "included": [{"id": "77646168", "type": "tracks", "attributes": {"title": "Hello"}}],
            },
        )


def _tidal_error(response: Response) -> Response:
    """An OAuth error answer in TIDAL's shape: ``status`` and ``sub_status`` beside ``error``."""
    if response.status < 400:
        return response
    try:
        body = json.loads(response.body)
    except ValueError:
        return response  # an injected failure (an HTML 500): left as it is
    if not isinstance(body, dict) or "error" not in body:
        return response
    body["status"] = response.status
    if response.status == 401 and body["error"] == "invalid_token":
        body["sub_status"] = EXPIRED_TOKEN_SUB_STATUS
    else:
        body["sub_status"] = TOKEN_SUB_STATUS.get(body["error"], 11000)
    response.body = json.dumps(body).encode()
    return response
