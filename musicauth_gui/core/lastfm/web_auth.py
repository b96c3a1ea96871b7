"""Last.fm's web authentication (last.fm/api/webauth; pylast
``SessionKeyGenerator``; ``shared/specs/music-providers.md``, "Last.fm").

1. The browser opens ``/api/auth/?api_key=KEY&cb=CALLBACK``. After approval Last.fm sends it to
   ``CALLBACK?token=TOKEN``, or ``CALLBACK&token=TOKEN`` when the callback has a query already:
   so the callback carries our ``state`` in its own query (Last.fm echoes nothing of ours) and
   the loopback listener checks it as for OAuth. Last.fm documents no refusal redirect: a
   callback without a token is read as "not approved".
2. ``auth.getSession`` with ``api_key``, ``token`` and ``api_sig`` (``signature.py``) gives
   ``{"session": {"name": USER, "key": SESSION_KEY, "subscriber": 0}}``. It is sent as a POST
   form (Last.fm takes every method so, as pylast does), which keeps the token out of URLs.
   A token lives 60 minutes and is spent by its first use.
3. The session key never expires (the user may revoke it on Last.fm); there is no endpoint to
   revoke it from here. Each later call carries ``api_key``, ``sk`` and ``api_sig`` (``calls.py``).

Errors come as ``{"error": N, "message": ...}`` with ``format=json``, whatever the HTTP status
(so they are read by their number, never by the status).
"""

from __future__ import annotations

from typing import Any

import httpx

from ..errors import Action, InvalidGrant, MalformedResponse, ProviderRejected
from ..http import host_of, printable, send
from ..model import TokenSet
from ..secret import Secret
from ..url_query import with_query
from .signature import api_sig

GET_SESSION = "auth.getSession"
TOKEN_TYPE = "session"

#: What each of Last.fm's error numbers (last.fm/api/errorcodes) means here, in a few words.
_MEANINGS = {
    4: "the sign-in token is not valid (used already, or not this API account's)",
    8: "the call failed at Last.fm",
    9: "the session key is no longer valid (revoked on Last.fm)",
    10: "the API key (client_id) is not valid",
    11: "the service is offline for now",
    13: "the signature was refused: the shared secret (client_secret) is not this API account's",
    14: "the sign-in token was never authorised",
    15: "the sign-in token expired (they live 60 minutes)",
    16: "a temporary error at Last.fm",
    26: "the API key is suspended",
    29: "too many calls: rate limited",
}
#: A new sign-in helps: the token (or session key) is spent, expired, never approved, or revoked.
_SIGN_IN_AGAIN = frozenset({4, 9, 14, 15})
#: Last.fm's own trouble, or a rate limit: the same call later.
_LATER = frozenset({8, 11, 16, 29})


def authorization_url(endpoint: str, *, api_key: str, callback: str) -> str:
    """The page to open in the browser: ``endpoint?api_key=KEY&cb=CALLBACK``."""
    return with_query(endpoint, {"api_key": api_key, "cb": callback})


def callback_uri(redirect_uri: str, state: str) -> str:
    """The ``cb`` to give Last.fm: the listener's URI with our state, to which it appends ``&token=``."""
    return with_query(redirect_uri, {"state": state})


async def get_session(
    client: httpx.AsyncClient, api_endpoint: str, *, api_key: str, shared_secret: Secret, token: Secret, now: float
) -> TokenSet:
    """The session for an approved ``token``, as a TokenSet that never expires.

    Raises:
        InvalidGrant: error 4, 14 or 15 (sign in again).
        ProviderRejected: any other error (13: the shared secret, field ``client_secret``).
        MalformedResponse: an answer without a session.
    """
    params = {"method": GET_SESSION, "api_key": api_key, "token": token.reveal()}
    form = {**params, "api_sig": api_sig(params, shared_secret), "format": "json"}
    # ``send`` names the host, never the form: it holds the token and the signature.
    response = await send(client, "POST", api_endpoint, data=form, what=GET_SESSION)
    body = answer_body(response, what=GET_SESSION)
    session = body.get("session")
    key = session.get("key") if isinstance(session, dict) else None
    if not isinstance(key, str) or not key:
        raise MalformedResponse(
            f"{GET_SESSION}: {host_of(str(response.url))} answered without a session key",
            actions=(Action.CHECK_ENDPOINT,),
        )
    assert isinstance(session, dict)
    return TokenSet(
        access_token=Secret(key),
        token_type=TOKEN_TYPE,
        issued_at=now,
        expires_at=None,  # "Session keys have an infinite lifetime by default" (desktopauth §4)
        consented_at=now,
        account=printable(session.get("name")),
    )


def answer_body(response: httpx.Response, *, what: str) -> dict[str, Any]:
    """The JSON object of a Last.fm answer, or the typed error it carries.

    Raises:
        InvalidGrant, ProviderRejected: ``{"error": N, ...}`` (``raise_for_error``), or a
            failed status without one.
        MalformedResponse: not a JSON object (XML: ``format=json`` was lost on the way).
    """
    host = host_of(str(response.url))
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = body.get("error")
        if isinstance(code, int) and not isinstance(code, bool):
            raise_for_error(code, printable(body.get("message")), status=response.status_code, host=host, what=what)
    if not response.is_success:
        actions = (Action.RETRY,) if response.status_code >= 500 or response.status_code == 429 else None
        raise ProviderRejected(
            f"{what}: {host} answered {response.status_code} {response.reason_phrase}".rstrip(),
            status=response.status_code,
            actions=actions,
        )
    if not isinstance(body, dict):
        ctype = response.headers.get("content-type", "no content type").split(";")[0]
        raise MalformedResponse(
            f"{what}: {host} answered {response.status_code} with {ctype}, not a JSON object",
            actions=(Action.CHECK_ENDPOINT,),
        )
    return body


def raise_for_error(code: int, message: str | None, *, status: int, host: str, what: str) -> None:
    """Last.fm's error ``code`` as a typed error (its message is Last.fm's own text).

    Raises:
        InvalidGrant: 4, 9, 14, 15.
        ProviderRejected: the rest; 13 about the ``client_secret`` field, 10 about ``client_id``,
            8, 11, 16 and 29 suggesting a retry.
    """
    meaning = _MEANINGS.get(code, "the call was refused")
    said = f"error {code}: {message}" if message else f"error {code}"
    text = f"{what}: {host}: {meaning} (Last.fm {said})"
    if code in _SIGN_IN_AGAIN:
        raise InvalidGrant(text, status=status, error=str(code), description=message)
    field: str | None = None
    actions: tuple[Action, ...] | None = None
    if code == 13:
        field, actions = "client_secret", (Action.EDIT_FIELD,)
    elif code == 10:
        field, actions = "client_id", (Action.EDIT_FIELD,)
    elif code in _LATER:
        actions = (Action.RETRY,)
    raise ProviderRejected(text, status=status, error=str(code), description=message, field=field, actions=actions)
