"""OAuth 1.0a's browser round trip (RFC 5849 §2): request token, approval, access token.

The loopback listener (``loopback.py``, every RFC 8252 rule kept) is bound first, because its
URL is the ``oauth_callback`` of leg 1. The callback then brings ``oauth_token`` and
``oauth_verifier``: ``oauth_token`` must be the request token this sign-in asked for, compared
in constant time and used once, as ``state`` is in OAuth 2 (an answer for another sign-in,
or a forged one, is refused). A refusal comes back as ``denied=<request token>`` (the OAuth
1.0a convention Twitter set; Discogs documents no refusal redirect, so the emulator sends this
one and a real refusal may simply never come back: the wait then ends at its timeout).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

import httpx

from ..browser import open_url
from ..errors import Action, ConfigError, SignInDenied, SignInError, StateMismatch
from ..http import check_endpoint
from ..model import Profile, TokenSet
from ..presets import Preset
from ..record import frozen_record
from ..secret import Secret
from . import oauth1
from .loopback import Callback, LoopbackListener, RedirectTarget
from .oauth1_signing import Consumer


@frozen_record
class Oauth1Endpoints:
    """The three legs' URLs, after the profile's overrides."""

    request_token: str
    authorization: str
    access_token: str


def endpoints(profile: Profile, preset: Preset) -> Oauth1Endpoints:
    """The profile's endpoints over the preset's, each https (or loopback http).

    Raises:
        ConfigError: one is missing or insecure, with its field.
    """
    urls = {
        "request_token_endpoint": profile.request_token_endpoint or preset.request_token_endpoint,
        "authorization_endpoint": profile.authorization_endpoint or preset.authorization_endpoint,
        "token_endpoint": profile.token_endpoint or preset.token_endpoint,
    }
    for field, url in urls.items():
        if not url:
            raise ConfigError(f"{field} is not set", profile=profile.name, field=field, actions=(Action.EDIT_FIELD,))
        try:
            check_endpoint(url, field.replace("_", " "), field=field)
        except ConfigError as exc:
            raise exc.about(profile=profile.name) from None
    return Oauth1Endpoints(urls["request_token_endpoint"] or "", urls["authorization_endpoint"] or "", urls["token_endpoint"] or "")


class Oauth1CallbackListener(LoopbackListener):
    """The loopback listener for an OAuth 1.0a callback: ``oauth_token`` plays ``state``'s part
    and ``oauth_verifier`` the code's (``Callback.code``)."""

    def __init__(self, target: RedirectTarget) -> None:
        # The request token is known only once leg 1 has answered, and leg 1 needs our URL.
        super().__init__(target, state="")

    def expect(self, request_token: str) -> None:
        """The request token whose approval this listener waits for."""
        self._state = request_token

    def _is_answer(self, query: dict[str, str]) -> bool:
        return "oauth_verifier" in query or "denied" in query

    def _judge(self, query: dict[str, str]) -> Callback | SignInError:
        token = query.get("oauth_token", query.get("denied", ""))
        if not self._state or not hmac.compare_digest(token.encode(), self._state.encode()):
            return StateMismatch()
        if "denied" in query:
            return SignInDenied("sign-in was refused at the provider (denied); nothing was stored")
        verifier = query.get("oauth_verifier", "")
        if not verifier:
            return SignInError("the provider called back without an oauth_verifier; nothing was stored")
        return Callback(code=Secret(verifier))


async def sign_in(
    client: httpx.AsyncClient,
    endpoints: Oauth1Endpoints,
    consumer: Consumer,
    *,
    target: RedirectTarget,
    open_browser: Callable[[str], Awaitable[None] | None],
    on_listening: Callable[[LoopbackListener, str], None] | None,
    timeout: float,
    now: Callable[[], float],
) -> tuple[TokenSet, str]:
    """The three legs; the access token and the callback URL it was signed in with.

    Raises:
        SignInError: denied, a foreign oauth_token, timeout, cancelled, busy port.
        ProviderError: a leg was refused or answered nonsense.
    """
    listener = Oauth1CallbackListener(target)
    async with listener:
        request = await oauth1.request_token(client, endpoints.request_token, consumer, callback=listener.redirect_uri)
        listener.expect(request.token)
        url = oauth1.authorization_url(endpoints.authorization, request)
        if on_listening is not None:
            on_listening(listener, url)
        await open_url(open_browser, url)
        callback = await listener.wait(timeout)
    token = await oauth1.access_token(
        client, endpoints.access_token, consumer, request=request, verifier=callback.code, now=now()
    )
    return token, listener.redirect_uri
