"""What a provider preset says: its endpoints, flows, scopes and quirks."""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from ..model import AuthMethod, Flow, IntrospectionStyle, Placement
from ..record import frozen_record


@frozen_record
class StaticPlacement:
    """Where a provider wants a static secret (an API key, a personal token): a header
    ``header_name: scheme value`` or a query parameter ``query_param=value``. A scheme ending
    in ``=`` is joined to the value without a space (Discogs: ``Discogs token=VALUE``); an empty
    scheme sends the bare value."""

    placement: Placement = "header"
    header_name: str = "Authorization"
    scheme: str = "Bearer"
    query_param: str | None = None


@frozen_record
class Preset:
    """Defaults and rules for one provider. A profile may override every endpoint.

    Attributes:
        flows: the flows the provider offers; the first is the default.
        scopes: default scopes per flow.
        required_scopes: scopes the provider insists on (sign-in fails without them).
        extra_token_params: sent on client-credentials requests (Groove's fixed scope).
        auth_scheme: the word before the token in ``Authorization:`` (SoundCloud: ``OAuth``).
        auth_method: how the client authenticates at the token endpoint, per flow, when the
            profile does not say; ``None`` picks ``client_secret_post`` with a secret, else
            ``none``.
        refresh_sends_redirect_uri: Live wants ``redirect_uri`` on refresh too.
        client_secret_required: the token endpoint wants the client secret from every client,
            installed apps included (MusicBrainz), so ``none`` is refused.
        refresh_sends_scope: TIDAL wants ``scope`` on refresh (the token's granted scope).
        dialect: ``oauth2`` (RFC 6749, every provider but one) or ``deezer`` (Deezer Connect:
            ``app_id`` and comma-separated ``perms`` at its authorization page, a GET to
            ``access_token.php`` with ``app_id``/``secret``/``code``/``output=json``, an answer
            with ``expires`` and no refresh token; ``core/oauth/deezer.py``) or ``lastfm``
            (Last.fm's web authentication: a one-time ``token`` through the browser, exchanged
            by a signed ``auth.getSession`` for a session key; ``core/lastfm/``).
        token_query_param: the API takes the token as this query parameter, not in an
            ``Authorization`` header (Deezer: ``access_token``).
        code_exchange_params: extra form fields of the code exchange (Genius:
            ``response_type=code``).
        refresh_token_lifetime: seconds a refresh token lives after the original consent,
            where the provider documents it (Spotify), else None.
        discovery: the issuer whose metadata names the endpoints (oauth2; optional elsewhere).
        issuer_required: the preset has no endpoints of its own (generic oauth2).
        devtoken_issuer: the profile field that is a DevToken's ``iss``.
        devtoken_max_ttl: the longest DevToken lifetime the provider accepts.
        extra_schemes: other ``Authorization`` schemes the provider takes (MusicAPI's
            ``token`` and ``basic``), besides its default.
        loopback_any_port: the provider documents that a loopback redirect URI registered
            without a port matches any port (RFC 8252 §7.3): True; it wants the exact URI
            registered: False; None where its documentation does not say.
        static: where a static secret goes (``flow = "static"``), for presets that take one;
            filled from the table in ``presets/static.py``.
        device_authorization_endpoint: RFC 8628's device endpoint, for presets with ``device``.
        authorization_params: extra query parameters for the browser sign-in (Google's
            ``access_type=offline``).
        request_token_endpoint: OAuth 1.0a's temporary-credentials endpoint (RFC 5849 §2.1),
            for presets with the ``oauth1`` flow.
        user_agent_required: the API refuses requests without a User-Agent of the app's own
            (Discogs), so the curl lines name ours too.
        api_endpoint: the API a signed call goes to, where it is not an OAuth endpoint
            (Last.fm's ``/2.0/``, where ``auth.getSession`` lives too).
        token_never_expires: the provider documents its tokens as never expiring (Last.fm's
            session keys): shown as "never", not as an unknown expiry.
    """

    id: str
    label: str
    flows: tuple[Flow, ...]
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    introspection_endpoint: str | None = None
    introspection_style: IntrospectionStyle | None = None
    revocation_endpoint: str | None = None
    logout_endpoint: str | None = None
    try_url: str | None = None
    scopes: dict[Flow, tuple[str, ...]] = field(default_factory=dict)
    required_scopes: tuple[str, ...] = ()
    extra_token_params: dict[str, str] = field(default_factory=dict)
    auth_scheme: str = "Bearer"
    auth_method: dict[Flow, AuthMethod] = field(default_factory=dict)
    refresh_sends_redirect_uri: bool = False
    client_secret_required: bool = False
    refresh_sends_scope: bool = False
    code_exchange_params: dict[str, str] = field(default_factory=dict)
    dialect: Literal["oauth2", "deezer", "lastfm"] = "oauth2"
    token_query_param: str | None = None
    refresh_token_lifetime: float | None = None
    issuer: str | None = None
    issuer_required: bool = False
    devtoken_issuer: str = "client_id"
    devtoken_max_ttl: int | None = None
    extra_schemes: tuple[str, ...] = ()
    loopback_any_port: bool | None = None
    static: StaticPlacement | None = None
    device_authorization_endpoint: str | None = None
    authorization_params: dict[str, str] = field(default_factory=dict)
    request_token_endpoint: str | None = None
    user_agent_required: bool = False
    api_endpoint: str | None = None
    token_never_expires: bool = False
    notes: str = ""

    @property
    def default_flow(self) -> Flow:
        return self.flows[0]
