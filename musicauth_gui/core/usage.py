"""How a token is used: the ``Authorization`` header in the provider's scheme, a curl line;
for a static secret, the header or the query parameter its profile (or preset) names.

Shared by the CLI's ``--format`` and the desktop app's copy buttons, so both always agree.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from .env_secret import StoredSecret, resolve
from .errors import Action, ConfigError
from .model import Profile, ProfileRecord, TokenSet
from .names import shown
from .presets import StaticPlacement, get_preset
from .secret import Secret

Scheme = Literal["default", "token", "basic", "devtoken"]
SCHEMES: tuple[str, ...] = ("token", "basic", "devtoken")


@dataclass(frozen=True)
class Credential:
    """Where the secret goes: ``header_name: scheme value`` (``Authorization: Bearer ...``), or
    for a static key placed in the query, ``?query_param=value`` and no header at all.

    A scheme ending in ``=`` is joined to the value without a space (``Discogs token=...``);
    an empty scheme sends the bare value. An API that takes its access token in the query
    string (Deezer) has ``query_param`` too, and ``provider`` names it in the one line that
    says there is no header.
    """

    scheme: str
    value: Secret
    header_name: str = "Authorization"
    #: Set when the secret travels as this query parameter instead of a header.
    query_param: str | None = None
    provider: str = ""

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
        if not self.scheme:
            return self.value.reveal()
        joiner = "" if self.scheme.endswith("=") else " "
        return f"{self.scheme}{joiner}{self.value.reveal()}"

    def header_line(self) -> str:
        return f"{self.header_name}: {self.header_value()}"

    def in_url(self, url: str) -> str:
        """``url`` carrying the secret as its query parameter (query placement only)."""
        assert self.query_param is not None
        return with_query_param(url, self.query_param, self.value.reveal())

    def apply(self, url: str, headers: dict[str, str]) -> str:
        """Put the secret on a request to ``url``: into ``headers``, or into the URL returned."""
        if self.query_param is None:
            headers[self.header_name] = self.header_value()
            return url
        return with_query_param(url, self.query_param, self.value.reveal())


@dataclass(frozen=True)
class IssuedCredential:
    """A credential ready to use, with the record and token it was made from (for output
    shapes that show more than the value: expiry, scope, a curl line's URL)."""

    record: ProfileRecord
    token: TokenSet | None
    credential: Credential


def with_query_param(url: str, name: str, value: str) -> str:
    """``url`` with ``name=value`` appended to its query (percent-encoded)."""
    parts = urlsplit(url)
    pair = f"{quote(name, safe='')}={quote(value, safe='')}"
    query = f"{parts.query}&{pair}" if parts.query else pair
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


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
    return Credential(where.scheme, value, header_name=where.header_name, query_param=where.query_param)


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


def credential(record: ProfileRecord, token: TokenSet | None, scheme: str | None = None) -> Credential:
    """The credential for ``record`` in ``scheme`` (None: the provider's default).

    Raises:
        ConfigError: a scheme the provider does not take, or a missing secret for ``basic``.
    """
    preset = get_preset(record.profile.provider)
    if record.profile.flow == "static":
        if scheme is not None:
            raise ConfigError(f"the {scheme} scheme is for MusicAPI; a static key goes where its profile says")
        return static_credential(record)
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
        raw = f"{profile.client_id}:{secret.reveal()}".encode()
        return Credential("Basic", Secret(base64.b64encode(raw).decode("ascii")))
    if token is None:
        raise ConfigError(f"profile {shown(profile.name)} has no token yet", profile=profile.name)
    return Credential(preset.auth_scheme, token.access_token, query_param=preset.token_query_param, provider=preset.label)


def try_url(record: ProfileRecord) -> str | None:
    return record.profile.try_url or get_preset(record.profile.provider).try_url


def curl_line(cred: Credential, url: str | None) -> str:
    """A curl command carrying the credential (a header, or a query parameter), for the given
    (or a placeholder) URL."""
    target = url or "https://api.example.com/"
    if cred.query_param is not None:
        return f"curl {shlex.quote(cred.apply(target, {}))}"
    return f"curl -H {shlex.quote(cred.header_line())} {shlex.quote(target)}"
