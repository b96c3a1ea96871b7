"""Emulates Last.fm's web authentication page (www.last.fm) and API (ws.audioscrobbler.com).

Follows ``music-providers.md`` ("Last.fm", from last.fm/api/webauth, /api/authspec,
/api/show/auth.getSession and pylast):

* ``GET /api/auth/?api_key=KEY&cb=CALLBACK``: with consent the browser goes to
  ``CALLBACK?token=T`` (``&token=T`` when CALLBACK has a query). A token is bound to its API
  account, lives 60 minutes (``token_lifetime``, on :attr:`clock`) and is spent by its first
  ``auth.getSession``. Last.fm documents no refusal: a denial sends the browser back to CALLBACK
  with nothing added (the emulator's choice). An unknown key, or no ``cb``, is an error page.
* ``GET|POST /2.0/`` (query or form): ``auth.getSession`` (``api_key``, ``token``, ``api_sig``)
  answers ``{"session": {"name", "key", "subscriber": 0}}``; ``user.getInfo`` with ``sk`` (signed)
  the session's user, or with ``user`` alone (the API key suffices) that user.
* ``api_sig`` is checked as Last.fm computes it: every parameter but ``format``, ``callback``
  and ``api_sig``, sorted by name, name + value, the shared secret, MD5, lower-case hex. Written
  here from the spec, apart from the client's ``core/lastfm/signature.py``, so that the two check
  each other.
* Errors: ``{"error": N, "message": ...}`` with ``format=json``, else
  ``<lfm status="failed"><error code="N">...</error></lfm>``: 4 invalid token (unknown or
  spent), 6 missing parameter, 9 invalid session key, 10 invalid API key, 13 invalid signature,
  14 token not authorised, 15 token expired, 29 rate limited (:meth:`rate_limit_next`). The HTTP
  status is 403 for authentication errors, 429 for 29 and 400 otherwise (the emulator's choice:
  Last.fm documents the numbers, and a client must read them).

Test hooks: :attr:`consent`, :attr:`authorise_tokens` (False: the page sends back a token it
never authorised, so that ``auth.getSession`` answers 14), :attr:`token_lifetime`,
:meth:`rate_limit_next`, :meth:`revoke_sessions`. Standard library only, no Qt.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from . import pages
from .server import EmulatorServer, Request, Response

__all__ = ["LastfmServer"]

AUTH_PATH = "/api/auth/"
DECISION_PATH = "/api/auth/decision"
API_PATH = "/2.0/"

_MESSAGES = {
    3: "Invalid Method - No method with that name in this package",
    4: "Invalid authentication token supplied",
    6: "Invalid parameters - Your request is missing a required parameter",
    9: "Invalid session key - Please re-authenticate",
    10: "Invalid API key - You must be granted a valid key by last.fm",
    13: "Invalid method signature supplied",
    14: "This token has not been authorized",
    15: "This token has expired",
    29: "Rate limit exceeded - Your IP has made too many requests in a short period",
}
_AUTH_ERRORS = frozenset({4, 9, 10, 13, 14, 15})


@dataclass
class _Token:
    api_key: str
    issued_at: float
    authorised: bool
    spent: bool = False


@dataclass(frozen=True)
class _Pending:
    api_key: str
    callback: str


class LastfmServer(EmulatorServer):
    """Attributes (safe to change while running):
    consent: ``approve``, ``deny`` or ``interactive`` (a page with Approve and Deny).
    authorise_tokens: False sends back tokens never authorised (``auth.getSession``: 14).
    token_lifetime: seconds a token lives after it is granted (Last.fm: 60 minutes).
    user_name: the signed-in user.
    """

    display_name = "Last.fm"

    def __init__(self, *, port: int = 0, consent: str = "approve", user_name: str = "sandbox-listener") -> None:
        super().__init__(port=port)
        self.consent = consent
        self.authorise_tokens = True
        self.token_lifetime = 3600.0
        self.user_name = user_name
        self._accounts: dict[str, str] = {}
        self._tokens: dict[str, _Token] = {}
        self._sessions: dict[str, str] = {}  # session key -> API key
        self._pending: dict[str, _Pending] = {}
        self._rate_limited = 0
        self.route("GET", AUTH_PATH, self._auth_page)
        self.route("POST", DECISION_PATH, self._decision)
        self.route("GET", API_PATH, self._api)
        self.route("POST", API_PATH, self._api)

    @property
    def consent(self) -> str:
        return self._consent

    @consent.setter
    def consent(self, mode: str) -> None:
        self._consent = pages.checked_consent(mode)

    def register_api_account(self, api_key: str, shared_secret: str) -> None:
        """An API account: its key and the shared secret that signs its calls."""
        with self._lock:
            self._accounts[api_key] = shared_secret

    def rate_limit_next(self, times: int = 1) -> None:
        """Answer the next ``times`` API calls with error 29."""
        with self._lock:
            self._rate_limited += times

    def revoke_sessions(self) -> None:
        """Every session key stops working (the user revoked the application on Last.fm)."""
        with self._lock:
            self._sessions.clear()

    def is_session_active(self, key: str) -> bool:
        with self._lock:
            return key in self._sessions

    @property
    def endpoints(self) -> dict[str, str]:
        """The page and the API, under the profile fields' names."""
        return {"authorization_endpoint": self.url(AUTH_PATH), "api_endpoint": self.url(API_PATH)}

    # -- the authentication page ---------------------------------------------------------------

    def _auth_page(self, request: Request) -> Response:
        api_key = request.query.get("api_key", "")
        if api_key not in self._accounts:
            return Response.html(400, pages.error_page("Invalid API key", "This application is not known to Last.fm."))
        callback = request.query.get("cb", "")
        if not callback.startswith(("http://", "https://")):
            return Response.html(400, pages.error_page("No callback", "This API account has no callback URL; pass cb."))
        pending = _Pending(api_key, callback)
        if self.consent == "interactive":
            request_id = secrets.token_urlsafe(16)
            self._pending[request_id] = pending
            page = pages.consent_page(
                provider=f"{self.display_name}",
                client_id=api_key,
                scopes=("scrobble, love and tag in your name",),
                user_id=self.user_name,
                decision_url=DECISION_PATH,
                request_id=request_id,
            )
            return Response.html(200, page)
        return self._decide(pending, approved=self.consent == "approve")

    def _decision(self, request: Request) -> Response:
        pending = self._pending.pop(request.form.get("request_id", ""), None)
        if pending is None:
            return Response.html(400, pages.error_page("Unknown request", "This request was answered already."))
        return self._decide(pending, approved=request.form.get("decision") == "approve", status=303)

    def _decide(self, pending: _Pending, *, approved: bool, status: int = 302) -> Response:
        if not approved:
            return Response.redirect(pending.callback, status)
        token = secrets.token_hex(16)  # "a 32-character ASCII hexadecimal MD5 hash"
        self._tokens[token] = _Token(pending.api_key, self.clock(), authorised=self.authorise_tokens)
        joiner = "&" if "?" in pending.callback else "?"
        return Response.redirect(f"{pending.callback}{joiner}{urlencode({'token': token})}", status)

    # -- the API -------------------------------------------------------------------------------

    def _api(self, request: Request) -> Response:
        params = {**request.query, **request.form}
        as_json = params.get("format") == "json"
        if self._rate_limited:
            self._rate_limited -= 1
            return _error(29, as_json)
        secret = self._accounts.get(params.get("api_key", ""))
        if secret is None:
            return _error(10, as_json)
        method = params.get("method", "")
        if method == "auth.getSession":
            return self._get_session(params, secret, as_json)
        if method == "user.getInfo":
            return self._user_info(params, secret, as_json)
        return _error(3, as_json)

    def _get_session(self, params: dict[str, str], secret: str, as_json: bool) -> Response:
        if "token" not in params or "api_sig" not in params:
            return _error(6, as_json)
        if not _signature_matches(params, secret):
            return _error(13, as_json)
        token = self._tokens.get(params["token"])
        if token is None or token.spent or token.api_key != params["api_key"]:
            return _error(4, as_json)
        if self.clock() >= token.issued_at + self.token_lifetime:
            return _error(15, as_json)
        if not token.authorised:
            return _error(14, as_json)
        token.spent = True  # "You can only use an authentication token once"
        key = secrets.token_hex(16)
        self._sessions[key] = params["api_key"]
        if as_json:
            return Response.json(200, {"session": {"name": self.user_name, "key": key, "subscriber": 0}})
        return _xml(f"<session><name>{escape(self.user_name)}</name><key>{key}</key><subscriber>0</subscriber></session>")

    def _user_info(self, params: dict[str, str], secret: str, as_json: bool) -> Response:
        if "sk" in params:
            if "api_sig" not in params:
                return _error(6, as_json)
            if not _signature_matches(params, secret):
                return _error(13, as_json)
            if self._sessions.get(params["sk"]) != params["api_key"]:
                return _error(9, as_json)
            name = self.user_name
        elif params.get("user"):
            name = params["user"]
        else:
            return _error(6, as_json)
        user = {"name": name, "realname": "", "url": f"https://www.last.fm/user/{name}", "playcount": "0", "subscriber": "0"}
        if as_json:
            return Response.json(200, {"user": user})
        return _xml("<user>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in user.items()) + "</user>")


def _signature_matches(params: dict[str, str], secret: str) -> bool:
    signed = sorted((name, value) for name, value in params.items() if name not in ("format", "callback", "api_sig"))
    text = "".join(name + value for name, value in signed) + secret
    expected = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    return secrets.compare_digest(expected, params.get("api_sig", ""))


def _error(code: int, as_json: bool) -> Response:
    status = 429 if code == 29 else 403 if code in _AUTH_ERRORS else 400
    message = _MESSAGES[code]
    if as_json:
        return Response.json(status, {"error": code, "message": message})
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="failed"><error code="{code}">{escape(message)}</error></lfm>'
    return Response(status, body.encode(), [("Content-Type", "text/xml; charset=utf-8")])


def _xml(inner: str) -> Response:
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="ok">{inner}</lfm>'
    return Response(200, body.encode(), [("Content-Type", "text/xml; charset=utf-8")])
