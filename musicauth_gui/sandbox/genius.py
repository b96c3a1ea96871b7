"""Emulates Genius's OAuth 2.0 server and one API call (api.genius.com).

Follows ``music-providers.md`` ("Genius", from docs.genius.com and lyricsgenius ``auth.py``):

* ``GET /oauth/authorize``: code flow; the redirect URI must be the client's (exact); scopes
  ``me create_annotation manage_annotation vote``, space separated. PKCE parameters are ignored.
* ``POST /oauth/token``: ``code``, ``client_id``, ``client_secret``, ``redirect_uri``,
  ``grant_type=authorization_code`` **and** ``response_type=code``; the answer is
  ``{"access_token", "token_type": "bearer"}``: no refresh token, no lifetime. No other grant.
* ``GET /account``: the user, ``Authorization: Bearer``, in Genius's ``meta``/``response`` envelope.
"""

from __future__ import annotations

from typing import Any

from .authorization_server import AuthorizationServer
from .errors import OAuthError
from .server import Request, Response
from .token_store import AccessToken, RefreshToken

__all__ = ["GENIUS_SCOPES", "GeniusServer"]

GENIUS_SCOPES = ("me", "create_annotation", "manage_annotation", "vote")
_TEN_YEARS = 10 * 365 * 24 * 3600.0


class GeniusServer(AuthorizationServer):
    """Genius: the code flow only, with ``response_type=code`` in the token request too."""

    display_name = "Genius"

    def __init__(self, *, port: int = 0, user_id: str = "4242424") -> None:
        """Create a stopped Genius emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The user id ``/account`` reports.
        """
        super().__init__(
            port=port,
            authorize_path="/oauth/authorize",
            token_path="/oauth/token",
            introspection_path=None,
            revocation_path=None,
            resource_path="/account",
            oauth_metadata=False,
            openid_configuration=False,
            grant_types_supported=("authorization_code",),
            auth_methods_supported=("client_secret_post",),
            default_auth_methods=("client_secret_post",),
            required_token_params={
                "authorization_code": ("code", "client_id", "client_secret", "redirect_uri", "response_type")
            },
            token_type="bearer",
            verify_pkce=False,
            scopes_supported=GENIUS_SCOPES,
            access_token_ttl=_TEN_YEARS,  # until revoked; the answer says nothing of a lifetime
            user_id=user_id,
        )
        redeem = self._routes[self.token_path]["POST"]

        def token_endpoint(request: Request) -> Response:
            if request.form.get("grant_type") == "authorization_code" and request.form.get("response_type") not in (
                None,
                "code",
            ):
                return OAuthError("invalid_request", "response_type must be code").to_response()
            return redeem(request)

        self.route("POST", self.token_path, token_endpoint)

    def issue_refresh_token(self, scope: str, *, grant_type: str) -> bool:
        """Never: Genius has no refresh tokens."""
        return False

    def token_response(self, access: AccessToken, refresh: RefreshToken | None) -> dict[str, Any]:
        """``access_token`` and ``token_type`` only."""
        return {"access_token": access.token, "token_type": self.token_type}

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """``/account`` in Genius's envelope."""
        user = {"id": int(access.sub) if access.sub.isdigit() else access.sub, "login": "sandbox-annotator"}
        return Response.json(200, {"meta": {"status": 200}, "response": {"user": user}})
