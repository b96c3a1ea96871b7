"""Emulates MusicBrainz's OAuth 2.0 server (musicbrainz.org/oauth2/...).

Follows ``music-providers.md`` ("MusicBrainz", from metabrainz/musicbrainz-server
``lib/MusicBrainz/Server/Controller/OAuth2.pm``):

* ``GET /oauth2/authorize``: code flow; PKCE optional (S256 verified whenever a challenge was
  sent; a challenge without a method, which MusicBrainz reads as *plain*, is refused here so that
  a client that forgets the method fails loudly); scopes from MusicBrainz's list.
* ``POST /oauth2/token``: POST only, repeated parameters refused, and the client secret required
  from every client (Basic or body): installed apps are confidential too. Codes and access
  tokens live an hour; every code grant gets a refresh token; a refresh does not rotate.
* ``POST /oauth2/revoke``: RFC 7009; revoking the refresh token removes the grant.
* ``GET /oauth2/userinfo``: who the token is for, ``Authorization: Bearer``.
"""

from __future__ import annotations

from .authorization_server import AuthorizationServer
from .server import Request, Response
from .token_store import AccessToken

__all__ = ["MUSICBRAINZ_SCOPES", "MusicBrainzServer"]

MUSICBRAINZ_SCOPES = ("profile", "email", "tag", "rating", "collection", "submit_isrc", "submit_barcode")


class MusicBrainzServer(AuthorizationServer):
    """MusicBrainz: code flow with a required client secret, refresh without rotation, revocation."""

    display_name = "MusicBrainz"

    def __init__(self, *, port: int = 0, user_id: str = "sandbox-editor", metabrainz_user_id: int = 1234567) -> None:
        """Create a stopped MusicBrainz emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The editor name ``userinfo`` reports as ``sub``.
            metabrainz_user_id: The numeric id ``userinfo`` reports.
        """
        super().__init__(
            port=port,
            authorize_path="/oauth2/authorize",
            token_path="/oauth2/token",
            introspection_path=None,
            revocation_path="/oauth2/revoke",
            resource_path="/oauth2/userinfo",
            oauth_metadata=False,
            openid_configuration=False,
            auth_methods_supported=("client_secret_basic", "client_secret_post"),
            default_auth_methods=("client_secret_basic", "client_secret_post"),
            token_type="Bearer",
            scopes_supported=MUSICBRAINZ_SCOPES,
            rotate_refresh_tokens=False,
            access_token_ttl=3600,
            code_ttl=3600,
            user_id=user_id,
        )
        self.metabrainz_user_id = metabrainz_user_id

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """``userinfo``: the editor's name and id (email only with the ``email`` scope)."""
        body: dict[str, object] = {"sub": access.sub, "metabrainz_user_id": self.metabrainz_user_id}
        if "email" in access.scope.split():
            body.update(email=f"{access.sub}@example.org", email_verified=True)
        return Response.json(200, body)
