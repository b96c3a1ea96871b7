"""Emulates Microsoft Live (login.live.com) as the Groove Music API used it.

Follows ``groove-developer-access-token.md`` (application tokens from ``/accesstoken.srf``) and
``groove-user-code-flow.md`` (the Microsoft-account code flow), with the service's observed
strictness:

* ``POST /accesstoken.srf``: ``grant_type`` must be exactly ``client_credentials`` (one Groove
  table says ``"client"``; the service refused it with ``unsupported_grant_type``), the scope must be
  ``app.music.xboxlive.com``, and ``client_secret`` is compared after form decoding, so a client that
  does not URL-encode a secret with ``+``, ``/``, ``=`` or ``&`` fails. Answer:
  ``{"token_type": "bearer", "access_token": "Eg...", "expires_in": 86400}``.
* ``GET /oauth20_authorize.srf`` and ``POST /oauth20_token.srf``: the code flow. Live ignores PKCE
  parameters. ``MicrosoftMediaServices.GrooveApiAccess`` is required; a refresh token comes only with
  ``offline_access``. Redeeming and refreshing both need ``client_id``, ``redirect_uri`` and
  ``client_secret``.
* ``GET /oauth20_logout.srf?client_id=...&redirect_uri=...``: sign-out, back to the redirect URI.
* ``GET /1/content/music/search?q=...``: a tiny Groove catalogue search, ``Authorization: Bearer``
  (or the ``accessToken`` query parameter, as the Groove docs allow; exactly one of the two).

No discovery documents, no introspection, no revocation: Live had none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import pages
from .authorization_server import AuthorizationServer
from .clients import ClientRegistration
from .errors import OAuthError
from .server import Request, Response
from .token_store import AccessToken, Grant, RefreshToken

__all__ = ["APP_SCOPE", "GROOVE_SCOPE", "LiveServer"]

APP_SCOPE = "app.music.xboxlive.com"
GROOVE_SCOPE = "MicrosoftMediaServices.GrooveApiAccess"
OFFLINE_SCOPE = "offline_access"

_CODE_PARAMS = ("client_id", "redirect_uri", "client_secret", "code")
_REFRESH_PARAMS = ("client_id", "redirect_uri", "client_secret", "refresh_token")


class LiveServer(AuthorizationServer):
    """Microsoft Live for Groove: application tokens and the user code flow.

    Attributes (besides :class:`~.authorization_server.AuthorizationServer`'s):
        app_token_ttl: Lifetime of ``/accesstoken.srf`` tokens in seconds (86400, i.e. 24 h).
        app_token_path: ``/accesstoken.srf``.
        logout_path: ``/oauth20_logout.srf``.
    """

    display_name = "Microsoft account"

    def __init__(self, *, port: int = 0, app_token_ttl: float = 86400, user_id: str = "live-user-0001") -> None:
        """Create a stopped Live emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            app_token_ttl: Lifetime of application tokens in seconds.
            user_id: The Microsoft account every code grant acts for.
        """
        super().__init__(
            port=port,
            authorize_path="/oauth20_authorize.srf",
            token_path="/oauth20_token.srf",
            introspection_path=None,
            revocation_path=None,
            resource_path="/1/content/music/search",
            oauth_metadata=False,
            openid_configuration=False,
            auth_methods_supported=("client_secret_post",),
            default_auth_methods=("client_secret_post",),
            required_token_params={"authorization_code": _CODE_PARAMS, "refresh_token": _REFRESH_PARAMS},
            token_type="bearer",
            access_token_prefix="Eg",
            verify_pkce=False,
            required_scopes=(GROOVE_SCOPE,),
            rotate_refresh_tokens=False,
            access_token_ttl=3600,
            user_id=user_id,
        )
        self.app_token_ttl = app_token_ttl
        self.app_token_path = "/accesstoken.srf"
        self.logout_path = "/oauth20_logout.srf"
        # The user token endpoint knows only the code flow; application tokens have their own path.
        self.route("POST", self.token_path, lambda r: self._token_endpoint(r, ("authorization_code", "refresh_token")))
        self.route("POST", self.app_token_path, lambda r: self._token_endpoint(r, ("client_credentials",)))
        self.route("GET", self.logout_path, self._handle_logout)

    @property
    def endpoints(self) -> dict[str, str]:
        """As the base class, plus ``app_token_endpoint`` and ``end_session_endpoint``."""
        return {
            **super().endpoints,
            "app_token_endpoint": self.url(self.app_token_path),
            "end_session_endpoint": self.url(self.logout_path),
        }

    def issue_refresh_token(self, scope: str, *, grant_type: str) -> bool:
        """Only a code grant that asked for ``offline_access`` gets a refresh token."""
        return grant_type == "authorization_code" and OFFLINE_SCOPE in scope.split()

    def access_token_lifetime(self, grant_type: str) -> float:
        """Application tokens live :attr:`app_token_ttl`, user tokens ``access_token_ttl``."""
        return self.app_token_ttl if grant_type == "client_credentials" else self.access_token_ttl

    def check_client_credentials(self, client: ClientRegistration, scope: str) -> None:
        """The only application scope is ``app.music.xboxlive.com``."""
        if scope != APP_SCOPE:
            raise OAuthError("invalid_scope", f"The scope must be {APP_SCOPE}")

    def check_refresh(self, client: ClientRegistration, grant: Grant, form: Mapping[str, str]) -> None:
        """A refresh must repeat the redirect URI of the original sign-in."""
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the one used at sign-in")

    def token_response(self, access: AccessToken, refresh: RefreshToken | None) -> dict[str, Any]:
        """Application tokens answer exactly ``token_type``, ``access_token``, ``expires_in``."""
        if access.grant_type == "client_credentials":
            return {
                "token_type": self.token_type,
                "access_token": access.token,
                "expires_in": round(access.expires_at - access.issued_at),
            }
        return super().token_response(access, refresh)

    def resource_token(self, request: Request) -> str:
        """``Authorization: Bearer <token>`` or ``?accessToken=Bearer <token>``, but not both."""
        in_query = request.query.get("accessToken")
        if in_query is None:
            return super().resource_token(request)
        if "authorization" in request.headers:
            raise OAuthError("invalid_request", "Send exactly one auth token per request", status=400)
        scheme, _, token = in_query.partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise OAuthError("invalid_request", "accessToken must be 'Bearer <token>'", status=401)
        return token.strip()

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """A one-track Groove search answer for ``q``."""
        query = request.query.get("q", "").strip()
        if not query:
            error = {"ErrorCode": "INVALID_PARAMETER", "Description": "The q parameter is required"}
            return Response.json(400, {"Error": error})
        track = {
            "Id": "music.AQ-sandbox-0001",
            "Name": query.title(),
            "Duration": "00:03:30",
            "Artists": [{"Role": "Main", "Artist": {"Id": "music.AR-sandbox-0001", "Name": "Sandbox Artist"}}],
        }
        return Response.json(200, {"Tracks": {"Items": [track], "TotalItemCount": 1}, "Culture": "en-US"})

    def _handle_logout(self, request: Request) -> Response:
        redirect_uri = request.query.get("redirect_uri")
        if redirect_uri is None:
            return Response.html(
                200, pages.message_page("Signed out", "You have signed out of your Microsoft account.")
            )
        client = self._clients.get(request.query.get("client_id", ""))
        if client is None or not client.allows_redirect(redirect_uri):
            # Never an open redirect: only a registered URI of a known client is followed.
            return self._error_page("Unknown client_id or redirect URI.")
        return Response.redirect(redirect_uri)
