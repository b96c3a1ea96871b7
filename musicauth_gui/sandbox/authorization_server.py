"""A strict OAuth 2.0 authorization server, configurable enough to emulate each music provider.

It follows RFC 6749 (code, refresh and client-credentials grants), RFC 7636 (PKCE, S256 only),
RFC 8252 §7.3 (loopback redirect URIs on any port), RFC 7662 (introspection), RFC 7009
(revocation), RFC 8414 (metadata) and the parts of OAuth 2.1 that tighten them (refresh-token
rotation with replay detection, no ``code_verifier`` without a challenge). Where a provider differs,
a constructor option or an overridable method (a "hook") says so; the provider modules set them.

Endpoints (paths are constructor options; None turns an optional one off):

===========================================  ======================================================
``GET  authorize_path``                      authorization endpoint; consent per :attr:`consent`
``POST consent_path``                        the interactive consent page's Approve/Deny decision
``POST token_path``                          token endpoint
``POST introspection_path``                  introspection, ``rfc7662`` or ``musixmatch`` style
``POST revocation_path``                     RFC 7009 revocation
``GET  resource_path``                       a protected test resource
``GET  /.well-known/oauth-authorization-server`` and ``/.well-known/openid-configuration``
===========================================  ======================================================

The server acts for one fixed user, :attr:`AuthorizationServer.user_id`. Time comes from
:attr:`~.server.EmulatorServer.clock`, so tests can expire codes and tokens without sleeping.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from . import pages, pkce
from .clients import AUTH_METHODS, ClientRegistration
from .errors import NO_STORE, OAuthError
from .odd_answers import odd_json
from .server import FORM_CONTENT_TYPE, EmulatorServer, Request, Response
from .token_store import AccessToken, AuthorizationCode, Grant, RefreshToken, TokenStore

__all__ = ["GRANT_TYPES", "INTROSPECTION_STYLES", "AuthorizationServer"]

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
INTROSPECTION_STYLES = ("rfc7662", "musixmatch")

# A human may take a while on the interactive consent page; the code TTL starts after the decision.
_PENDING_TTL = 600.0


@dataclass(frozen=True)
class _PendingAuthorization:
    """A validated authorization request waiting for the user's decision."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    code_challenge: str | None
    created_at: float


def _with_params(uri: str, params: Mapping[str, str | None]) -> str:
    """``uri`` with ``params`` added to its query (keeping any query it already has)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _normalize_scope(scope: str) -> str:
    """Split on spaces, drop duplicates, keep the order."""
    return " ".join(dict.fromkeys(scope.split()))


class AuthorizationServer(EmulatorServer):
    """A generic strict OAuth 2.0 authorization server (the base of every provider emulator).

    Attributes (safe to change while running):
        consent: ``"approve"`` (default), ``"deny"`` or ``"interactive"`` (an HTML consent page).
        user_id: The user every authorization-code grant acts for.
        access_token_ttl: Access-token lifetime in seconds.
        code_ttl: Authorization-code lifetime in seconds.
        rotate_refresh_tokens: Whether a refresh replaces the refresh token, revoking the used one and
            every access token issued under it (a replay of it then revokes the whole family).
        refresh_token_lifetime: Seconds from the original consent after which refresh tokens stop
            working, or None for no limit.
        store: The :class:`~.token_store.TokenStore` (for white-box assertions).
    """

    display_name = "OAuth 2.0"
    """The provider's name on the consent page."""

    def __init__(
        self,
        *,
        port: int = 0,
        authorize_path: str = "/authorize",
        token_path: str = "/token",
        consent_path: str = "/sandbox/consent",
        introspection_path: str | None = "/introspect",
        introspection_style: str = "rfc7662",
        revocation_path: str | None = "/revoke",
        resource_path: str | None = "/me",
        resource_scheme: str = "Bearer",
        oauth_metadata: bool = True,
        openid_configuration: bool = True,
        grant_types_supported: Iterable[str] = GRANT_TYPES,
        auth_methods_supported: Iterable[str] = ("client_secret_basic", "client_secret_post", "none"),
        default_auth_methods: Iterable[str] = ("client_secret_basic", "client_secret_post"),
        grant_auth_methods: Mapping[str, Iterable[str]] | None = None,
        required_token_params: Mapping[str, Iterable[str]] | None = None,
        token_type: str = "Bearer",
        access_token_prefix: str = "",
        state_required: bool = False,
        pkce_required: bool = False,
        verify_pkce: bool = True,
        required_scopes: Iterable[str] = (),
        scopes_supported: Iterable[str] | None = None,
        rotate_refresh_tokens: bool = False,
        refresh_token_lifetime: float | None = None,
        access_token_ttl: float = 3600,
        code_ttl: float = 60,
        consent: str = "approve",
        user_id: str = "sandbox-user-1",
    ) -> None:
        """Create a stopped server.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            authorize_path: Path of the authorization endpoint.
            token_path: Path of the token endpoint.
            consent_path: Where the interactive consent page posts its decision.
            introspection_path: Path of the introspection endpoint, or None.
            introspection_style: ``"rfc7662"`` (form field ``token``, client authentication) or
                ``"musixmatch"`` (form field ``accessToken`` only; answers ``active`` and ``sub``).
            revocation_path: Path of the RFC 7009 revocation endpoint, or None.
            resource_path: Path of the protected test resource, or None.
            resource_scheme: The ``Authorization`` scheme the resource accepts (``Bearer``, ``OAuth``).
            oauth_metadata: Serve ``/.well-known/oauth-authorization-server``.
            openid_configuration: Serve ``/.well-known/openid-configuration``.
            grant_types_supported: Grant types the token endpoint knows; others get
                ``unsupported_grant_type``.
            auth_methods_supported: Client authentication methods the server knows.
            default_auth_methods: Methods given to confidential clients registered without
                ``auth_methods``.
            grant_auth_methods: Per grant type, the only methods accepted for it (e.g. client
                credentials with Basic only).
            required_token_params: Per grant type, form parameters that must be present, checked
                before anything else (``invalid_request`` otherwise), as some providers document.
            token_type: ``token_type`` in token answers, spelled as the provider spells it.
            access_token_prefix: Prepended to every access token.
            state_required: Refuse authorization requests without ``state``.
            pkce_required: Refuse authorization requests without ``code_challenge``.
            verify_pkce: False makes the server ignore every PKCE parameter (as Live did).
            required_scopes: Scopes every authorization request must include (``invalid_scope``).
            scopes_supported: If given, the only scopes accepted (and advertised in metadata).
            rotate_refresh_tokens: Replace the refresh token on every refresh.
            refresh_token_lifetime: Refresh-token lifetime in seconds from the original consent.
            access_token_ttl: Access-token lifetime in seconds.
            code_ttl: Authorization-code lifetime in seconds.
            consent: The initial :attr:`consent` mode.
            user_id: The user authorization-code grants act for.

        Raises:
            ValueError: For an unknown grant type, authentication method, style or consent mode.
        """
        super().__init__(port=port)
        self.grant_types_supported = tuple(grant_types_supported)
        self.auth_methods_supported = tuple(auth_methods_supported)
        self.default_auth_methods = tuple(default_auth_methods)
        for name in self.grant_types_supported:
            if name not in GRANT_TYPES:
                raise ValueError(f"unknown grant type {name!r}")
        for method in (*self.auth_methods_supported, *self.default_auth_methods):
            if method not in AUTH_METHODS:
                raise ValueError(f"unknown client authentication method {method!r}")
        if introspection_style not in INTROSPECTION_STYLES:
            raise ValueError(f"unknown introspection style {introspection_style!r}")
        self.authorize_path = authorize_path
        self.token_path = token_path
        self.consent_path = consent_path
        self.introspection_path = introspection_path
        self.introspection_style = introspection_style
        self.revocation_path = revocation_path
        self.resource_path = resource_path
        self.resource_scheme = resource_scheme
        self.oauth_metadata = oauth_metadata
        self.openid_configuration = openid_configuration
        self.grant_auth_methods = {k: frozenset(v) for k, v in (grant_auth_methods or {}).items()}
        self.required_token_params = {k: tuple(v) for k, v in (required_token_params or {}).items()}
        self.token_type = token_type
        self.access_token_prefix = access_token_prefix
        self.state_required = state_required
        self.pkce_required = pkce_required
        self.verify_pkce = verify_pkce
        self.required_scopes = tuple(required_scopes)
        self.scopes_supported = tuple(scopes_supported) if scopes_supported is not None else None
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.refresh_token_lifetime = refresh_token_lifetime
        self.access_token_ttl = access_token_ttl
        self.code_ttl = code_ttl
        self.consent = consent
        self.user_id = user_id
        self.store = TokenStore()
        self._clients: dict[str, ClientRegistration] = {}
        self._pending: dict[str, _PendingAuthorization] = {}
        self._odd_answers: list[Mapping[str, Any]] = []

        self.route("GET", authorize_path, self._handle_authorize)
        self.route("POST", consent_path, self._handle_consent_decision)
        self.route("POST", token_path, lambda request: self._token_endpoint(request, self.grant_types_supported))
        if introspection_path is not None:
            self.route("POST", introspection_path, self._handle_introspection)
        if revocation_path is not None:
            self.route("POST", revocation_path, self._handle_revocation)
        if resource_path is not None:
            self.route("GET", resource_path, self._handle_resource)
        if oauth_metadata:
            self.route("GET", "/.well-known/oauth-authorization-server", self._handle_metadata)
        if openid_configuration:
            self.route("GET", "/.well-known/openid-configuration", self._handle_openid_configuration)

    # -- configuration -----------------------------------------------------------------------------

    @property
    def consent(self) -> str:
        """How the (fixed) user answers authorization requests: approve, deny or interactive."""
        return self._consent

    @consent.setter
    def consent(self, mode: str) -> None:
        self._consent = pages.checked_consent(mode)

    def register_client(
        self,
        client_id: str,
        client_secret: str | None = None,
        *,
        redirect_uris: Iterable[str] = (),
        loopback_any_port: bool = True,
        grant_types: Iterable[str] | None = None,
        auth_methods: Iterable[str] | None = None,
    ) -> None:
        """Register (or replace) a client.

        Args:
            client_id: The client identifier.
            client_secret: The secret; None registers a public client (authentication ``none``,
                PKCE mandatory, no client credentials).
            redirect_uris: Registered redirect URIs, matched exactly (loopback: any port).
            loopback_any_port: Let loopback IP redirect URIs match any port (RFC 8252 §7.3).
            grant_types: Grant types the client may use; default: all the server supports (minus
                client credentials for a public client).
            auth_methods: Token endpoint authentication methods; default: ``none`` for a public
                client, the server's ``default_auth_methods`` otherwise.

        Raises:
            ValueError: For unsupported grant types or methods, or a public client given a secret
                method (or a confidential one given ``none``).
        """
        public = client_secret is None
        if grant_types is None:
            grants = frozenset(self.grant_types_supported)
            if public:
                grants -= {"client_credentials"}
        else:
            grants = frozenset(grant_types)
        methods = frozenset(
            auth_methods if auth_methods is not None else ("none",) if public else self.default_auth_methods
        )
        if unknown := grants - set(self.grant_types_supported):
            raise ValueError(f"{type(self).__name__} does not support grant types {sorted(unknown)}")
        if unknown := methods - set(self.auth_methods_supported):
            raise ValueError(f"{type(self).__name__} does not support authentication methods {sorted(unknown)}")
        if public and methods != {"none"}:
            raise ValueError("a client without a secret can only use the authentication method 'none'")
        if not public and "none" in methods:
            raise ValueError("a client with a secret cannot use the authentication method 'none'")
        if public and "client_credentials" in grants:
            raise ValueError("a public client cannot use the client_credentials grant")
        with self._lock:
            self._clients[client_id] = ClientRegistration(
                client_id=client_id,
                client_secret=client_secret,
                redirect_uris=tuple(redirect_uris),
                loopback_any_port=loopback_any_port,
                grant_types=grants,
                auth_methods=methods,
            )

    def client(self, client_id: str) -> ClientRegistration:
        """The registration of ``client_id``.

        Raises:
            KeyError: If no such client is registered.
        """
        with self._lock:
            return self._clients[client_id]

    @property
    def endpoints(self) -> dict[str, str]:
        """Absolute endpoint URLs, keyed by their RFC 8414 metadata names (plus ``resource``)."""
        urls = {
            "authorization_endpoint": self.url(self.authorize_path),
            "token_endpoint": self.url(self.token_path),
        }
        if self.introspection_path is not None:
            urls["introspection_endpoint"] = self.url(self.introspection_path)
        if self.revocation_path is not None:
            urls["revocation_endpoint"] = self.url(self.revocation_path)
        if self.resource_path is not None:
            urls["resource"] = self.url(self.resource_path)
        return urls

    def metadata(self) -> dict[str, Any]:
        """The RFC 8414 authorization server metadata document."""
        meta: dict[str, Any] = {
            "issuer": self.base_url,
            "authorization_endpoint": self.url(self.authorize_path),
            "token_endpoint": self.url(self.token_path),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(self.grant_types_supported),
            "token_endpoint_auth_methods_supported": list(self.auth_methods_supported),
            "code_challenge_methods_supported": ["S256"],
        }
        if self.scopes_supported is not None:
            meta["scopes_supported"] = list(self.scopes_supported)
        if self.introspection_path is not None:
            meta["introspection_endpoint"] = self.url(self.introspection_path)
        if self.revocation_path is not None:
            meta["revocation_endpoint"] = self.url(self.revocation_path)
            meta["revocation_endpoint_auth_methods_supported"] = list(self.auth_methods_supported)
        return meta

    # -- test helpers ------------------------------------------------------------------------------

    def is_access_token_active(self, token: str) -> bool:
        """Whether ``token`` is a known, unexpired, unrevoked access token."""
        with self._lock:
            access = self.store.access_tokens.get(token)
            return access is not None and access.is_active(self.clock())

    def is_refresh_token_active(self, token: str) -> bool:
        """Whether ``token`` is a refresh token that would be accepted now."""
        with self._lock:
            refresh = self.store.refresh_tokens.get(token)
            return refresh is not None and self._refresh_problem(refresh) is None

    def issued_count(self, grant_type: str) -> int:
        """How many access tokens were issued through ``grant_type``."""
        with self._lock:
            return self.store.issued[grant_type]

    def answer_next_token_with(self, changes: Mapping[str, Any], times: int = 1) -> None:
        """Odd answers: the next ``times`` successful token answers carry ``changes``.

        The tokens are issued as usual (a refresh still rotates, so the refresh token in the odd
        answer is the only live one): only the JSON the client reads changes. Error answers do
        not use up a queued change.

        Args:
            changes: Field values, e.g. ``{"expires_in": "nan"}``; see
                :func:`~.odd_answers.odd_json` for :class:`~.odd_answers.JsonLiteral` (such as
                ``JsonLiteral("1e400")``) and :data:`~.odd_answers.REMOVE`.
            times: How many consecutive answers change this way.

        Raises:
            ValueError: ``times < 1``.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._odd_answers.extend([dict(changes)] * times)

    def revoke_all_for_user(self) -> None:
        """Revoke every token and code of :attr:`user_id`, as if the user withdrew consent."""
        with self._lock:
            self.store.revoke_user(self.user_id)

    # -- hooks for provider subclasses -------------------------------------------------------------

    def redirect_uri_problem(self, uri: str) -> str | None:
        """A reason to refuse ``uri`` even if registered, or None. The default refuses nothing."""
        return None

    def issue_refresh_token(self, scope: str, *, grant_type: str) -> bool:
        """Whether a token answer includes a refresh token.

        Args:
            scope: The granted scope.
            grant_type: ``authorization_code`` or ``client_credentials`` (a refresh keeps the
                family's refresh token either way).

        Returns:
            By default: always for the code grant, never for client credentials.
        """
        return grant_type == "authorization_code"

    def access_token_lifetime(self, grant_type: str) -> float:
        """Lifetime of a new access token from ``grant_type``; default :attr:`access_token_ttl`."""
        return self.access_token_ttl

    def check_client_credentials(self, client: ClientRegistration, scope: str) -> None:
        """Refuse a client-credentials request by raising :class:`~.errors.OAuthError`; default: allow."""

    def check_refresh(self, client: ClientRegistration, grant: Grant, form: Mapping[str, str]) -> None:
        """Refuse a refresh request by raising :class:`~.errors.OAuthError`; default: allow."""

    def token_response(self, access: AccessToken, refresh: RefreshToken | None) -> dict[str, Any]:
        """The JSON body of a successful token answer."""
        body: dict[str, Any] = {
            "access_token": access.token,
            "token_type": self.token_type,
            "expires_in": round(access.expires_at - access.issued_at),
        }
        if access.scope:
            body["scope"] = access.scope
        if refresh is not None:
            body["refresh_token"] = refresh.token
        return body

    def resource_token(self, request: Request) -> str:
        """The access token of a resource request, from ``Authorization: <resource_scheme> <token>``.

        Raises:
            OAuthError: 401 ``invalid_request`` for a missing header or another scheme.
        """
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != self.resource_scheme.lower() or not token.strip():
            raise OAuthError(
                "invalid_request",
                f"Send the access token as 'Authorization: {self.resource_scheme} <token>'",
                status=401,
            )
        return token.strip()

    def resource_response(self, request: Request, access: AccessToken) -> Response:
        """The protected resource's answer for a valid token; default: who the token is for."""
        return Response.json(200, {"sub": access.sub, "client_id": access.client_id, "scope": access.scope})

    # -- authorization endpoint --------------------------------------------------------------------

    def _error_page(self, message: str) -> Response:
        # RFC 6749 §4.1.2.1: with a bad client or redirect URI the user is told, never redirected,
        # or the server would be an open redirector.
        return Response.html(400, pages.error_page(f"{self.display_name}: invalid request", message))

    def _handle_authorize(self, request: Request) -> Response:
        query = request.query
        for name in ("client_id", "redirect_uri"):
            if name in request.repeated:
                return self._error_page(f"The {name} parameter was sent more than once.")
        client = self._clients.get(query.get("client_id", ""))
        if client is None:
            return self._error_page("Unknown client_id.")
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            return self._error_page("Missing redirect_uri.")
        if (problem := self.redirect_uri_problem(redirect_uri)) is not None:
            return self._error_page(problem)
        if not client.allows_redirect(redirect_uri):
            return self._error_page("Invalid redirect URI: it does not match a registered one.")

        # From here on the client is known and the redirect URI is trusted: errors go back to it.
        state = query.get("state")

        def fail(error: str, description: str) -> Response:
            params = {"error": error, "error_description": description, "state": state}
            return Response.redirect(_with_params(redirect_uri, params))

        if request.repeated:
            return fail("invalid_request", f"Repeated parameters: {', '.join(sorted(request.repeated))}")
        response_type = query.get("response_type")
        if not response_type:
            return fail("invalid_request", "Missing response_type")
        if response_type != "code":
            return fail("unsupported_response_type", "Only response_type=code is supported")
        if "authorization_code" not in client.grant_types:
            return fail("unauthorized_client", "This client may not use the authorization code grant")
        if self.state_required and not state:
            return fail("invalid_request", "Missing state")

        challenge: str | None = None
        if self.verify_pkce:
            challenge = query.get("code_challenge")
            method = query.get("code_challenge_method")
            if challenge is None:
                if method is not None:
                    return fail("invalid_request", "code_challenge_method without code_challenge")
                if self.pkce_required or client.is_public:
                    return fail("invalid_request", "code_challenge required (PKCE with S256)")
            else:
                # RFC 7636 §4.3: a missing method means "plain", which this server refuses.
                if method != "S256":
                    return fail("invalid_request", "code_challenge_method must be S256")
                if not pkce.is_valid_challenge(challenge):
                    return fail("invalid_request", "Malformed code_challenge")

        scope = _normalize_scope(query.get("scope", ""))
        scopes = scope.split()
        if missing := [name for name in self.required_scopes if name not in scopes]:
            return fail("invalid_scope", f"Missing required scope: {' '.join(missing)}")
        if unknown := self._unknown_scopes(scopes):
            return fail("invalid_scope", f"Unknown scope: {' '.join(unknown)}")

        pending = _PendingAuthorization(client.client_id, redirect_uri, scope, state, challenge, self.clock())
        if self.consent == "interactive":
            return self._consent_page(pending)
        return self._decide(pending, approved=self.consent == "approve")

    def _unknown_scopes(self, scopes: Iterable[str]) -> list[str]:
        if self.scopes_supported is None:
            return []
        return [name for name in scopes if name not in self.scopes_supported]

    def _consent_page(self, pending: _PendingAuthorization) -> Response:
        now = self.clock()
        for key in [key for key, old in self._pending.items() if now - old.created_at > _PENDING_TTL]:
            del self._pending[key]
        request_id = secrets.token_urlsafe(16)
        self._pending[request_id] = pending
        page = pages.consent_page(
            provider=self.display_name,
            client_id=pending.client_id,
            scopes=pending.scope.split(),
            user_id=self.user_id,
            decision_url=self.consent_path,
            request_id=request_id,
        )
        # The page must not be framed by another site (click-jacking) nor cached.
        return Response.html(200, page, [("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")])

    def _handle_consent_decision(self, request: Request) -> Response:
        if request.content_type != FORM_CONTENT_TYPE:
            return self._error_page("The consent form must be posted as a form.")
        pending = self._pending.pop(request.form.get("request_id", ""), None)
        if pending is None or self.clock() - pending.created_at > _PENDING_TTL:
            return self._error_page("This authorization request is unknown or was already answered.")
        decision = request.form.get("decision")
        if decision not in ("approve", "deny"):
            return self._error_page("Choose Approve or Deny.")
        # 303: the browser follows a POST's redirect with GET, as the redirect URI expects.
        return self._decide(pending, approved=decision == "approve", status=303)

    def _decide(self, pending: _PendingAuthorization, *, approved: bool, status: int = 302) -> Response:
        if not approved:
            params = {"error": "access_denied", "error_description": "The user denied access", "state": pending.state}
            return Response.redirect(_with_params(pending.redirect_uri, params), status)
        code = self.store.new_code(
            AuthorizationCode(
                code=secrets.token_urlsafe(32),
                client_id=pending.client_id,
                redirect_uri=pending.redirect_uri,
                scope=pending.scope,
                code_challenge=pending.code_challenge,
                user_id=self.user_id,
                expires_at=self.clock() + self.code_ttl,
            )
        )
        return Response.redirect(
            _with_params(pending.redirect_uri, {"code": code.code, "state": pending.state}), status
        )

    # -- client authentication ---------------------------------------------------------------------

    def _authenticate_client(self, request: Request) -> tuple[ClientRegistration, str]:
        """Identify and authenticate the client of a back-channel request.

        Returns:
            The client and the method it used (``client_secret_basic``, ``client_secret_post`` or
            ``none``).

        Raises:
            OAuthError: 401 ``invalid_client`` (with ``WWW-Authenticate`` when the
                ``Authorization`` header was used), or 400 ``invalid_request`` when two methods are
                mixed (RFC 6749 §2.3: a client MUST NOT use more than one).
        """
        form = request.form
        header = request.headers.get("authorization")
        challenge: tuple[tuple[str, str], ...] = ()
        if header is not None:
            # RFC 6749 §5.2: a client that tried the Authorization header gets 401 + WWW-Authenticate.
            challenge = (("WWW-Authenticate", 'Basic realm="sandbox", charset="UTF-8"'),)
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "basic":
                raise OAuthError("invalid_client", "Unsupported authorization scheme", status=401, headers=challenge)
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError(
                    "invalid_client", "Malformed Basic credentials", status=401, headers=challenge
                ) from None
            raw_id, colon, raw_secret = decoded.partition(":")
            if not colon:
                raise OAuthError("invalid_client", "Malformed Basic credentials", status=401, headers=challenge)
            # RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and encoded.
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            if "client_secret" in form:
                raise OAuthError("invalid_request", "Use either HTTP Basic or client_secret in the body, not both")
            if form.get("client_id") not in (None, client_id):
                raise OAuthError("invalid_request", "client_id in the body differs from the Basic credentials")
            method: str = "client_secret_basic"
            secret_given: str | None = secret
        elif "client_secret" in form:
            client_id, method, secret_given = form.get("client_id", ""), "client_secret_post", form["client_secret"]
        else:
            client_id, method, secret_given = form.get("client_id", ""), "none", None
        if not client_id:
            raise OAuthError("invalid_client", "Client authentication failed: no client_id", status=401)
        client = self._clients.get(client_id)
        if client is None:
            raise OAuthError(
                "invalid_client", "Client authentication failed: unknown client", status=401, headers=challenge
            )
        if method not in client.auth_methods:
            raise OAuthError(
                "invalid_client",
                f"Client authentication failed: method {method} is not allowed for this client",
                status=401,
                headers=challenge,
            )
        if method != "none" and not client.secret_matches(secret_given):
            raise OAuthError(
                "invalid_client", "Client authentication failed: wrong secret", status=401, headers=challenge
            )
        return client, method

    # -- token endpoint ----------------------------------------------------------------------------

    def _require_form(self, request: Request) -> None:
        if request.content_type != FORM_CONTENT_TYPE:
            raise OAuthError("invalid_request", f"Content-Type must be {FORM_CONTENT_TYPE}")
        if request.repeated:
            raise OAuthError("invalid_request", f"Repeated parameters: {', '.join(sorted(request.repeated))}")

    def _token_endpoint(self, request: Request, grant_types: Iterable[str]) -> Response:
        """Serve a token request limited to ``grant_types`` (providers may split them by path)."""
        try:
            self._require_form(request)
            form = request.form
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "Missing grant_type")
            if grant_type not in grant_types:
                raise OAuthError("unsupported_grant_type", f"Unsupported grant_type: {grant_type}")
            if missing := [name for name in self.required_token_params.get(grant_type, ()) if not form.get(name)]:
                raise OAuthError("invalid_request", f"Missing parameter: {', '.join(missing)}")
            client, method = self._authenticate_client(request)
            allowed = self.grant_auth_methods.get(grant_type)
            if allowed is not None and method not in allowed:
                raise OAuthError(
                    "invalid_client",
                    f"{grant_type} requires authentication by {', '.join(sorted(allowed))}",
                    status=401,
                )
            if method == "none" and grant_type == "client_credentials":
                raise OAuthError("invalid_client", "client_credentials requires client authentication", status=401)
            if grant_type not in client.grant_types:
                raise OAuthError("unauthorized_client", f"This client may not use the {grant_type} grant")
            if grant_type == "authorization_code":
                access, refresh = self._redeem_code(client, method, form)
            elif grant_type == "refresh_token":
                access, refresh = self._refresh(client, method, form)
            else:
                access, refresh = self._client_credentials(client, form)
        except OAuthError as error:
            return error.to_response()
        if self._odd_answers:
            changes = self._odd_answers.pop(0)
            body = odd_json(self.token_response(access, refresh), changes)
            return Response(200, body, [("Content-Type", "application/json"), *NO_STORE])
        return Response.json(200, self.token_response(access, refresh), NO_STORE)

    def _issue(
        self, grant: Grant, *, scope: str, grant_type: str, refresh: RefreshToken | None
    ) -> tuple[AccessToken, RefreshToken | None]:
        access = self.store.issue_access_token(
            grant,
            scope=scope,
            grant_type=grant_type,
            now=self.clock(),
            ttl=self.access_token_lifetime(grant_type),
            prefix=self.access_token_prefix,
            refresh_token=refresh.token if refresh is not None else None,
        )
        return access, refresh

    def _redeem_code(
        self, client: ClientRegistration, method: str, form: Mapping[str, str]
    ) -> tuple[AccessToken, RefreshToken | None]:
        value, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not value:
            raise OAuthError("invalid_request", "Missing code")
        if not redirect_uri:
            raise OAuthError("invalid_request", "Missing redirect_uri")
        code = self.store.codes.get(value)
        if code is None or code.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if code.used:
            # RFC 6749 §4.1.2: a code presented twice revokes every token issued from it.
            if code.grant_id is not None:
                self.store.revoke_grant(code.grant_id)
            raise OAuthError("invalid_grant", "Authorization code was already used")
        # The first redemption attempt burns the code, successful or not: a wrong verifier cannot
        # be retried (no guessing), and the client must restart the flow.
        code.used = True
        if self.clock() >= code.expires_at:
            raise OAuthError("invalid_grant", "Authorization code expired")
        if redirect_uri != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the one used at the authorization endpoint")
        if self.verify_pkce:
            self._check_verifier(code.code_challenge, form.get("code_verifier"))
        if method == "none" and code.code_challenge is None:
            raise OAuthError("invalid_grant", "A public client must use PKCE")
        now = self.clock()
        grant = self.store.new_grant(
            client_id=client.client_id,
            user_id=code.user_id,
            scope=code.scope,
            redirect_uri=code.redirect_uri,
            consent_at=now,
            pkce=code.code_challenge is not None,
        )
        code.grant_id = grant.grant_id
        refresh = None
        if self.issue_refresh_token(code.scope, grant_type="authorization_code"):
            refresh = self.store.issue_refresh_token(grant, now=now)
        return self._issue(grant, scope=code.scope, grant_type="authorization_code", refresh=refresh)

    @staticmethod
    def _check_verifier(challenge: str | None, verifier: str | None) -> None:
        if challenge is None:
            # OAuth 2.1 §4.1.3: a verifier without a challenge is refused (PKCE downgrade attack).
            if verifier is not None:
                raise OAuthError("invalid_grant", "code_verifier sent, but no code_challenge was used")
            return
        if verifier is None:
            raise OAuthError("invalid_grant", "Missing code_verifier")
        if not pkce.is_valid_verifier(verifier):
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 unreserved characters")
        if not pkce.verifier_matches(verifier, challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")

    def _refresh_problem(self, refresh: RefreshToken) -> str | None:
        """Why ``refresh`` would be refused now, or None."""
        grant = self.store.grants[refresh.grant_id]
        if refresh.rotated:
            return "Refresh token was already used"
        if refresh.revoked or grant.revoked:
            return "Refresh token was revoked"
        if self.refresh_token_lifetime is not None and self.clock() >= grant.consent_at + self.refresh_token_lifetime:
            return "Refresh token expired"
        return None

    def _refresh(
        self, client: ClientRegistration, method: str, form: Mapping[str, str]
    ) -> tuple[AccessToken, RefreshToken | None]:
        value = form.get("refresh_token")
        if not value:
            raise OAuthError("invalid_request", "Missing refresh_token")
        refresh = self.store.refresh_tokens.get(value)
        if refresh is None or refresh.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        grant = self.store.grants[refresh.grant_id]
        if (problem := self._refresh_problem(refresh)) is not None:
            if refresh.rotated:
                # OAuth 2.1 §4.3.1: a replayed rotated token means it leaked; end the whole family.
                self.store.revoke_grant(grant.grant_id)
            raise OAuthError("invalid_grant", problem)
        if method == "none" and not grant.pkce:
            raise OAuthError("invalid_client", "A public client's grant must come from PKCE", status=401)
        scope = grant.scope
        if "scope" in form:
            scope = _normalize_scope(form["scope"])
            if extra := [name for name in scope.split() if name not in grant.scope.split()]:
                raise OAuthError("invalid_scope", f"Scope exceeds the original grant: {' '.join(extra)}")
        self.check_refresh(client, grant, form)
        if self.rotate_refresh_tokens:
            # The used refresh token dies with every access token issued under it.
            refresh.rotated = True
            self.store.revoke_access_tokens_of(refresh.token)
            refresh = self.store.issue_refresh_token(grant, now=self.clock())
        return self._issue(grant, scope=scope, grant_type="refresh_token", refresh=refresh)

    def _client_credentials(
        self, client: ClientRegistration, form: Mapping[str, str]
    ) -> tuple[AccessToken, RefreshToken | None]:
        scope = _normalize_scope(form.get("scope", ""))
        if unknown := self._unknown_scopes(scope.split()):
            raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
        self.check_client_credentials(client, scope)
        now = self.clock()
        grant = self.store.new_grant(
            client_id=client.client_id, user_id=None, scope=scope, redirect_uri=None, consent_at=now, pkce=False
        )
        refresh = None
        if self.issue_refresh_token(scope, grant_type="client_credentials"):
            refresh = self.store.issue_refresh_token(grant, now=now)
        return self._issue(grant, scope=scope, grant_type="client_credentials", refresh=refresh)

    # -- introspection and revocation --------------------------------------------------------------

    def _handle_introspection(self, request: Request) -> Response:
        try:
            self._require_form(request)
            if self.introspection_style == "musixmatch":
                return Response.json(200, self._introspect_musixmatch(request.form), NO_STORE)
            return Response.json(200, self._introspect_rfc7662(request), NO_STORE)
        except OAuthError as error:
            return error.to_response()

    def _introspect_musixmatch(self, form: Mapping[str, str]) -> dict[str, Any]:
        # Musixmatch documents exactly one field, accessToken, and no client authentication.
        token = form.get("accessToken")
        if not token:
            hint = " (not 'token')" if "token" in form else ""
            raise OAuthError("invalid_request", f"Missing accessToken{hint}")
        access = self.store.access_tokens.get(token)
        if access is None or not access.is_active(self.clock()):
            return {"active": False}
        return {"active": True, "sub": access.sub}

    def _introspect_rfc7662(self, request: Request) -> dict[str, Any]:
        _client, method = self._authenticate_client(request)
        if method == "none":
            # RFC 7662 §2.1: the endpoint MUST require some form of authorization.
            raise OAuthError("invalid_client", "Introspection requires client authentication", status=401)
        token = request.form.get("token")
        if not token:
            raise OAuthError("invalid_request", "Missing token")
        now = self.clock()
        access = self.store.access_tokens.get(token)
        if access is not None:
            if not access.is_active(now):
                return {"active": False}
            return {
                "active": True,
                "sub": access.sub,
                "client_id": access.client_id,
                "scope": access.scope,
                "exp": int(access.expires_at),
                "iat": int(access.issued_at),
                "token_type": self.token_type,
            }
        refresh = self.store.refresh_tokens.get(token)
        if refresh is None or self._refresh_problem(refresh) is not None:
            return {"active": False}
        grant = self.store.grants[refresh.grant_id]
        answer: dict[str, Any] = {
            "active": True,
            "sub": grant.user_id if grant.user_id is not None else grant.client_id,
            "client_id": refresh.client_id,
            "scope": refresh.scope,
            "iat": int(refresh.issued_at),
        }
        if self.refresh_token_lifetime is not None:
            answer["exp"] = int(grant.consent_at + self.refresh_token_lifetime)
        return answer

    def _handle_revocation(self, request: Request) -> Response:
        try:
            self._require_form(request)
            client, _method = self._authenticate_client(request)
            token = request.form.get("token")
            if not token:
                raise OAuthError("invalid_request", "Missing token")
            access = self.store.access_tokens.get(token)
            refresh = self.store.refresh_tokens.get(token)
            owner = access.client_id if access is not None else refresh.client_id if refresh is not None else None
            if owner is not None and owner != client.client_id:
                # RFC 7009 §2.1: the server checks the token was issued to the requesting client.
                raise OAuthError("unauthorized_client", "The token was not issued to this client")
            if access is not None:
                access.revoked = True
            if refresh is not None:
                # RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of its grant.
                self.store.revoke_grant(refresh.grant_id)
        except OAuthError as error:
            return error.to_response()
        # RFC 7009 §2.2: 200 even for an unknown token, so that a client cannot probe tokens.
        return Response(200, b"", list(NO_STORE))

    # -- discovery and protected resource --------------------------------------------------------

    def _handle_metadata(self, request: Request) -> Response:
        return Response.json(200, self.metadata())

    def _handle_openid_configuration(self, request: Request) -> Response:
        # Only the OAuth part of OpenID discovery: the emulators issue no ID tokens (no jwks_uri).
        return Response.json(200, {**self.metadata(), "subject_types_supported": ["public"]})

    def _handle_resource(self, request: Request) -> Response:
        challenge = f'{self.resource_scheme} realm="sandbox"'
        try:
            token = self.resource_token(request)
        except OAuthError as error:
            return Response.json(
                error.status,
                {"error": error.error, "error_description": error.description},
                [("WWW-Authenticate", challenge)],
            )
        access = self.store.access_tokens.get(token)
        if access is None or not access.is_active(self.clock()):
            return Response.json(
                401,
                {"error": "invalid_token", "error_description": "The access token is invalid, expired or revoked"},
                [("WWW-Authenticate", f'{challenge}, error="invalid_token"')],
            )
        return self.resource_response(request, access)
