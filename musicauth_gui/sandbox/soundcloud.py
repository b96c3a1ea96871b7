"""Emulates SoundCloud's OAuth 2.1 server (secure.soundcloud.com) and one API call.

Follows SoundCloud's API guide ("Authentication", 2024 onwards):

* ``GET /authorize``: code flow with PKCE (S256) required for every client.
* ``POST /oauth/token``: code and refresh grants authenticate with the client secret (always, even
  with PKCE), in the body or via Basic; client credentials via HTTP Basic only, capped per client
  (by default 50 tokens per 12 hours, then ``429 {"error": "rate_limited"}``), so clients must
  reuse app tokens. Refresh tokens are single use (rotated).
* ``GET /me``: the current user, authorized with ``Authorization: OAuth <token>``; ``Bearer`` is
  refused with 401.

No discovery documents, introspection or revocation are emulated.
"""

from __future__ import annotations

from collections import deque

from .authorization_server import AuthorizationServer
from .clients import ClientRegistration
from .errors import OAuthError
from .server import Request, Response
from .token_store import AccessToken

__all__ = ["SoundCloudServer"]


class SoundCloudServer(AuthorizationServer):
    """SoundCloud: PKCE code flow, rotating refresh tokens, capped client credentials.

    Attributes (besides :class:`~.authorization_server.AuthorizationServer`'s):
        client_credentials_limit: Client-credentials tokens a client may get per window.
        client_credentials_window: The window in seconds.
    """

    display_name = "SoundCloud"

    def __init__(
        self,
        *,
        port: int = 0,
        client_credentials_limit: int = 50,
        client_credentials_window: float = 12 * 3600,
        user_id: str = "soundcloud:users:123456789",
    ) -> None:
        """Create a stopped SoundCloud emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            client_credentials_limit: Client-credentials tokens a client may get per window.
            client_credentials_window: The window in seconds.
            user_id: The user URN ``/me`` reports.
        """
        super().__init__(
            port=port,
            authorize_path="/authorize",
            token_path="/oauth/token",
            introspection_path=None,
            revocation_path=None,
            resource_path="/me",
            resource_scheme="OAuth",
            oauth_metadata=False,
            openid_configuration=False,
            auth_methods_supported=("client_secret_post", "client_secret_basic"),
            default_auth_methods=("client_secret_post", "client_secret_basic"),
            grant_auth_methods={"client_credentials": ("client_secret_basic",)},
            token_type="Bearer",
            pkce_required=True,
            rotate_refresh_tokens=True,
            user_id=user_id,
        )
        self.client_credentials_limit = client_credentials_limit
        self.client_credentials_window = client_credentials_window
        self._cc_issued: dict[str, deque[float]] = {}

    def check_client_credentials(self, client: ClientRegistration, scope: str) -> None:
        """Refuse with 429 ``rate_limited`` once the client reached its cap in the window."""
        now = self.clock()
        issued = self._cc_issued.setdefault(client.client_id, deque())
        while issued and issued[0] <= now - self.client_credentials_window:
            issued.popleft()
        if len(issued) >= self.client_credentials_limit:
            raise OAuthError(
                "rate_limited",
                f"At most {self.client_credentials_limit} client credentials tokens per "
                f"{self.client_credentials_window:g} s; reuse the token you have",
                status=429,
            )
        issued.append(now)

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """A minimal ``/me`` user object."""
        return Response.json(
            200,
            {"urn": access.sub, "kind": "user", "username": "sandbox-listener", "permalink": "sandbox-listener"},
        )
