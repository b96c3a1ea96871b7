"""Emulates Discogs' OAuth 1.0a (RFC 5849) and its identity call, as strictly as the spec.

Follows ``music-providers.md`` ("Discogs", from discogs_client and Discogs' authentication docs):

* ``POST /oauth/request_token``: the form content type, an ``OAuth`` Authorization header with
  ``oauth_callback``; answers ``oauth_token=...&oauth_token_secret=...&oauth_callback_confirmed=true``
  (form-encoded).
* ``GET /oauth/authorize?oauth_token=...``: consent per :attr:`DiscogsServer.consent` (approve,
  deny, or an interactive page whose buttons post to ``/oauth/authorize/decision``). Approval
  redirects to the callback with ``oauth_token`` and ``oauth_verifier``; a refusal with
  ``denied=<token>`` (Twitter's convention: Discogs documents no refusal redirect).
* ``POST /oauth/access_token``: the request token, its secret in the signature, and
  ``oauth_verifier``; answers ``oauth_token=...&oauth_token_secret=...``. One attempt per request
  token: a wrong verifier burns it, as a used or expired one is refused.
* ``GET /oauth/identity``: the user, for a signed request with an access token, or for a
  personal access token sent as ``Authorization: Discogs token=...``.

Every request is checked as a strict server would (RFC 5849 §3.2): a User-Agent is required
(Discogs refuses requests without one), the consumer must be known, the signature method is
PLAINTEXT or HMAC-SHA1, the timestamp within :attr:`~DiscogsServer.timestamp_window` seconds of
the server's clock, the nonce unused for that consumer and timestamp, and the signature right.
Signatures are computed here by hand from the RFC (hmac, hashlib), independently of the oauthlib
the client signs with. The OAuth endpoints answer errors as Discogs does, with a line of plain
text ("Invalid consumer."); the API answers ``{"message": "..."}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from . import pages
from .server import FORM_CONTENT_TYPE, EmulatorServer, Handler, Request, Response

__all__ = ["DiscogsServer"]

SIGNATURE_METHODS = ("PLAINTEXT", "HMAC-SHA1")
_REQUIRED = ("oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce")


@dataclass
class _RequestToken:
    token: str
    secret: str
    consumer_key: str
    callback: str
    created_at: float
    verifier: str | None = None
    authorized_at: float | None = None


@dataclass(frozen=True)
class _AccessToken:
    token: str
    secret: str
    consumer_key: str


class _Refused(Exception):
    """A request a handler refuses: its status and Discogs' line of text."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def pct(value: str) -> str:
    """RFC 5849 §3.6: percent-encode everything but the unreserved characters, UTF-8 first."""
    return quote(value.encode("utf-8"), safe="~")


class DiscogsServer(EmulatorServer):
    """Discogs' three legs and ``/oauth/identity``.

    Attributes (safe to change while running):
        consent: ``approve``, ``deny`` or ``interactive``.
        timestamp_window: seconds an ``oauth_timestamp`` may be from the server's clock.
        request_token_ttl: seconds a request token lives, approval included.
        verifier_ttl: seconds from approval in which the verifier must be exchanged.
        username: the (fixed) user ``/oauth/identity`` reports.
        confirm_callback: answer leg 1 with ``oauth_callback_confirmed=true`` (False: as an
            OAuth 1.0 server that may ignore the callback would).
    """

    display_name = "Discogs"

    def __init__(self, *, port: int = 0, username: str = "sandbox-digger") -> None:
        super().__init__(port=port)
        self.consent = "approve"
        self.timestamp_window = 300.0
        self.request_token_ttl = 900.0
        self.verifier_ttl = 300.0
        self.username = username
        self.confirm_callback = True
        self._consumers: dict[str, tuple[str, str]] = {}  # key -> (secret, application name)
        self._request_tokens: dict[str, _RequestToken] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._personal_tokens: set[str] = set()
        self._nonces: dict[tuple[str, str, str], float] = {}  # (consumer, timestamp, nonce) -> seen at
        self._pending: dict[str, str] = {}  # interactive consent: request id -> request token
        self.route("POST", "/oauth/request_token", self._guarded(self._request_token))
        self.route("GET", "/oauth/authorize", self._authorize)
        self.route("POST", "/oauth/authorize/decision", self._decision)
        self.route("POST", "/oauth/access_token", self._guarded(self._access_token))
        self.route("GET", "/oauth/identity", self._identity)

    # -- set-up and inspection -----------------------------------------------------------------

    @property
    def consent(self) -> str:
        """How the (fixed) user answers: approve, deny or interactive."""
        return self._consent

    @consent.setter
    def consent(self, mode: str) -> None:
        self._consent = pages.checked_consent(mode)

    def register_consumer(self, key: str, secret: str, *, name: str = "Sandbox App") -> None:
        """An application, as Discogs' developer settings create one."""
        with self._lock:
            self._consumers[key] = (secret, name)

    def add_personal_token(self, token: str) -> None:
        """A personal access token (Discogs' developer settings, "Generate new token")."""
        with self._lock:
            self._personal_tokens.add(token)

    def is_access_token_active(self, token: str) -> bool:
        with self._lock:
            return token in self._access_tokens

    def revoke_all(self) -> None:
        """Forget every access token, as if the user removed the app's access on the site."""
        with self._lock:
            self._access_tokens.clear()

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "request_token_endpoint": self.url("/oauth/request_token"),
            "authorization_endpoint": self.url("/oauth/authorize"),
            "token_endpoint": self.url("/oauth/access_token"),
            "identity": self.url("/oauth/identity"),
        }

    # -- request checks (RFC 5849 §3.2) --------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        """A POST leg: User-Agent, the form content type, then ``handler``; refusals as text."""

        def run(request: Request) -> Response:
            try:
                if not request.headers.get("user-agent"):
                    raise _Refused(403, "A User-Agent header is required.")
                if request.content_type != FORM_CONTENT_TYPE:
                    raise _Refused(400, f"Invalid Content-Type: expected {FORM_CONTENT_TYPE}.")
                return handler(request)
            except _Refused as refused:
                return Response(refused.status, refused.text.encode(), [("Content-Type", "text/plain; charset=utf-8")])

        return run

    def _oauth_params(self, request: Request) -> dict[str, str]:
        header = request.headers.get("authorization", "")
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "oauth":
            raise _Refused(400, "Parameter not found: oauth_consumer_key")
        params: dict[str, str] = {}
        for item in rest.split(","):
            name, sep, value = item.strip().partition("=")
            if not sep or len(value) < 2 or value[0] != '"' or value[-1] != '"':
                raise _Refused(400, "Malformed OAuth header.")
            name = unquote(name)
            if name in params:
                raise _Refused(400, f"Duplicate OAuth parameter: {name}")
            params[name] = unquote(value[1:-1])
        for name in _REQUIRED:
            if not params.get(name):
                raise _Refused(400, f"Parameter not found: {name}")
        return params

    def _check(self, request: Request, params: dict[str, str], *, token_secret: str) -> str:
        """The consumer key, once the request is proven to come from it; else ``_Refused``."""
        key = params["oauth_consumer_key"]
        consumer = self._consumers.get(key)
        if consumer is None:
            raise _Refused(401, "Invalid consumer.")
        method = params["oauth_signature_method"]
        if method not in SIGNATURE_METHODS:
            raise _Refused(400, f"Unsupported signature method: {method}")
        if params.get("oauth_version", "1.0") != "1.0":
            raise _Refused(400, "Unsupported OAuth version.")
        stamp = params["oauth_timestamp"]
        now = self.clock()
        if not stamp.isdigit() or abs(int(stamp) - now) > self.timestamp_window:
            raise _Refused(401, f"Invalid timestamp: more than {self.timestamp_window:g} s from the server's clock.")
        # §3.3: a nonce is unique for all requests with that timestamp (and client); kept as long
        # as its timestamp is acceptable, after which the timestamp check refuses a replay anyway.
        for seen in [seen for seen, at in self._nonces.items() if now - at > 2 * self.timestamp_window]:
            del self._nonces[seen]
        nonce_key = (key, stamp, params["oauth_nonce"])
        if nonce_key in self._nonces:
            raise _Refused(401, "Invalid nonce: it was used before.")
        expected = self.signature(request, params, consumer_secret=consumer[0], token_secret=token_secret)
        if not hmac.compare_digest(params["oauth_signature"].encode(), expected.encode()):
            raise _Refused(401, "Invalid signature.")
        self._nonces[nonce_key] = now  # only a request that passed spends its nonce
        return key

    def signature(self, request: Request, params: dict[str, str], *, consumer_secret: str, token_secret: str) -> str:
        """The signature the request should carry (RFC 5849 §3.4), computed from first principles."""
        key = f"{pct(consumer_secret)}&{pct(token_secret)}"
        if params["oauth_signature_method"] == "PLAINTEXT":
            return key  # §3.4.4: the key itself
        # §3.4.1.2: the base URI from the Host the client addressed (scheme and host lower case).
        base_uri = f"http://{request.headers.get('host', '').lower()}{request.path}"
        pairs = [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
        pairs += list(request.query.items())
        if request.content_type == FORM_CONTENT_TYPE:
            pairs += list(request.form.items())
        normalized = "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in pairs))
        base = "&".join((request.method.upper(), pct(base_uri), pct(normalized)))
        digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode("ascii")

    # -- leg 1 ---------------------------------------------------------------------------------

    def _request_token(self, request: Request) -> Response:
        params = self._oauth_params(request)
        callback = params.get("oauth_callback", "")
        if not callback:
            raise _Refused(400, "Parameter not found: oauth_callback")
        if urlsplit(callback).scheme not in ("http", "https"):
            raise _Refused(400, "Invalid oauth_callback: an http(s) URL is required.")
        if "oauth_token" in params:
            raise _Refused(400, "A request token is asked for without a token.")
        key = self._check(request, params, token_secret="")
        token = _RequestToken(secrets.token_urlsafe(24), secrets.token_urlsafe(24), key, callback, self.clock())
        self._request_tokens[token.token] = token
        answer = {"oauth_token": token.token, "oauth_token_secret": token.secret}
        if self.confirm_callback:
            answer["oauth_callback_confirmed"] = "true"
        body = urlencode(answer)
        return Response(200, body.encode(), [("Content-Type", FORM_CONTENT_TYPE)])

    # -- leg 2 ---------------------------------------------------------------------------------

    def _live_request_token(self, token: str) -> _RequestToken | None:
        found = self._request_tokens.get(token)
        if found is None or self.clock() - found.created_at > self.request_token_ttl:
            return None
        return found

    def _authorize(self, request: Request) -> Response:
        token = self._live_request_token(request.query.get("oauth_token", ""))
        if token is None or token.authorized_at is not None:
            return Response.html(400, pages.error_page("Discogs: invalid request", "Invalid or expired request token."))
        if self.consent == "interactive":
            request_id = secrets.token_urlsafe(16)
            self._pending[request_id] = token.token
            page = pages.consent_page(
                provider=self.display_name,
                client_id=self._consumers[token.consumer_key][1],
                scopes=(),
                user_id=self.username,
                decision_url="/oauth/authorize/decision",
                request_id=request_id,
            )
            return Response.html(200, page, [("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")])
        return self._decide(token, approved=self.consent == "approve")

    def _decision(self, request: Request) -> Response:
        token_id = self._pending.pop(request.form.get("request_id", ""), None)
        token = self._live_request_token(token_id or "")
        if request.content_type != FORM_CONTENT_TYPE or token is None or request.form.get("decision") not in ("approve", "deny"):
            return Response.html(400, pages.error_page("Discogs: invalid request", "This request is unknown or was answered."))
        # 303: the browser follows a POST's redirect with GET, as the callback expects.
        return self._decide(token, approved=request.form["decision"] == "approve", status=303)

    def _decide(self, token: _RequestToken, *, approved: bool, status: int = 302) -> Response:
        if not approved:
            del self._request_tokens[token.token]
            return Response.redirect(_with_params(token.callback, {"denied": token.token}), status)
        token.verifier = secrets.token_urlsafe(16)
        token.authorized_at = self.clock()
        return Response.redirect(_with_params(token.callback, {"oauth_token": token.token, "oauth_verifier": token.verifier}), status)

    # -- leg 3 ---------------------------------------------------------------------------------

    def _access_token(self, request: Request) -> Response:
        params = self._oauth_params(request)
        token = self._live_request_token(params.get("oauth_token", ""))
        if token is None:
            raise _Refused(401, "Invalid Request Token.")
        key = self._check(request, params, token_secret=token.secret)
        # One attempt per request token, whatever its outcome.
        del self._request_tokens[token.token]
        if key != token.consumer_key:
            raise _Refused(401, "Invalid Request Token.")
        if token.verifier is None or token.authorized_at is None:
            raise _Refused(401, "The request token has not been authorized.")
        if not hmac.compare_digest(params.get("oauth_verifier", "").encode(), token.verifier.encode()):
            raise _Refused(401, "Invalid verifier.")
        if self.clock() - token.authorized_at > self.verifier_ttl:
            raise _Refused(401, "Expired verifier.")
        access = _AccessToken(secrets.token_urlsafe(30), secrets.token_urlsafe(30), key)
        self._access_tokens[access.token] = access
        body = urlencode({"oauth_token": access.token, "oauth_token_secret": access.secret})
        return Response(200, body.encode(), [("Content-Type", FORM_CONTENT_TYPE)])

    # -- the API -------------------------------------------------------------------------------

    def _identity(self, request: Request) -> Response:
        if not request.headers.get("user-agent"):
            return _message(403, "A User-Agent header is required.")
        header = request.headers.get("authorization", "")
        if header.startswith("Discogs token="):
            if header.removeprefix("Discogs token=") not in self._personal_tokens:
                return _message(401, "You must authenticate to access this resource.")
            return self._user("Personal access token")
        if not header.lower().startswith("oauth "):
            return _message(401, "You must authenticate to access this resource.")
        try:
            params = self._oauth_params(request)
            access = self._access_tokens.get(params.get("oauth_token", ""))
            if access is None or access.consumer_key != params["oauth_consumer_key"]:
                return _message(401, "Invalid access token.")
            key = self._check(request, params, token_secret=access.secret)
        except _Refused as refused:
            return _message(refused.status, refused.text)
        return self._user(self._consumers[key][1])

    def _user(self, consumer_name: str) -> Response:
        return Response.json(
            200,
            {
                "id": 1,
                "username": self.username,
                "resource_url": self.url(f"/users/{self.username}"),
                "consumer_name": consumer_name,
            },
        )


def _message(status: int, text: str) -> Response:
    return Response.json(status, {"message": text})


def _with_params(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))

