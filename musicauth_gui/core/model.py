"""The data the core passes around: profiles, token sets and the stored record of a profile.

Everything here is a frozen dataclass; change one with ``dataclasses.replace``. Secrets are
``Secret`` values, so a stray ``repr`` of any of these shows ``'****'``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import field
from typing import Any, Literal

from .clock import SYSTEM_CLOCK
from .env_secret import StoredSecret, secret_from_json, secret_to_json
from .expiry import plausible_epoch
from .record import frozen_record
from .secret import Secret

Flow = Literal["authorization_code", "client_credentials", "devtoken", "device", "static", "oauth1", "music_user_token"]
FLOWS: tuple[Flow, ...] = ("authorization_code", "client_credentials", "devtoken", "device", "static", "oauth1", "music_user_token")
#: The flows whose tokens come only from a person signing in (``login``): the browser code
#: flow, the device authorization grant (RFC 8628), OAuth 1.0a's three legs (RFC 5849) and
#: Apple's Music User Token (MusicKit JS on a loopback page, core/oauth/musickit_page.py).
SIGN_IN_FLOWS: tuple[Flow, ...] = ("authorization_code", "device", "oauth1", "music_user_token")
#: How an OAuth 1.0a request is signed (RFC 5849 §3.4): PLAINTEXT sends the secrets themselves
#: (over TLS), HMAC-SHA1 a signature bound to the method, the URL and the parameters.
SignatureMethod = Literal["PLAINTEXT", "HMAC-SHA1"]
SIGNATURE_METHODS: tuple[SignatureMethod, ...] = ("PLAINTEXT", "HMAC-SHA1")
#: A profile without ``signature_method`` signs with this (what Discogs' own client does).
DEFAULT_SIGNATURE_METHOD: SignatureMethod = "PLAINTEXT"
#: Where a static secret goes in a request: a header (name and scheme configurable) or a
#: query parameter.
Placement = Literal["header", "query"]
PLACEMENTS: tuple[Placement, ...] = ("header", "query")
AuthMethod = Literal["client_secret_post", "client_secret_basic", "none"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_post", "client_secret_basic", "none")
#: How a provider's introspection endpoint is asked: RFC 7662, or Musixmatch's ``token-metadata``.
IntrospectionStyle = Literal["rfc7662", "musixmatch"]

#: The endpoint overrides a profile may set, each replacing the preset's (or discovery's) URL.
ENDPOINT_FIELDS: tuple[str, ...] = (
    "authorization_endpoint",
    "token_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
    "logout_endpoint",
    "device_authorization_endpoint",
    "request_token_endpoint",
    "api_endpoint",
)
#: The secret fields of the profiles file: stored in the keyring (or named as ``{ env = "VAR" }``),
#: never exported as values. ``token`` is a static profile's API key or personal token.
SECRET_FIELDS: tuple[str, ...] = ("client_secret", "token")
# The non-secret fields of a profile as they appear in the profiles file, in file order.
# ``client_secret`` is the only secret one; it is kept apart, in ``ProfileRecord``.
PROFILE_FIELDS: tuple[str, ...] = (
    "provider",
    "flow",
    "client_id",
    "scopes",
    "issuer",
    *ENDPOINT_FIELDS,
    "redirect_uri",
    "token_endpoint_auth_method",
    "try_url",
    "key",
    "key_id",
    "devtoken_ttl",
    "subject",
    "team_id",
    "origin",
    "musickit_js_url",
    "placement",
    "header_name",
    "scheme",
    "query_param",
    "signature_method",
    "auto_renew",
)


@frozen_record
class Profile:
    """A provider profile as the user defined it (no secrets, no tokens).

    ``None`` means "the preset's default" for every optional field.
    """

    name: str
    provider: str
    flow: Flow
    client_id: str = ""
    scopes: tuple[str, ...] | None = None
    issuer: str | None = None
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    introspection_endpoint: str | None = None
    revocation_endpoint: str | None = None
    logout_endpoint: str | None = None
    device_authorization_endpoint: str | None = None
    #: OAuth 1.0a's temporary-credentials endpoint (Discogs' ``/oauth/request_token``).
    request_token_endpoint: str | None = None
    #: The API a provider's calls go to, where it is not an OAuth endpoint: Last.fm's ``/2.0/``
    #: (where ``auth.getSession`` lives too), the Apple Music API's base URL (None: the preset's).
    api_endpoint: str | None = None
    redirect_uri: str | None = None
    token_endpoint_auth_method: AuthMethod | None = None
    try_url: str | None = None
    key: str | None = None
    key_id: str | None = None
    devtoken_ttl: str | None = None
    subject: str | None = None
    team_id: str | None = None
    origin: tuple[str, ...] | None = None
    #: Apple Music user tokens: where the sign-in page loads MusicKit JS from (None: Apple's
    #: own, core/presets/apple_music.py).
    musickit_js_url: str | None = None
    placement: Placement | None = None
    header_name: str | None = None
    scheme: str | None = None
    query_param: str | None = None
    signature_method: SignatureMethod | None = None
    auto_renew: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The profile as the profiles file writes it: set fields only, lists for tuples."""
        out: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            value = getattr(self, name)
            if value is None or (name == "auto_renew" and value is True):
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


@frozen_record
class TokenSet:
    """What a token endpoint gave, with absolute times (UTC epoch seconds).

    Attributes:
        issued_at: when we received it (our clock, not the provider's ``iat``); None only when
            a stored value was unusable (see ``from_json``).
        expires_at: absolute expiry, from ``expires_in`` (or a JWT's ``exp``); None if unknown.
        refresh_expires_at: when the refresh token itself dies, where the provider says or
            documents it (Spotify: six months after the original consent).
        consented_at: when the user signed in; carried across refreshes.
        token_secret: OAuth 1.0a's token secret, which signs every request beside the
            consumer secret (the access token itself is ``access_token``).
        account: the account the token belongs to, where the provider names it (Last.fm's
            session ``name``); shown beside the token, not a secret.
    """

    access_token: Secret
    token_type: str = "Bearer"
    issued_at: float | None = field(default_factory=SYSTEM_CLOCK.now)
    expires_at: float | None = None
    refresh_token: Secret | None = None
    refresh_expires_at: float | None = None
    consented_at: float | None = None
    scope: str | None = None
    id_token: Secret | None = None
    token_secret: Secret | None = None
    account: str | None = None

    @property
    def lifetime(self) -> float | None:
        """Seconds from issue to expiry, or None when unknown (or not a finite number)."""
        if self.expires_at is None or self.issued_at is None:
            return None
        lifetime = self.expires_at - self.issued_at
        return lifetime if math.isfinite(lifetime) else None

    def expires_in(self, now: float) -> float | None:
        """Seconds left at ``now`` (negative once expired), or None when unknown."""
        if self.expires_at is None:
            return None
        left = self.expires_at - now
        return left if math.isfinite(left) else None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the keyring (the only place a token is written)."""
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Secret):
                value = value.reveal()
            if value is not None:
                data[f.name] = value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, now: float | None = None) -> TokenSet:
        """A token set as ``to_json`` wrote it.

        Times that no token could have (not a number, NaN, infinite, before 1970, more than ten
        years past ``now``) are read as unknown (None), as a provider's answer would have been:
        the entry stays usable, and such a token is renewed when the provider refuses it.

        Raises:
            TypeError: a field of the wrong type (the store reports the entry as damaged).
        """
        if not isinstance(data, dict):
            raise TypeError("token: not an object")
        at = SYSTEM_CLOCK.now() if now is None else now
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in _TOKEN_TIMES:
                kwargs[f.name] = plausible_epoch(value, now=at)
            elif f.name in _TOKEN_SECRETS:
                text = _optional_text(value, f"token.{f.name}")
                kwargs[f.name] = Secret(text) if text else None
            else:
                kwargs[f.name] = _optional_text(value, f"token.{f.name}")
        if kwargs.get("access_token") is None:
            raise TypeError("token.access_token: missing or empty")
        if not kwargs.get("token_type"):
            kwargs.pop("token_type", None)  # the dataclass default, "Bearer", as on arrival
        return cls(**kwargs)


_TOKEN_TIMES = frozenset({"issued_at", "expires_at", "refresh_expires_at", "consented_at"})
_TOKEN_SECRETS = frozenset({"access_token", "refresh_token", "id_token", "token_secret"})


def _optional_text(value: Any, field: str) -> str | None:
    """A string or None, else TypeError naming the field (never the value: it may be a secret)."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{field}: not a string")
    return value


@frozen_record
class ProfileStatus:
    """Why a profile cannot produce a token by itself, when it cannot.

    Attributes:
        needs_sign_in: the refresh token died (invalid_grant), or there never was one.
        reason: one line for the user.
    """

    needs_sign_in: bool = False
    reason: str | None = None


@frozen_record
class ProfileRecord:
    """Everything kept for one profile: one keyring entry, read and written whole."""

    profile: Profile
    #: The value, or the environment variable to read it from (``core/env_secret.py``).
    client_secret: StoredSecret | None = None
    token: TokenSet | None = None
    status: ProfileStatus = ProfileStatus()
    #: A static profile's API key or personal token (the profiles file's ``token``): a value or
    #: an environment reference, kept like the client secret; it never expires.
    static_token: StoredSecret | None = None
    #: The redirect_uri of the last sign-in (ephemeral port included): Live wants the very
    #: same URI on every refresh. Not a secret.
    signed_in_redirect_uri: str | None = None

    @property
    def name(self) -> str:
        return self.profile.name

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "profile": {"name": self.profile.name, **self.profile.to_dict()},
            "client_secret": secret_to_json(self.client_secret),
            "token": self.token.to_json() if self.token else None,
            "status": dataclasses.asdict(self.status),
            "signed_in_redirect_uri": self.signed_in_redirect_uri,
            **({"static_token": secret_to_json(self.static_token)} if self.static_token is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfileRecord:
        """A record as ``to_json`` wrote it; unusable token times read as unknown.

        Raises:
            KeyError, TypeError, ValueError: a missing part or a field of the wrong type (the
                store turns each into ``EntryDamaged`` for this one entry).
        """
        raw = data["profile"]
        if not isinstance(raw, dict):
            raise TypeError("profile: not an object")
        token = data.get("token")
        status = data.get("status") or {}
        if not isinstance(status, dict):
            raise TypeError("status: not an object")
        if not isinstance(status.get("needs_sign_in", False), bool):
            raise TypeError("status.needs_sign_in: not a boolean")
        return cls(
            profile=_profile_from_json(raw),
            client_secret=secret_from_json(data.get("client_secret"), "client_secret"),
            token=TokenSet.from_json(token) if token else None,
            status=ProfileStatus(
                **{**status, "reason": _optional_text(status.get("reason"), "status.reason")}
            ),
            signed_in_redirect_uri=_optional_text(data.get("signed_in_redirect_uri"), "signed_in_redirect_uri"),
            static_token=secret_from_json(data.get("static_token"), "static_token"),
        )


def _profile_from_json(raw: dict[str, Any]) -> Profile:
    """A Profile from its stored fields, each checked for its type (Profile itself checks none,
    and a number where a string belongs would only fail later, in a formatter or a paint)."""
    fields = dict(raw)
    for name in ("name", "provider", "flow"):
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise TypeError(f"profile.{name}: missing or not a string")
    for name, value in fields.items():
        if name in ("scopes", "origin"):
            if value is not None:
                if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                    raise TypeError(f"profile.{name}: not a list of strings")
                fields[name] = tuple(value)
        elif name == "auto_renew":
            if not isinstance(value, bool):
                raise TypeError("profile.auto_renew: not a boolean")
        else:
            _optional_text(value, f"profile.{name}")
    return Profile(**fields)
