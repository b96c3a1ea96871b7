"""Emulates the Spotify Accounts service (accounts.spotify.com) and one Web API call.

Follows Spotify's authorization guides as of 2025:

* ``GET /authorize``: code flow; redirect URIs must use HTTPS or a loopback IP literal
  (``http://127.0.0.1`` or ``http://[::1]``); ``localhost`` is refused with "Insecure redirect URI"
  even when registered. PKCE (S256) for public clients.
* ``POST /api/token``: confidential clients authenticate with HTTP Basic
  (``client_secret_basic``), public clients send only ``client_id`` with PKCE (``none``).
  Client credentials are accepted with Basic only. Refresh tokens are single use (rotated), and
  stop working 6 months (182 days) after the original consent.
* ``GET /v1/me``: the current user's profile, ``Authorization: Bearer``.

No discovery documents, introspection or revocation are emulated.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .authorization_server import AuthorizationServer
from .clients import is_loopback_ip_uri
from .server import Request, Response
from .token_store import AccessToken

__all__ = ["REFRESH_TOKEN_LIFETIME", "SpotifyServer"]

REFRESH_TOKEN_LIFETIME = 182 * 24 * 3600
"""Six months, counted from the original consent."""


class SpotifyServer(AuthorizationServer):
    """The Spotify Accounts service: code flow (with or without a secret), client credentials."""

    display_name = "Spotify"

    def __init__(self, *, port: int = 0, user_id: str = "sandbox-spotify-user") -> None:
        """Create a stopped Spotify emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The Spotify user id ``/v1/me`` reports.
        """
        super().__init__(
            port=port,
            authorize_path="/authorize",
            token_path="/api/token",
            introspection_path=None,
            revocation_path=None,
            resource_path="/v1/me",
            oauth_metadata=False,
            openid_configuration=False,
            auth_methods_supported=("client_secret_basic", "none"),
            default_auth_methods=("client_secret_basic",),
            grant_auth_methods={"client_credentials": ("client_secret_basic",)},
            token_type="Bearer",
            rotate_refresh_tokens=True,
            refresh_token_lifetime=REFRESH_TOKEN_LIFETIME,
            user_id=user_id,
        )

    def redirect_uri_problem(self, uri: str) -> str | None:
        """Refuse ``localhost`` and plain HTTP anywhere but on a loopback IP literal."""
        try:
            parts = urlsplit(uri)
        except ValueError:
            return "Invalid redirect URI"
        if parts.hostname == "localhost" or (parts.scheme != "https" and not is_loopback_ip_uri(uri)):
            return "Insecure redirect URI"
        return None

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """A minimal ``/v1/me`` user object."""
        user = access.sub
        return Response.json(
            200,
            {
                "id": user,
                "display_name": "Sandbox Listener",
                "type": "user",
                "uri": f"spotify:user:{user}",
                "href": self.url(f"/v1/users/{user}"),
            },
        )
