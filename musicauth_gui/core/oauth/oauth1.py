"""OAuth 1.0a (RFC 5849) as Discogs speaks it: signed requests and the three legs of a sign-in.

- Signing (PLAINTEXT or HMAC-SHA1, a fresh nonce each time) is ``oauth1_signing.py``, apart from
  the requests here so that the lean ``musicauth token`` path signs a header without httpx.
- Leg 1, temporary credentials (§2.1): a POST with the form content type and ``oauth_callback``;
  the answer is form-encoded and must say ``oauth_callback_confirmed=true`` (OAuth 1.0a's fix for
  the session-fixation attack on 1.0: a server that does not confirm may ignore our callback).
- Leg 2, the person approves in the browser; the callback brings ``oauth_token`` and
  ``oauth_verifier`` (``oauth1_sign_in.py``).
- Leg 3, token credentials (§2.3): the verifier, signed with the request token's secret, buys the
  access token and its secret.

Errors: Discogs answers its OAuth endpoints with a line of plain text ("Invalid consumer.") and
status 401 for anything about credentials (§3.2). Which credential is meant follows from the leg,
never from the text: at leg 1 only the consumer key and secret are involved, so a 401 there is
the client secret's; at leg 3 the consumer has just been accepted, so a 401 is the request token
or the verifier, and only a new sign-in gives new ones.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl

import httpx

from ..errors import Action, InvalidGrant, MalformedResponse, ProviderRejected
from ..http import host_of, printable, send
from ..model import TokenSet
from ..secret import Secret
from ..url_query import with_query
from .oauth1_signing import FORM, Consumer, Credentials, authorization

Leg = Literal["request token", "access token"]


async def request_token(client: httpx.AsyncClient, endpoint: str, consumer: Consumer, *, callback: str) -> Credentials:
    """Leg 1: temporary credentials for a sign-in whose callback is ``callback``.

    Raises:
        ProviderRejected: refused (a 401 names the client secret).
        MalformedResponse: an answer without a token, or without ``oauth_callback_confirmed=true``.
    """
    header = authorization(consumer, "POST", endpoint, callback=callback, form=True)
    response = await _post(client, endpoint, header, leg="request token")
    answer = _form_answer(response, leg="request token")
    if answer.get("oauth_callback_confirmed") != "true":
        raise MalformedResponse(
            f"request token: {host_of(endpoint)} did not confirm the callback (oauth_callback_confirmed=true, "
            "OAuth 1.0a); nothing was stored",
            actions=(Action.CHECK_ENDPOINT,),
        )
    return _credentials(answer, response, leg="request token")


def authorization_url(endpoint: str, request: Credentials) -> str:
    """The page where the person approves (leg 2): the endpoint with ``oauth_token``."""
    return with_query(endpoint, {"oauth_token": request.token})


async def access_token(
    client: httpx.AsyncClient, endpoint: str, consumer: Consumer, *, request: Credentials, verifier: Secret, now: float
) -> TokenSet:
    """Leg 3: the access token and its secret for the verifier the callback brought.

    Raises:
        InvalidGrant: refused with 401 (a wrong, used or expired verifier or request token).
        ProviderRejected, MalformedResponse.
    """
    header = authorization(consumer, "POST", endpoint, token=request, verifier=verifier, form=True)
    response = await _post(client, endpoint, header, leg="access token")
    credentials = _credentials(_form_answer(response, leg="access token"), response, leg="access token")
    # No expiry: Discogs documents none, and an OAuth 1.0a token lives until it is revoked.
    return TokenSet(
        access_token=Secret(credentials.token),
        token_type="OAuth",
        issued_at=now,
        expires_at=None,
        consented_at=now,
        token_secret=credentials.secret,
    )


async def _post(client: httpx.AsyncClient, endpoint: str, header: Secret, *, leg: Leg) -> httpx.Response:
    # Discogs wants the form content type on both POSTs, with an empty body: the OAuth
    # parameters travel in the header. The client sends our User-Agent (core/http.py).
    headers = {"Authorization": header.reveal(), "Content-Type": FORM}
    response = await send(client, "POST", endpoint, headers=headers, what=leg)
    if not response.is_success:
        raise _refusal(response, leg=leg)
    return response


def _refusal(response: httpx.Response, *, leg: Leg) -> ProviderRejected:
    """The error for a refused leg; the provider's own line is shown, never read."""
    status = response.status_code
    host = host_of(str(response.url))
    said = _said(response)
    detail = f"{status}: {said}" if said else str(status)
    if status >= 500 or status == 429:
        return ProviderRejected(f"{leg}: {host} had trouble ({detail})", status=status, description=said, actions=(Action.RETRY,))
    if status == 401 and leg == "access token":
        return InvalidGrant(
            f"{leg}: {host} refused the verifier ({detail}); nothing was stored", status=status, error="invalid_verifier", description=said
        )
    if status == 401:
        return ProviderRejected(
            f"{leg}: {host} refused the consumer key or its signature ({detail})",
            status=status,
            error="invalid_client",
            description=said,
            field="client_secret",
            actions=(Action.EDIT_FIELD,),
        )
    return ProviderRejected(f"{leg}: {host} refused ({detail})", status=status, description=said)


def _said(response: httpx.Response) -> str | None:
    """The provider's own line: Discogs' plain text, or an API's ``{"message": ...}``; nothing
    from an HTML page (a proxy's, or a wrong endpoint's), which is summarised by its status."""
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = response.json()
        except ValueError:
            return None
        return printable(body.get("message")) if isinstance(body, dict) else None
    if ctype not in ("", "text/plain", FORM):
        return None
    text = response.text.strip()
    return printable(text.splitlines()[0]) if text else None


def _form_answer(response: httpx.Response, *, leg: Leg) -> dict[str, str]:
    try:
        return dict(parse_qsl(response.text.strip(), keep_blank_values=True, strict_parsing=True))
    except ValueError:
        ctype = response.headers.get("content-type", "no content type").split(";")[0]
        raise MalformedResponse(
            f"{leg}: {host_of(str(response.url))} answered {response.status_code} with {ctype} that is not form-encoded",
            actions=(Action.CHECK_ENDPOINT,),
        ) from None


def _credentials(answer: dict[str, str], response: httpx.Response, *, leg: Leg) -> Credentials:
    token, secret = answer.get("oauth_token"), answer.get("oauth_token_secret")
    if not token or not secret:
        raise MalformedResponse(
            f"{leg}: the answer from {host_of(str(response.url))} has no oauth_token and oauth_token_secret",
            actions=(Action.CHECK_ENDPOINT,),
        )
    return Credentials(token, Secret(secret))
