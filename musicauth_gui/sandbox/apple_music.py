"""Emulates Apple Music's web sign-in (MusicKit JS) and one Apple Music API call, strictly.

Follows ``music-providers.md`` ("Apple Music user token"). There is no OAuth here: a page loads
MusicKit JS, configures it with a developer token and calls ``authorize()``, which hands out a
Music User Token; API calls then carry both tokens.

Endpoints:

* ``GET /musickit.js``: the stand-in script (``musickit_js.py``).
* ``POST /musickit/configure`` with ``Authorization: Bearer <developer token>``: ``200
  {"interactive": bool}`` once the token verifies, else 401.
* ``POST /musickit/authorize`` (the same header; JSON ``{"decision": "approve" | "deny" | null}``):
  ``200 {"music_user_token": ...}``, or ``401`` with code ``AUTHORIZATION_ERROR`` when the user
  refuses (:attr:`AppleMusicServer.consent` ``"deny"``, or "Don't Allow" in ``"interactive"``
  mode).
* ``OPTIONS`` on both: the CORS preflight (the page is on another loopback port than this
  emulator); only ``http`` loopback origins are let in.
* ``GET /v1/me/storefront``: the user's storefront in Apple's ``{"data": [...]}`` shape; a
  missing or bad developer token is ``401``, a missing or unknown user token ``403`` (Apple's
  "Forbidden" for the ``Music-User-Token``).

A developer token verifies (Apple, "Generating Developer Tokens") when it is a compact JWS with
header ``alg`` ES256 and ``kid`` a registered 10-character Key ID (``typ``, if present, JWT);
signed by that key (raw ``r || s``); payload ``iss`` the Team ID that owns the key, ``iat`` and
``exp`` integer seconds, ``exp`` in the future and at most 15,777,000 s after ``iat``; ``origin``
optional, a list of origins: when present, a request that carries an ``Origin`` (a browser's)
must come from one of them. Errors answer ``{"errors": [{"status", "code", "title", "detail"}]}``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from .es256 import MalformedJws, load_p256_public_key, split_jws
from .musickit_js import MUSICKIT_JS
from .server import EmulatorServer, Request, Response

__all__ = ["MAX_DEVELOPER_TOKEN_LIFETIME", "STOREFRONT_PATH", "AppleMusicServer"]

STOREFRONT_PATH = "/v1/me/storefront"
#: Apple refuses developer tokens that live longer (music-providers.md).
MAX_DEVELOPER_TOKEN_LIFETIME = 15_777_000
IAT_LEEWAY = 60
_APPLE_ID = re.compile(r"[A-Z0-9]{10}")
_LOOPBACK_ORIGIN = re.compile(r"http://(127\.0\.0\.1|\[::1\]):\d{1,5}")


class _Refused(Exception):
    """A request Apple would refuse: the status, Apple's error code, and why."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail

    def response(self, headers: list[tuple[str, str]]) -> Response:
        title = {401: "Unauthorized", 403: "Forbidden"}.get(self.status, "Bad Request")
        error = {"status": str(self.status), "code": self.code, "title": title, "detail": self.detail}
        return Response.json(self.status, {"errors": [error]}, headers)


class AppleMusicServer(EmulatorServer):
    """MusicKit JS's sign-in and the Apple Music API's storefront call.

    Attributes (besides :class:`~.server.EmulatorServer`'s):
        consent: ``"approve"`` (default), ``"deny"`` (``authorize()`` rejects), or
            ``"interactive"`` (the stand-in script asks in the page).
        storefront: the storefront id ``/v1/me/storefront`` reports.
        last_developer_claims: the payload of the last developer token accepted.
    """

    display_name = "Apple Music"

    def __init__(self, *, port: int = 0, clock: Callable[[], float] = time.time, storefront: str = "us") -> None:
        super().__init__(port=port)
        self.clock = clock
        self.consent = "approve"
        self.storefront = storefront
        self.last_developer_claims: dict[str, Any] | None = None
        #: Key ID -> (Team ID, public key), as App Store Connect holds them.
        self._keys: dict[str, tuple[str, ec.EllipticCurvePublicKey]] = {}
        #: Music User Tokens handed out and not withdrawn -> the team whose developer token asked.
        self._user_tokens: dict[str, str] = {}
        self.route("GET", "/musickit.js", self._script)
        for path, handler in (("/musickit/configure", self._configure), ("/musickit/authorize", self._authorize)):
            self.route("POST", path, handler)
            self.route("OPTIONS", path, self._preflight)
        self.route("GET", STOREFRONT_PATH, self._storefront)

    # -- App Store Connect --------------------------------------------------------------------------

    def register_key(self, team_id: str, key_id: str, public_pem: str | bytes) -> None:
        """Add a MusicKit key for ``team_id`` under ``key_id``.

        Raises:
            ValueError: an id that is not Apple's 10 characters, or a key that is not EC P-256.
        """
        if not _APPLE_ID.fullmatch(team_id) or not _APPLE_ID.fullmatch(key_id):
            raise ValueError("Team ID and Key ID are 10 characters, A-Z and 0-9")
        key = load_p256_public_key(public_pem, wrong_curve="MusicKit keys are EC P-256")
        with self._lock:
            self._keys[key_id] = (team_id, key)

    def user_tokens(self) -> list[str]:
        """The Music User Tokens handed out and still valid."""
        with self._lock:
            return list(self._user_tokens)

    def withdraw_user_tokens(self) -> None:
        """The user withdrew access (Apple ID settings): every user token stops working."""
        with self._lock:
            self._user_tokens.clear()

    # -- endpoints ----------------------------------------------------------------------------------

    def _script(self, request: Request) -> Response:
        return Response(200, MUSICKIT_JS.encode(), [("Content-Type", "text/javascript; charset=utf-8")])

    def _preflight(self, request: Request) -> Response:
        headers = self._cors(request)
        if not headers:
            return Response(403)
        return Response(
            204,
            b"",
            [*headers, ("Access-Control-Allow-Methods", "POST"), ("Access-Control-Allow-Headers", "authorization, content-type")],
        )

    def _configure(self, request: Request) -> Response:
        cors = self._cors(request)
        try:
            self._developer(request)
        except _Refused as exc:
            return exc.response(cors)
        return Response.json(200, {"interactive": self.consent == "interactive"}, cors)

    def _authorize(self, request: Request) -> Response:
        cors = self._cors(request)
        try:
            team = self._developer(request)
            decision = _decision(request)
            refused = self.consent == "deny" or (self.consent == "interactive" and decision != "approve")
            if refused:
                raise _Refused(401, "AUTHORIZATION_ERROR", "the user did not allow access")
        except _Refused as exc:
            return exc.response(cors)
        token = "sandbox-mut-" + secrets.token_urlsafe(96)  # about the size of Apple's
        self._user_tokens[token] = team
        return Response.json(200, {"music_user_token": token}, cors)

    def _storefront(self, request: Request) -> Response:
        try:
            team = self._developer(request)
            user_token = request.headers.get("music-user-token")
            if not user_token:
                raise _Refused(403, "FORBIDDEN", "a Music-User-Token header is required")
            if self._user_tokens.get(user_token) != team:
                raise _Refused(403, "FORBIDDEN", "invalid or withdrawn Music User Token")
        except _Refused as exc:
            return exc.response([])
        data = {
            "id": self.storefront,
            "type": "storefronts",
            "href": f"/v1/storefronts/{self.storefront}",
            "attributes": {"name": "United States", "defaultLanguageTag": "en-US", "explicitContentPolicy": "allowed"},
        }
        return Response.json(200, {"data": [data]})

    # -- checks ---------------------------------------------------------------------------------------

    def _cors(self, request: Request) -> list[tuple[str, str]]:
        """The CORS answer headers for a loopback page's origin (none for any other)."""
        origin = request.headers.get("origin", "")
        if not _LOOPBACK_ORIGIN.fullmatch(origin):
            return []
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]

    def _developer(self, request: Request) -> str:
        """The team of the request's developer token, once it verifies (see the module)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            raise _Refused(401, "UNAUTHORIZED", "Authorization: Bearer <developer token> is required")
        try:
            jws = split_jws(token)
            header, claims = jws.header, jws.claims()
        except MalformedJws as exc:
            raise _Refused(401, "UNAUTHORIZED", f"malformed developer token: {exc}") from None
        if header.get("alg") != "ES256":
            raise _Refused(401, "UNAUTHORIZED", "developer tokens are ES256")
        if header.get("typ", "JWT") != "JWT":
            raise _Refused(401, "UNAUTHORIZED", "typ must be JWT")
        registered = self._keys.get(header.get("kid", ""))
        if registered is None:
            raise _Refused(401, "UNAUTHORIZED", "unknown kid")
        team, key = registered
        if len(jws.signature) != 64:
            raise _Refused(401, "UNAUTHORIZED", "an ES256 signature is 64 bytes (r || s)")
        if not jws.signed_by(key):
            raise _Refused(401, "UNAUTHORIZED", "invalid signature")
        if claims.get("iss") != team:
            raise _Refused(401, "UNAUTHORIZED", "iss is not the Team ID that owns the key")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not (isinstance(iat, int) and isinstance(exp, int)) or isinstance(iat, bool) or isinstance(exp, bool):
            raise _Refused(401, "UNAUTHORIZED", "iat and exp must be integer seconds")
        now = self.clock()
        if iat > now + IAT_LEEWAY or exp <= now:
            raise _Refused(401, "UNAUTHORIZED", "the developer token is not valid now")
        if exp - iat > MAX_DEVELOPER_TOKEN_LIFETIME:
            raise _Refused(401, "UNAUTHORIZED", f"a developer token may live at most {MAX_DEVELOPER_TOKEN_LIFETIME} s")
        if "origin" in claims:
            allowed = claims["origin"]
            if not isinstance(allowed, list) or not all(isinstance(item, str) for item in allowed):
                raise _Refused(401, "UNAUTHORIZED", "origin must be a list of origins")
            origin = request.headers.get("origin")
            if origin is not None and origin not in allowed:
                raise _Refused(401, "UNAUTHORIZED", "this origin is not allowed by the developer token")
        self.last_developer_claims = claims
        return team


def _decision(request: Request) -> str | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise _Refused(400, "BAD_REQUEST", "the body is not JSON") from None
    decision = body.get("decision") if isinstance(body, dict) else None
    return decision if isinstance(decision, str) else None
