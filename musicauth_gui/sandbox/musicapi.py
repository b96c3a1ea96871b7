"""Emulates MusicAPI's authentication (api.musicapi.com), strictly, with two test endpoints.

Follows ``musicapi-authorization.txt``. Every call carries ``Authorization`` in one of three schemes:

* ``Token <client id>``: public endpoints only (the Search API); the client must be registered.
* ``Basic base64(<client id>:<client secret>)``: public and private endpoints (backend only). The id
  and secret are joined as they are, **not** form-urlencoded first (that is OAuth's RFC 6749 §2.3.1
  rule, not MusicAPI's).
* ``DevToken <JWT>``: public and private endpoints. The JWT is verified independently of PyJWT:
  compact JWS with exactly three unpadded base64url parts; header ``{"alg": "ES256", "typ": "JWT",
  "kid": <a registered Key ID>}`` (any other ``alg``, ``none`` and ``HS256`` included, is refused);
  an ES256 signature (raw ``r || s``, 64 bytes) by the EC P-256 key registered under that ``kid``;
  payload ``iss`` = the client that owns the key, ``iat`` and ``exp`` integer **seconds** (``exp``
  must be in the future, ``iat`` at most :data:`IAT_LEEWAY` seconds ahead of the clock, so a token
  stamped in milliseconds as the spec's example suggests is refused), ``sub`` an optional string.

Scheme names are matched exactly as the spec spells them (``Token``, ``Basic``, ``DevToken``).
``Content-Type: application/json; charset=utf-8``, which the spec asks for on every call, is only
recorded (see :attr:`~.server.EmulatorServer.requests`), never required.

Endpoints:

* ``GET /search/introspection`` (public): ``200 {"scheme", "client_id", "sub", "scopes"}`` where
  ``scheme`` is ``"token"``, ``"basic"`` or ``"devtoken"``, ``sub`` the DevToken's ``sub`` or null,
  and ``scopes`` ``"public"`` for ``Token``, ``"private"`` otherwise.
* ``GET /user/profile`` (private): the same answer, but ``Token`` gets ``403 {"error": "forbidden"}``.

Failures answer ``401 {"error": "unauthorized", "message": "<short reason>"}`` with a
``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from cryptography.hazmat.primitives.asymmetric import ec

from .es256 import MalformedJws, load_p256_public_key, split_jws
from .server import EmulatorServer, Request, Response

__all__ = ["IAT_LEEWAY", "INTROSPECTION_PATH", "PROFILE_PATH", "MusicApiAuth", "MusicApiServer"]

INTROSPECTION_PATH = "/search/introspection"
PROFILE_PATH = "/user/profile"

IAT_LEEWAY = 60
"""How many seconds ``iat`` may be ahead of the server's clock (clock skew)."""

_CHALLENGE = (("WWW-Authenticate", 'DevToken realm="MusicAPI", Basic realm="MusicAPI", Token realm="MusicAPI"'),)


@dataclass(frozen=True)
class MusicApiAuth:
    """One successful authentication, as the emulator understood it.

    Attributes:
        scheme: ``"token"``, ``"basic"`` or ``"devtoken"``.
        client_id: The authenticated client.
        sub: The DevToken's ``sub`` claim, or None.
        scopes: ``"public"`` (Token scheme) or ``"private"``.
        header: The DevToken's JOSE header (empty for other schemes).
        claims: The DevToken's payload (empty for other schemes).
    """

    scheme: str
    client_id: str
    sub: str | None
    scopes: str
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The 200 answer's body."""
        return {"scheme": self.scheme, "client_id": self.client_id, "sub": self.sub, "scopes": self.scopes}


@dataclass(frozen=True)
class _PublicKey:
    client_id: str
    key: ec.EllipticCurvePublicKey


class _Unauthorized(Exception):
    """Authentication failed; the message is the answer's ``message``."""


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class MusicApiServer(EmulatorServer):
    """MusicAPI's authentication: Token, Basic and ES256 DevToken schemes.

    Attributes (besides :class:`~.server.EmulatorServer`'s):
        last_auth: The last successful authentication, or None.
    """

    display_name = "MusicAPI"

    def __init__(self, *, port: int = 0, clock: Callable[[], float] = time.time) -> None:
        """Create a stopped MusicAPI emulator.

        Args:
            port: Port on 127.0.0.1 (0: any free port).
            clock: Returns the current UNIX time; also settable later through :attr:`clock`.
        """
        super().__init__(port=port)
        self.clock = clock
        self.last_auth: MusicApiAuth | None = None
        self._secrets: dict[str, str] = {}
        self._keys: dict[str, _PublicKey] = {}
        self.route("GET", INTROSPECTION_PATH, self._introspection)
        self.route("GET", PROFILE_PATH, self._profile)

    # -- dashboard ---------------------------------------------------------------------------------

    def register_client(self, client_id: str, client_secret: str) -> None:
        """Create (or replace) a client, as the developer dashboard does.

        Args:
            client_id: The Client ID.
            client_secret: The Client Secret.

        Raises:
            ValueError: For an empty id or secret, or an id containing ``:`` (Basic could not carry it).
        """
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must not be empty")
        if ":" in client_id or any(ch.isspace() for ch in client_id):
            raise ValueError("client_id must not contain ':' or whitespace")
        with self._lock:
            self._secrets[client_id] = client_secret

    def register_public_key(self, client_id: str, key_id: str, public_pem: str | bytes) -> None:
        """Add a public key to a client's account under ``key_id`` (the dashboard's "Key ID").

        Args:
            client_id: A registered client.
            key_id: The Key ID DevTokens name in their ``kid`` header; unique across clients.
            public_pem: A PEM ``PUBLIC KEY`` (``openssl ec -pubout``); only EC P-256 is accepted.

        Raises:
            ValueError: For an unknown client, an empty or taken ``key_id``, an unreadable PEM, or a
                key that is not EC P-256.
        """
        if not key_id:
            raise ValueError("key_id must not be empty")
        key = load_p256_public_key(
            public_pem, wrong_curve="MusicAPI DevTokens use ES256: the public key must be EC P-256 (prime256v1)"
        )
        with self._lock:
            if client_id not in self._secrets:
                raise ValueError(f"unknown client {client_id!r}: register the client first")
            owner = self._keys.get(key_id)
            if owner is not None and owner.client_id != client_id:
                raise ValueError(f"key_id {key_id!r} belongs to another client")
            self._keys[key_id] = _PublicKey(client_id, key)

    @property
    def last_devtoken_claims(self) -> dict[str, Any] | None:
        """The payload of the last accepted DevToken (None if the last success used another scheme)."""
        auth = self.last_auth
        return dict(auth.claims) if auth is not None and auth.scheme == "devtoken" else None

    # -- endpoints ---------------------------------------------------------------------------------

    def _introspection(self, request: Request) -> Response:
        try:
            auth = self._authenticate(request)
        except _Unauthorized as exc:
            return _unauthorized(str(exc))
        return Response.json(200, auth.to_json())

    def _profile(self, request: Request) -> Response:
        try:
            auth = self._authenticate(request)
        except _Unauthorized as exc:
            return _unauthorized(str(exc))
        if auth.scopes != "private":
            return Response.json(
                403, {"error": "forbidden", "message": "private endpoint needs a DevToken or Basic auth"}
            )
        return Response.json(200, auth.to_json())

    # -- authentication ----------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> MusicApiAuth:
        header = request.headers.get("authorization")
        if header is None:
            raise _Unauthorized("missing Authorization header")
        scheme, _, credentials = header.partition(" ")
        if not credentials or any(ch.isspace() for ch in credentials):
            raise _Unauthorized("malformed Authorization header")
        if scheme == "Token":
            auth = self._token(credentials)
        elif scheme == "Basic":
            auth = self._basic(credentials)
        elif scheme == "DevToken":
            auth = self._devtoken(credentials)
        else:
            raise _Unauthorized("unsupported authorization scheme; use Token, Basic or DevToken")
        self.last_auth = auth
        return auth

    def _token(self, client_id: str) -> MusicApiAuth:
        if client_id not in self._secrets:
            raise _Unauthorized("unknown client id")
        return MusicApiAuth("token", client_id, None, "public")

    def _basic(self, credentials: str) -> MusicApiAuth:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise _Unauthorized("malformed Basic credentials") from None
        client_id, colon, secret = decoded.partition(":")
        if not colon:
            raise _Unauthorized("malformed Basic credentials")
        expected = self._secrets.get(client_id)
        if expected is None or not secrets.compare_digest(secret.encode(), expected.encode()):
            raise _Unauthorized("invalid client id or secret")
        return MusicApiAuth("basic", client_id, None, "private")

    def _devtoken(self, token: str) -> MusicApiAuth:
        try:
            jws = split_jws(token)
        except MalformedJws as exc:
            raise _Unauthorized(f"malformed token: {exc}") from None
        header = jws.header
        alg = header.get("alg")
        if alg != "ES256":
            raise _Unauthorized(f"unsupported alg {alg!r}: MusicAPI accepts only ES256")
        if header.get("typ") != "JWT":
            raise _Unauthorized("typ must be JWT")
        if "crit" in header:
            raise _Unauthorized("unsupported crit header")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _Unauthorized("missing kid")
        registered = self._keys.get(kid)
        if registered is None or registered.client_id not in self._secrets:
            raise _Unauthorized("unknown kid")
        if len(jws.signature) != 64:
            raise _Unauthorized("invalid signature: ES256 needs a 64-byte r||s signature")
        if not jws.signed_by(registered.key):
            raise _Unauthorized("invalid signature")
        try:
            claims = jws.claims()
        except MalformedJws as exc:
            raise _Unauthorized(f"malformed token: {exc}") from None
        if claims.get("iss") != registered.client_id:
            raise _Unauthorized("iss does not match the client that owns the key")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not _is_int(iat) or not _is_int(exp):
            raise _Unauthorized("iat and exp must be integer seconds")
        now = self.clock()
        if iat > now + IAT_LEEWAY:
            hint = " (milliseconds instead of seconds?)" if iat > 100_000_000_000 else ""
            raise _Unauthorized(f"iat is in the future{hint}")
        if exp <= now:
            raise _Unauthorized("token expired")
        if exp <= iat:
            raise _Unauthorized("exp must be after iat")
        sub = claims.get("sub")
        if "sub" in claims and not isinstance(sub, str):
            raise _Unauthorized("sub must be a string")
        return MusicApiAuth("devtoken", registered.client_id, sub, "private", header=header, claims=claims)


def _unauthorized(message: str) -> Response:
    return Response.json(401, {"error": "unauthorized", "message": message}, _CHALLENGE)
