"""Deezer Connect's sign-in, which resembles OAuth 2.0 without being it (``presets/deezer.py``).

- The authorization page takes ``app_id``, ``redirect_uri``, ``perms`` (comma separated) and
  ``state``; no ``response_type``, no PKCE. A refusal comes back as ``error_reason``
  (``core/oauth/loopback.py`` reads it as an error).
- The token comes from a GET of ``access_token.php`` with ``app_id``, ``secret``, ``code`` and
  ``output=json``. Its answer is JSON ``{"access_token", "expires"}``, or form-encoded text
  ``access_token=...&expires=...`` when ``output=json`` is lost on the way, or the text ``wrong
  code``; errors may arrive inside a 200 answer (``{"error": {"type", "message", "code"}}``).
- ``expires`` is in seconds; 0 means the token never expires (``offline_access``). No refresh token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from ..errors import Action, InvalidGrant, MalformedResponse, ProviderRejected
from ..expiry import lifetime_seconds
from ..http import host_of, printable, raise_for_oauth_error, send
from ..model import TokenSet
from ..secret import Secret
from .flows import parse_token_response

WHAT = "code exchange"


def authorization_url(endpoint: str, *, app_id: str, redirect_uri: str, perms: tuple[str, ...], state: str) -> str:
    """The Deezer Connect page to open in the browser."""
    params = {"app_id": app_id, "redirect_uri": redirect_uri, "state": state}
    if perms:
        params["perms"] = ",".join(perms)
    parts = urlsplit(endpoint)
    query = (parts.query + "&" if parts.query else "") + urlencode(params, quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


async def exchange_code(
    client: httpx.AsyncClient, endpoint: str, *, app_id: str, secret: Secret, code: Secret, now: float
) -> TokenSet:
    """The token for ``code``; the secret travels in the query string, as Deezer requires."""
    params = {"app_id": app_id, "secret": secret.reveal(), "code": code.reveal(), "output": "json"}
    sep = "&" if urlsplit(endpoint).query else "?"
    url = f"{endpoint}{sep}{urlencode(params)}"
    # ``send`` names the host, never the URL: this one holds the secret and the code.
    response = await send(client, "GET", url, what=WHAT)
    raise_for_oauth_error(response, what=WHAT)
    return parse_answer(response, now=now)


def parse_answer(response: httpx.Response, *, now: float) -> TokenSet:
    """A TokenSet from Deezer's answer: JSON, form-encoded text, or an error in a 200.

    Raises:
        InvalidGrant: ``wrong code`` (a code used twice, expired or not ours).
        ProviderRejected: an error object inside the answer.
        MalformedResponse: anything else without an access token.
    """
    host = host_of(str(response.url))
    text = response.text.strip()
    if text == "wrong code":
        raise InvalidGrant(f"{WHAT}: {host} refused the code (wrong code)", status=response.status_code, error="wrong code")
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = dict(parse_qsl(text, keep_blank_values=True)) if "access_token=" in text else None
    if not isinstance(body, dict):
        raise MalformedResponse(
            f"{WHAT}: {host} answered {response.status_code} with neither JSON nor access_token=...",
            actions=(Action.CHECK_ENDPOINT,),
        )
    raise_for_error_in_body(body, status=response.status_code, host=host, what=WHAT)
    expires = lifetime_seconds(body.get("expires"))
    # expires=0 is "never": no lifetime, so the token is used until the provider refuses it.
    standard: dict[str, Any] = {"access_token": body.get("access_token"), "token_type": "Bearer"}
    if expires is not None:
        standard["expires_in"] = expires
    return parse_token_response(standard, now=now, what=WHAT)


def raise_for_error_in_body(body: dict[str, Any], *, status: int, host: str, what: str) -> None:
    """Deezer's ``{"error": {"type", "message", "code"}}``, which may come with status 200."""
    error = body.get("error")
    if not isinstance(error, dict):
        return
    kind = printable(error.get("type")) or "error"
    message = printable(error.get("message"))
    code = error.get("code")
    detail = f"{kind} {code}" if isinstance(code, int) else kind
    if message:
        detail += f": {message}"
    raise ProviderRejected(f"{what}: {host} refused ({detail})", status=status, error=kind, description=message)
