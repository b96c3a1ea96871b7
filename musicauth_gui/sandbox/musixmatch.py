"""Emulates the Musixmatch enterprise OAuth 2.0 server (connect.musixmatch.com).

Follows ``musixmatch-oauth.txt``:

* ``GET /oauth/authorize``: ``response_type=code``, ``client_id``, ``redirect_uri``, ``scope``
  (must include ``profile`` and ``email``), ``state`` (required), PKCE recommended (S256; verified
  whenever a challenge was sent).
* ``POST /oauth/token``: form-encoded, ``client_id`` and ``client_secret`` in the body
  (``client_secret_post``) for every grant; ``authorization_code`` (``redirect_uri`` must exactly
  match step 1), ``refresh_token`` and ``client_credentials``. A successful refresh invalidates the
  used refresh token "alongside all related access tokens" and returns a new one.
* ``POST /oauth/token-metadata``: form field ``accessToken`` (exactly that name), answers
  ``{"active": true, "sub": "<musixmatch-user-id>"}`` or ``{"active": false}``.
* ``GET /.well-known/oauth-authorization-server`` and ``/.well-known/openid-configuration``.

``GET /me`` is an emulator-only protected resource (Bearer) for "try it" calls.
"""

from __future__ import annotations

from .authorization_server import AuthorizationServer

__all__ = ["MusixmatchServer"]


class MusixmatchServer(AuthorizationServer):
    """The Musixmatch authorization server, configured from its public documentation."""

    display_name = "Musixmatch"

    def __init__(self, *, port: int = 0, user_id: str = "mxm-user-1234") -> None:
        """Create a stopped Musixmatch emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The Musixmatch user id that introspection reports as ``sub``.
        """
        super().__init__(
            port=port,
            authorize_path="/oauth/authorize",
            token_path="/oauth/token",
            introspection_path="/oauth/token-metadata",
            introspection_style="musixmatch",
            revocation_path=None,
            resource_path="/me",
            auth_methods_supported=("client_secret_post",),
            default_auth_methods=("client_secret_post",),
            required_token_params={
                "authorization_code": ("client_id", "client_secret", "code", "redirect_uri"),
                "refresh_token": ("refresh_token", "client_id", "client_secret"),
                "client_credentials": ("client_id", "client_secret"),
            },
            token_type="Bearer",
            state_required=True,
            required_scopes=("profile", "email"),
            rotate_refresh_tokens=True,
            user_id=user_id,
        )
