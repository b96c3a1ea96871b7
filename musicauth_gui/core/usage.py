"""How a token is used: the ``Authorization`` header in the provider's scheme, a curl line;
for a static secret, the header or the query parameter its profile (or preset) names; for an
OAuth 1.0a token, a header signed afresh for the profile's try URL each time one is asked for;
for an Apple Music user token, two headers (a fresh developer token's ``Authorization`` and the
``Music-User-Token``).

Shared by the CLI's ``--format`` and the desktop app's copy buttons, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Literal

from .env_secret import StoredSecret, resolve
from .errors import Action, ConfigError, NeedsSignIn
from .model import DEFAULT_SIGNATURE_METHOD, Profile, ProfileRecord, TokenSet
from .names import shown
from .presets import StaticPlacement, get_preset
from .record import frozen_record
from .secret import Secret
from .url_query import with_query
from .user_agent import USER_AGENT

if TYPE_CHECKING:
    from .oauth.oauth1_signing import Consumer

# Last.fm's call signing and OAuth 1.0a's (~1 ms) are imported where those providers use them:
# a token or a refresh of any other provider never does (benchmarks/README.md, "Start-up").
# Nothing here may import httpx (tens of milliseconds): the desktop app imports this module before
# its first paint, and the lean `musicauth token` path (lean_token.py) never loads the HTTP stack.
# Hence the URL, signing and User-Agent modules apart from the ones that make requests.

Scheme = Literal["default", "token", "basic", "devtoken"]
SCHEMES: tuple[str, ...] = ("token", "basic", "devtoken")


@frozen_record
class Header:
    """A header that goes with a credential on every request (Apple Music: the developer
    token's ``Authorization: Bearer`` beside the ``Music-User-Token``)."""

    name: str
    scheme: str
    value: Secret

    def value_text(self) -> str:
        return f"{self.scheme} {self.value.reveal()}" if self.scheme else self.value.reveal()

    def line(self) -> str:
        return f"{self.name}: {self.value_text()}"


@frozen_record
class Credential:
    """Where the secret goes: ``header_name: scheme value`` (``Authorization: Bearer ...``), or
    for a static key placed in the query, ``?query_param=value`` and no header at all.

    A scheme ending in ``=`` is joined to the value without a space (``Discogs token=...``);
    an empty scheme sends the bare value. An API that takes its access token in the query
    string (Deezer) has ``query_param`` too, and ``provider`` names it in the one line that
    says there is no header. An API whose every call is signed (Last.fm's ``api_sig``) has
    ``sign_url``, which turns a URL carrying the token into the URL to send.
    """

    scheme: str
    value: Secret
    header_name: str = "Authorization"
    #: Set when the secret travels as this query parameter instead of a header.
    query_param: str | None = None
    provider: str = ""
    #: The whole header value when it is not ``scheme value``: an OAuth 1.0a signature, made for
    #: one request (``value`` is then the access token, for ``raw``).
    signed: Secret | None = None
    #: A User-Agent the API insists on (Discogs), for the curl line.
    user_agent: str | None = None
    #: Signs a call's URL (the token already in it); None for providers that sign nothing.
    sign_url: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    #: Headers sent before this one on every request (Apple Music's developer token).
    companions: tuple[Header, ...] = ()

    def header_value(self) -> str:
        """The header's value.

        Raises:
            ConfigError: the secret goes in the query string, not in a header.
        """
        if self.query_param is not None and self.provider:
            raise ConfigError(
                f"{self.provider} takes the token as the URL's {self.query_param} query parameter, not in an Authorization header"
            )
        if self.query_param is not None:
            raise ConfigError(
                f"this key is sent as the query parameter {self.query_param}, not in a header",
                actions=(Action.EDIT_FIELD,),
                field="placement",
            )
        if self.signed is not None:
            return self.signed.reveal()
        if not self.scheme:
            return self.value.reveal()
        joiner = "" if self.scheme.endswith("=") else " "
        return f"{self.scheme}{joiner}{self.value.reveal()}"

    def header_line(self) -> str:
        """The header, as a line; with companions, each of them first, one per line."""
        return "\n".join(self.header_lines())

    def header_lines(self) -> list[str]:
        return [*(header.line() for header in self.companions), f"{self.header_name}: {self.header_value()}"]

    def in_url(self, url: str) -> str:
        """``url`` carrying the secret as its query parameter (query placement only)."""
        assert self.query_param is not None
        carried = with_query(url, {self.query_param: self.value.reveal()})
        return self.sign_url(carried) if self.sign_url is not None else carried

    def apply(self, url: str, headers: dict[str, str]) -> str:
        """Put the secret on a request to ``url``: into ``headers``, or into the URL returned."""
        if self.user_agent is not None:
            headers["User-Agent"] = self.user_agent
        if self.query_param is None:
            for header in self.companions:
                headers[header.name] = header.value_text()
            headers[self.header_name] = self.header_value()
            return url
        return self.in_url(url)


@frozen_record
class IssuedCredential:
    """A credential ready to use, with the record and token it was made from (for output
    shapes that show more than the value: expiry, scope, a curl line's URL)."""

    record: ProfileRecord
    token: TokenSet | None
    credential: Credential


def static_placement(profile: Profile) -> StaticPlacement:
    """Where a static profile's secret goes: its own fields over its preset's default."""
    default = get_preset(profile.provider).static or StaticPlacement()
    placement = profile.placement or default.placement
    return StaticPlacement(
        placement=placement,
        header_name=profile.header_name or default.header_name,
        scheme=profile.scheme if profile.scheme is not None else default.scheme,
        query_param=(profile.query_param or default.query_param) if placement == "query" else None,
    )


def static_credential(record: ProfileRecord) -> Credential:
    """A static profile's key, placed as the profile says.

    Raises:
        ConfigError: no key stored (or its environment variable unset).
    """
    profile = record.profile
    value = _stored_secret(record.static_token, profile.name, "token", missing="no token (API key) is stored for this profile")
    where = static_placement(profile)
    user_agent = USER_AGENT if get_preset(profile.provider).user_agent_required else None
    return Credential(where.scheme, value, header_name=where.header_name, query_param=where.query_param, user_agent=user_agent)


def oauth1_consumer(record: ProfileRecord) -> Consumer:
    """An OAuth 1.0a profile's consumer key and secret, and its signature method.

    Raises:
        ConfigError: no consumer secret stored (or its environment variable unset).
    """
    from .oauth.oauth1_signing import Consumer

    profile = record.profile
    secret = _stored_secret(record.client_secret, profile.name, "client_secret", missing="no consumer secret (client_secret) is stored")
    return Consumer(profile.client_id, secret, profile.signature_method or DEFAULT_SIGNATURE_METHOD)


def oauth1_credential(record: ProfileRecord, token: TokenSet | None) -> Credential:
    """An OAuth 1.0a token with a header signed now for ``GET`` of the profile's try URL
    (Discogs: ``/oauth/identity``): a new nonce and timestamp on every call. A PLAINTEXT header
    would do for any URL, once; an HMAC-SHA1 one only for that very request.

    Raises:
        NeedsSignIn: no token yet.
        ConfigError: no consumer secret, or no try URL to sign for.
    """
    profile = record.profile
    if token is None or token.token_secret is None:
        raise NeedsSignIn(profile.name, "never signed in")
    url = try_url(record)
    if not url:
        raise ConfigError("no URL to sign the header for is set", profile=profile.name, field="try_url", actions=(Action.EDIT_FIELD,))
    from .oauth.oauth1_signing import Credentials, authorization

    access = Credentials(token.access_token.reveal(), token.token_secret)
    signed = authorization(oauth1_consumer(record), "GET", url, token=access)
    return Credential("OAuth", token.access_token, signed=signed, provider=get_preset(profile.provider).label, user_agent=USER_AGENT)


def _stored_secret(secret: StoredSecret | None, profile: str, field: str, *, missing: str) -> Secret:
    """The value of a secret the profile keeps (itself, or what its variable holds now).

    Raises:
        ConfigError: none is stored (``missing`` says which), or its variable is unset.
    """
    if secret is None:
        raise ConfigError(missing, profile=profile, field=field, actions=(Action.EDIT_FIELD,))
    value = resolve(secret, profile=profile, field=field)
    assert value is not None  # resolve() gives a value for every secret it is given
    return value


def needs_token(record: ProfileRecord, scheme: str | None) -> bool:
    """False for the schemes built from the client's own id and secret (MusicAPI), and for a
    static key (it is the credential itself, nothing to fetch or renew)."""
    return record.profile.flow != "static" and scheme not in ("token", "basic")


def credential(
    record: ProfileRecord, token: TokenSet | None, scheme: str | None = None, *, developer_token: Secret | None = None
) -> Credential:
    """The credential for ``record`` in ``scheme`` (None: the provider's default).

    Args:
        developer_token: an Apple Music user token's companion, signed for this use.

    Raises:
        ConfigError: a scheme the provider does not take, or a missing secret for ``basic``.
    """
    preset = get_preset(record.profile.provider)
    if record.profile.flow == "static":
        if scheme is not None:
            raise ConfigError(f"the {scheme} scheme is for MusicAPI; a static key goes where its profile says")
        return static_credential(record)
    if record.profile.flow == "music_user_token":
        if scheme is not None:
            raise ConfigError(f"the {scheme} scheme is for MusicAPI; Apple Music takes a developer token and a user token")
        if token is None:
            raise ConfigError(f"profile {shown(record.profile.name)} has no token yet", profile=record.profile.name)
        assert developer_token is not None, "the engine signs the developer token that goes with it"
        from .presets.apple_music import USER_TOKEN_HEADER  # its preset's module: loaded with it (presets/__init__.py)

        return Credential(
            "",
            token.access_token,
            header_name=USER_TOKEN_HEADER,
            provider=preset.label,
            companions=(Header("Authorization", preset.auth_scheme, developer_token),),
        )
    default = "devtoken" if record.profile.flow == "devtoken" and preset.id == "musicapi" else None
    chosen = scheme or default
    if chosen not in (None, default) and chosen not in preset.extra_schemes:
        raise ConfigError(f"the {chosen} scheme is not something {preset.label} accepts")
    profile = record.profile
    if chosen == "token":
        return Credential("Token", Secret(profile.client_id))
    if chosen == "basic":
        secret = _stored_secret(
            record.client_secret, profile.name, "client_secret", missing="no client secret is stored for Basic authentication"
        )
        import base64  # with struct and binascii: 0.5 ms a Bearer token never needs

        raw = f"{profile.client_id}:{secret.reveal()}".encode()
        return Credential("Basic", Secret(base64.b64encode(raw).decode("ascii")))
    if profile.flow == "oauth1":
        return oauth1_credential(record, token)
    if token is None:
        raise ConfigError(f"profile {shown(profile.name)} has no token yet", profile=profile.name)
    if preset.dialect == "lastfm":
        return _lastfm_credential(record, token)
    return Credential(preset.auth_scheme, token.access_token, query_param=preset.token_query_param, provider=preset.label)


def _lastfm_credential(record: ProfileRecord, token: TokenSet) -> Credential:
    """Last.fm's session key, sent as ``sk`` in calls signed with the shared secret."""
    profile = record.profile
    secret = _stored_secret(record.client_secret, profile.name, "client_secret", missing="no shared secret is stored to sign calls")

    def sign(url: str) -> str:
        from .lastfm.calls import signed_call_url

        try:
            return signed_call_url(url, api_key=profile.client_id, shared_secret=secret)
        except ConfigError as exc:
            raise exc.about(profile=profile.name) from None

    return Credential("", token.access_token, query_param="sk", provider="Last.fm", sign_url=sign)


def api_endpoint(profile: Profile) -> str | None:
    """The API a signed call goes to: the profile's ``api_endpoint``, else its preset's."""
    return profile.api_endpoint or get_preset(profile.provider).api_endpoint


def try_url(record: ProfileRecord) -> str | None:
    profile = record.profile
    preset = get_preset(profile.provider)
    if profile.try_url:
        return profile.try_url
    if profile.flow == "music_user_token":
        from .presets.apple_music import USER_TRY_PATH, api_base  # loaded with its preset, above

        return api_base(profile.api_endpoint) + USER_TRY_PATH  # needs both tokens, changes nothing
    api = api_endpoint(profile)
    if preset.dialect == "lastfm" and profile.flow != "static" and api:
        from .lastfm.calls import user_info_url

        return user_info_url(api)  # signed with the session key: the user signed in
    return preset.try_url


def curl_line(cred: Credential, url: str | None) -> str:
    """A curl command carrying the credential (a header, or a query parameter), for the given
    (or a placeholder) URL."""
    import shlex  # here: only --format curl quotes (benchmarks/README.md, "Start-up")

    target = url or "https://api.example.com/"
    agent = f"-A {shlex.quote(cred.user_agent)} " if cred.user_agent is not None else ""
    if cred.query_param is not None:
        return f"curl {agent}{shlex.quote(cred.apply(target, {}))}"
    headers = " ".join(f"-H {shlex.quote(line)}" for line in cred.header_lines())
    return f"curl {agent}{headers} {shlex.quote(target)}"
