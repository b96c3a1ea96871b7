"""Emulates Deezer Connect (connect.deezer.com) and one API call (api.deezer.com).

Follows ``music-providers.md`` ("Deezer", from markbates/goth ``providers/deezer`` and
python-social-auth ``backends/deezer.py``):

* ``GET /oauth/auth.php?app_id=...&redirect_uri=...&perms=a,b&state=...``: ``perms`` comma
  separated; no ``response_type`` and no PKCE. Approval redirects with ``code`` and ``state``; a
  refusal with ``error_reason=user_denied`` (and the ``state``).
* ``GET /oauth/access_token.php?app_id=...&secret=...&code=...[&output=json]``: with
  ``output=json`` the answer is ``{"access_token": ..., "expires": N}``, without it the text
  ``access_token=...&expires=N``; ``expires`` is 0 (never) when ``offline_access`` was granted.
  A bad, used or expired code answers the text ``wrong code``. A wrong app id or secret answers
  an error object with status 200 (the emulator's choice: Deezer's own answer is undocumented).
  No refresh token, ever.
* ``GET /user/me?access_token=...``: the user; the ``Authorization`` header is not read. Errors
  come inside 200 answers: ``{"error": {"type": "OAuthException", "message": ..., "code": 300}}``
  for an invalid token, code 200 for none at all.
"""

from __future__ import annotations

from typing import Any

from .authorization_server import AuthorizationServer, _PendingAuthorization, _with_params
from .server import Request, Response
from .token_store import AuthorizationCode

__all__ = ["DEEZER_PERMS", "DeezerServer"]

DEEZER_PERMS = (
    "basic_access",
    "email",
    "offline_access",
    "manage_library",
    "manage_community",
    "delete_library",
    "listening_history",
)
_TEN_YEARS = 10 * 365 * 24 * 3600.0


def _api_error(message: str, code: int, kind: str = "OAuthException") -> Response:
    return Response.json(200, {"error": {"type": kind, "message": message, "code": code}})


class DeezerServer(AuthorizationServer):
    """Deezer Connect: ``app_id``/``secret``/``perms``, a GET for the token, errors in 200s."""

    display_name = "Deezer"

    def __init__(self, *, port: int = 0, user_id: str = "2529") -> None:
        """Create a stopped Deezer emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            user_id: The user id ``/user/me`` reports.
        """
        super().__init__(
            port=port,
            authorize_path="/oauth/auth.php",
            token_path="/oauth/access_token.php",
            introspection_path=None,
            revocation_path=None,
            resource_path=None,
            oauth_metadata=False,
            openid_configuration=False,
            grant_types_supported=("authorization_code",),
            auth_methods_supported=("client_secret_post",),
            default_auth_methods=("client_secret_post",),
            verify_pkce=False,
            scopes_supported=DEEZER_PERMS,
            code_ttl=600,
            user_id=user_id,
        )
        self.route("GET", self.authorize_path, self._deezer_authorize)
        self.route("GET", self.token_path, self._deezer_token)
        del self._routes[self.token_path]["POST"]
        self.route("GET", "/user/me", self._user_me)

    # -- the authorization page ----------------------------------------------------------------

    def _deezer_authorize(self, request: Request) -> Response:
        query = request.query
        if request.repeated:
            return self._error_page(f"Repeated parameters: {', '.join(sorted(request.repeated))}")
        client = self._clients.get(query.get("app_id", ""))
        if client is None:
            hint = " (Deezer says app_id, not client_id)" if "client_id" in query else ""
            return self._error_page(f"Unknown app_id{hint}.")
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri or not client.allows_redirect(redirect_uri):
            return self._error_page("Invalid redirect_uri: it is not within the application's domain.")
        perms = [p for p in query.get("perms", "").split(",") if p]
        if " " in query.get("perms", "") or any(p not in DEEZER_PERMS for p in perms):
            return self._error_page("perms are comma separated, from " + ", ".join(DEEZER_PERMS) + ".")
        pending = _PendingAuthorization(
            client.client_id, redirect_uri, " ".join(perms), query.get("state"), None, self.clock()
        )
        if self.consent == "interactive":
            return self._consent_page(pending)
        return self._decide(pending, approved=self.consent == "approve")

    def _decide(self, pending: _PendingAuthorization, *, approved: bool, status: int = 302) -> Response:
        if approved:
            return super()._decide(pending, approved=True, status=status)
        return Response.redirect(
            _with_params(pending.redirect_uri, {"error_reason": "user_denied", "state": pending.state}), status
        )

    # -- the token -----------------------------------------------------------------------------

    def _deezer_token(self, request: Request) -> Response:
        query = request.query
        client = self._clients.get(query.get("app_id", ""))
        if client is None or not client.secret_matches(query.get("secret")):
            return _api_error("Invalid app_id or secret", 4, kind="ParameterException")
        code: AuthorizationCode | None = self.store.codes.get(query.get("code", ""))
        if code is None or code.client_id != client.client_id or code.used or self.clock() >= code.expires_at:
            if code is not None:
                code.used = True
            return Response(200, b"wrong code", [("Content-Type", "text/html; charset=utf-8")])
        code.used = True
        now = self.clock()
        grant = self.store.new_grant(
            client_id=client.client_id,
            user_id=code.user_id,
            scope=code.scope,
            redirect_uri=code.redirect_uri,
            consent_at=now,
            pkce=False,
        )
        never = "offline_access" in code.scope.split()
        access = self.store.issue_access_token(
            grant,
            scope=code.scope,
            grant_type="authorization_code",
            now=now,
            ttl=_TEN_YEARS if never else self.access_token_ttl,
        )
        expires = 0 if never else round(self.access_token_ttl)
        if query.get("output") == "json":
            return Response.json(200, {"access_token": access.token, "expires": expires})
        body = f"access_token={access.token}&expires={expires}".encode()
        return Response(200, body, [("Content-Type", "text/html; charset=utf-8")])

    # -- the API -------------------------------------------------------------------------------

    def _user_me(self, request: Request) -> Response:
        token = request.query.get("access_token")
        if not token:
            return _api_error("An active access token must be used to query information about the current user", 200)
        access = self.store.access_tokens.get(token)
        if access is None or not access.is_active(self.clock()):
            return _api_error("Invalid OAuth access token.", 300)
        user: dict[str, Any] = {
            "id": int(access.sub) if access.sub.isdigit() else access.sub,
            "name": "sandbox-listener",
            "type": "user",
        }
        return Response.json(200, user)

    @property
    def endpoints(self) -> dict[str, str]:
        """The authorization page, the token URL and ``/user/me`` (as ``resource``)."""
        return {
            "authorization_endpoint": self.url(self.authorize_path),
            "token_endpoint": self.url(self.token_path),
            "resource": self.url("/user/me"),
        }
