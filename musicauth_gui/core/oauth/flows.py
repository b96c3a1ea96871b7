"""The OAuth 2.0 requests themselves (RFC 6749, 7636, 7009, 7662, 8628), provider-neutral.

Each function sends one request and returns typed data or raises a ``MusicAuthError``; none of
them stores anything (the engine decides what to keep, and in which order).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx

from ..errors import Action, MalformedResponse, ProviderRejected, SignInDenied, SignInTimeout, UnusableRotation
from ..expiry import lifetime_seconds, plausible_epoch
from ..http import json_body, raise_for_oauth_error, send
from ..jws import decode_unverified
from ..model import AuthMethod, IntrospectionStyle, TokenSet
from ..record import frozen_record
from ..secret import Secret

if TYPE_CHECKING:
    from .pkce import Pkce  # the caller's: a refresh never makes one


@frozen_record
class ClientAuth:
    """How the client proves itself at the token endpoint (RFC 6749 §2.3.1)."""

    client_id: str
    client_secret: Secret | None
    method: AuthMethod

    def apply(self, form: dict[str, str], headers: dict[str, str]) -> None:
        if self.method == "client_secret_basic" and self.client_secret is not None:
            # RFC 6749 §2.3.1: both parts form-urlencoded before Base64, a step often missed
            # (and the reason a secret with '+' or '/' works with curl -d but not here).
            raw = f"{quote(self.client_id, safe='')}:{quote(self.client_secret.reveal(), safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode("ascii")
            return
        form["client_id"] = self.client_id
        if self.method == "client_secret_post" and self.client_secret is not None:
            form["client_secret"] = self.client_secret.reveal()


def authorization_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: tuple[str, ...],
    state: str,
    pkce: Pkce,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The URL to open in the browser (RFC 6749 §4.1.1 with RFC 7636 §4.3)."""
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
    }
    if scopes:
        params["scope"] = " ".join(scopes)
    params.update(extra or {})
    parts = urlsplit(endpoint)
    query = (parts.query + "&" if parts.query else "") + urlencode(params, quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def jwt_expiry(token: str, *, now: float) -> float | None:
    """The ``exp`` claim of a JWT access token, read without verification (it is only a hint
    for scheduling; the provider still validates the token); None when absent or implausible."""
    decoded = decode_unverified(token)
    return plausible_epoch(decoded[1].get("exp"), now=now) if decoded else None


def _is_vschar(value: str) -> bool:
    return all("!" <= ch <= "~" for ch in value)


def _printable_token(value: str, field: str, *, what: str) -> str:
    """``value`` unchanged when every character is printable ASCII without space.

    RFC 6749 §A.12 and §A.13 allow access and refresh tokens only visible ASCII (VSCHAR); §A.7
    is stricter still for a token type, which is held to the same VSCHAR rule here. Anything
    else (a C0 or C1 control, DEL, a space, a bidi override) would be printed raw into
    terminals and sent in headers.

    Raises:
        MalformedResponse: naming the field, never showing the value.
    """
    if not _is_vschar(value):
        raise MalformedResponse(
            f"{what}: the answer's {field} holds a control character, a space or a non-ASCII character "
            "(the provider, or something between it and you, sent a broken answer)",
            actions=(Action.RETRY,),
        )
    return value


def parse_token_response(
    body: dict[str, Any],
    *,
    now: float,
    what: str,
    previous: TokenSet | None = None,
    refresh_token_lifetime: float | None = None,
) -> TokenSet:
    """A TokenSet from a token endpoint's JSON (RFC 6749 §5.1).

    An ``expires_in`` (or ``refresh_token_expires_in``) that is absent, not a number, not
    positive, not finite or longer than ten years is an unknown lifetime, never an error: the
    same answer may carry a rotated refresh token, and the provider has already retired the old
    one. An unknown access-token lifetime falls back to a JWT's ``exp``, then to the renewal
    policy's rule for unknown expiries (see ``core/expiry.py``, ``core/renewal.py``).

    Args:
        previous: the token set being refreshed: its refresh token is kept when the answer has
            none (providers that do not rotate), and its consent time carries over.
        refresh_token_lifetime: a documented refresh-token life from the original consent.

    Raises:
        MalformedResponse: no access token, a refresh token that is not a string, or a token
            (or token type) with characters that are not printable ASCII.
    """
    # The Groove docs' table names the field accessToken; the service sends access_token.
    access = body.get("access_token", body.get("accessToken"))
    if not isinstance(access, str) or not access:
        raise MalformedResponse(
            f"{what}: the answer has no access_token", field="token_endpoint", actions=(Action.EDIT_FIELD,)
        )
    _printable_token(access, "access_token", what=what)
    expires_in = lifetime_seconds(body.get("expires_in"))
    refresh_expires_in = lifetime_seconds(body.get("refresh_token_expires_in"))
    expires_at = now + expires_in if expires_in is not None else jwt_expiry(access, now=now)

    new_refresh = body.get("refresh_token")
    if new_refresh is not None and not isinstance(new_refresh, str):
        raise MalformedResponse(f"{what}: the answer's refresh_token is not a string")
    if new_refresh:
        _printable_token(new_refresh, "refresh_token", what=what)
    token_type = body.get("token_type")
    if isinstance(token_type, str) and token_type:
        _printable_token(token_type, "token_type", what=what)
    consented_at = previous.consented_at if previous and previous.consented_at else now
    if new_refresh:
        refresh_token: Secret | None = Secret(new_refresh)
    else:
        refresh_token = previous.refresh_token if previous else None
    if refresh_expires_in is not None:
        refresh_expires_at: float | None = now + refresh_expires_in
    elif refresh_token_lifetime is not None and refresh_token is not None:
        refresh_expires_at = consented_at + refresh_token_lifetime
    else:
        refresh_expires_at = previous.refresh_expires_at if previous and not new_refresh else None
    id_token = body.get("id_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=Secret(access),
        token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
        issued_at=now,
        expires_at=expires_at,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        consented_at=consented_at,
        scope=scope if isinstance(scope, str) else (previous.scope if previous else None),
        id_token=Secret(id_token) if isinstance(id_token, str) and id_token else None,
    )


async def token_request(
    client: httpx.AsyncClient,
    endpoint: str,
    form: dict[str, str],
    auth: ClientAuth,
    *,
    what: str,
) -> dict[str, Any]:
    """POST a form to the token endpoint; the JSON answer or a typed error."""
    headers: dict[str, str] = {}
    auth.apply(form, headers)
    response = await send(client, "POST", endpoint, data=form, headers=headers, what=what)
    raise_for_oauth_error(response, what=what)
    return json_body(response, what=what)


async def client_credentials(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    scopes: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
    now: float,
) -> TokenSet:
    """RFC 6749 §4.4. ``grant_type=client_credentials`` for every provider (Groove included)."""
    form = {"grant_type": "client_credentials"}
    if scopes:
        form["scope"] = " ".join(scopes)
    form.update(extra or {})
    body = await token_request(client, endpoint, form, auth, what="token request")
    return parse_token_response(body, now=now, what="token request")


async def exchange_code(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    code: Secret,
    redirect_uri: str,
    pkce: Pkce,
    now: float,
    refresh_token_lifetime: float | None = None,
    extra: Mapping[str, str] | None = None,
) -> TokenSet:
    """RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5); ``extra``: a provider's own
    fields (Genius wants ``response_type=code`` here too)."""
    form = {
        "grant_type": "authorization_code",
        "code": code.reveal(),
        "redirect_uri": redirect_uri,
        "code_verifier": pkce.verifier.reveal(),
    }
    form.update(extra or {})
    body = await token_request(client, endpoint, form, auth, what="code exchange")
    return parse_token_response(
        body, now=now, what="code exchange", refresh_token_lifetime=refresh_token_lifetime
    )


async def refresh(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    token: TokenSet,
    now: float,
    redirect_uri: str | None = None,
    scope: str | None = None,
    refresh_token_lifetime: float | None = None,
) -> TokenSet:
    """RFC 6749 §6. The answer's refresh token, when there is one, replaces the old one; an
    answer without one (TIDAL: "there is no refreshToken when renewing the accessToken"), or
    with an empty one, keeps the old one.

    Args:
        scope: sent as ``scope`` (RFC 6749 §6 makes it optional; TIDAL requires it).

    Raises:
        UnusableRotation: the answer cannot be used (no access token, say) but carries a new
            refresh token, which the caller must store: the old one is spent.
    """
    assert token.refresh_token is not None
    form = {"grant_type": "refresh_token", "refresh_token": token.refresh_token.reveal()}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri  # Live asks for it on refresh too
    if scope:
        form["scope"] = scope
    body = await token_request(client, endpoint, form, auth, what="refresh")
    try:
        return parse_token_response(
            body, now=now, what="refresh", previous=token, refresh_token_lifetime=refresh_token_lifetime
        )
    except MalformedResponse as exc:
        rescued = body.get("refresh_token")
        if _is_token_value(rescued) and rescued != token.refresh_token.reveal():
            raise UnusableRotation(exc, Secret(rescued)) from None
        raise


def _is_token_value(value: object) -> TypeGuard[str]:
    # RFC 6749 Appendix A.17: refresh-token = 1*VSCHAR (printable ASCII); anything else is not
    # a token worth keeping.
    return isinstance(value, str) and 0 < len(value) <= 8192 and _is_vschar(value)


async def introspect(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    token: Secret,
    style: IntrospectionStyle,
) -> dict[str, Any]:
    """RFC 7662 introspection, or Musixmatch's ``token-metadata`` (form field ``accessToken``,
    no client authentication in its documentation)."""
    headers: dict[str, str] = {}
    if style == "musixmatch":
        form = {"accessToken": token.reveal()}
    else:
        form = {"token": token.reveal(), "token_type_hint": "access_token"}
        auth.apply(form, headers)
    response = await send(client, "POST", endpoint, data=form, headers=headers, what="introspection")
    raise_for_oauth_error(response, what="introspection")
    body = json_body(response, what="introspection")
    if not isinstance(body.get("active"), bool):
        raise MalformedResponse("introspection: the answer has no boolean 'active' (RFC 7662 §2.2)")
    return body


async def revoke(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    token: Secret,
    hint: str,
) -> None:
    """RFC 7009 revocation; a 200 means done (also for tokens the server no longer knows)."""
    form = {"token": token.reveal(), "token_type_hint": hint}
    headers: dict[str, str] = {}
    auth.apply(form, headers)
    response = await send(client, "POST", endpoint, data=form, headers=headers, what="revocation")
    raise_for_oauth_error(response, what="revocation")


# -- the device authorization grant (RFC 8628) ---------------------------------------------------

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: RFC 8628 §3.2: the interval when the answer names none; §3.5: what ``slow_down`` adds.
DEFAULT_DEVICE_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
#: Added to every wait between polls: the server measures the interval between the arrivals of
#: two polls, on its own clock, and answers slow_down to one that comes even a little early.
POLL_MARGIN = 0.05


async def _wait_at_least(seconds: float, *, monotonic: Callable[[], float], sleep: Callable[[float], Awaitable[None]]) -> None:
    """Sleep ``seconds`` (plus the margin) for sure: a timer may fire early (Qt's coarse timers,
    which run asyncio's under qasync, by up to 5 %), so the time left is measured and slept again."""
    until = monotonic() + seconds + POLL_MARGIN
    while (left := until - monotonic()) > 0:
        await sleep(left)


@frozen_record
class DeviceAuthorization:
    """A device authorization answer (RFC 8628 §3.2), with an absolute expiry.

    Attributes:
        device_code: what the client polls with (never shown).
        user_code: what the person types on the verification page.
        verification_uri: where to type it (Google calls it ``verification_url``).
        verification_uri_complete: the page with the code filled in, where given.
        expires_at: when both codes die (wall clock).
        interval: the seconds to wait between polls.
    """

    device_code: Secret
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_at: float
    interval: float


async def device_authorization(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    *,
    scopes: tuple[str, ...],
    now: float,
) -> DeviceAuthorization:
    """RFC 8628 §3.1: ask for a device code and a user code.

    Raises:
        ProviderRejected: the endpoint refused (an unknown client, a scope not allowed).
        MalformedResponse: an answer without the codes or the verification URI.
    """
    form: dict[str, str] = {}
    if scopes:
        form["scope"] = " ".join(scopes)
    body = await token_request(client, endpoint, form, auth, what="device authorization")
    what = "device authorization"
    device_code = body.get("device_code")
    user_code = body.get("user_code")
    # Google answers verification_url, RFC 8628 verification_uri: either will do.
    uri = body.get("verification_uri") or body.get("verification_url")
    complete = body.get("verification_uri_complete")
    for name, value in (("device_code", device_code), ("user_code", user_code), ("verification_uri", uri)):
        if not isinstance(value, str) or not value or not _is_vschar(value):
            raise MalformedResponse(f"{what}: the answer has no usable {name}", actions=(Action.RETRY,))
    assert isinstance(device_code, str) and isinstance(user_code, str) and isinstance(uri, str)
    for url in (uri, complete):
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http")):
            raise MalformedResponse(f"{what}: the answer's verification URI is not an http(s) URL")
    lifetime = lifetime_seconds(body.get("expires_in"))
    if lifetime is None:
        raise MalformedResponse(f"{what}: the answer has no usable expires_in")
    interval = body.get("interval")
    usable_interval = (
        float(interval)
        if isinstance(interval, (int, float)) and not isinstance(interval, bool) and 0 < interval <= 3600
        else DEFAULT_DEVICE_INTERVAL
    )
    return DeviceAuthorization(
        device_code=Secret(device_code),
        user_code=user_code,
        verification_uri=uri,
        verification_uri_complete=complete if isinstance(complete, str) and complete else None,
        expires_at=now + lifetime,
        interval=usable_interval,
    )


async def poll_device_token(
    client: httpx.AsyncClient,
    endpoint: str,
    auth: ClientAuth,
    device: DeviceAuthorization,
    *,
    now: Callable[[], float],
    monotonic: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> TokenSet:
    """RFC 8628 §3.4-3.5: poll the token endpoint until the person approves, never faster than
    the interval; ``slow_down`` adds 5 s to it for good. Decided by the answer's ``error``, never
    its status (Google answers 428 and 403 for the waiting ones).

    Raises:
        SignInDenied: ``access_denied``.
        SignInTimeout: ``expired_token``, or the code's lifetime is over.
        ProviderRejected, ProviderUnreachable, MalformedResponse: any other failure.
    """
    interval = device.interval
    while True:
        await _wait_at_least(interval, monotonic=monotonic, sleep=sleep)
        form = {"grant_type": DEVICE_GRANT, "device_code": device.device_code.reveal()}
        try:
            body = await token_request(client, endpoint, form, auth, what="device sign-in")
        except ProviderRejected as exc:
            if exc.error == "authorization_pending":
                pass
            elif exc.error == "slow_down":
                interval += SLOW_DOWN_STEP
            elif exc.error == "access_denied":
                raise SignInDenied("the sign-in was denied on the verification page; nothing was stored") from None
            elif exc.error == "expired_token":
                raise SignInTimeout("the user code expired before anyone approved it; nothing was stored") from None
            else:
                raise
            if now() >= device.expires_at:
                raise SignInTimeout("the user code expired before anyone approved it; nothing was stored") from None
            continue
        return parse_token_response(body, now=now(), what="device sign-in")
