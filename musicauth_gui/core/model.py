"""The data the core passes around: profiles, token sets and the stored record of a profile.

Everything here is a frozen dataclass; change one with ``dataclasses.replace``. Secrets are
``Secret`` values, so a stray ``repr`` of any of these shows ``'****'``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .secret import Secret

Flow = Literal["authorization_code", "client_credentials", "devtoken"]
FLOWS: tuple[Flow, ...] = ("authorization_code", "client_credentials", "devtoken")
AuthMethod = Literal["client_secret_post", "client_secret_basic", "none"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_post", "client_secret_basic", "none")

# The non-secret fields of a profile as they appear in the profiles file, in file order.
# ``client_secret`` is the only secret one; it is kept apart in ``ProfileSecrets``.
PROFILE_FIELDS: tuple[str, ...] = (
    "provider",
    "flow",
    "client_id",
    "scopes",
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
    "logout_endpoint",
    "redirect_uri",
    "token_endpoint_auth_method",
    "try_url",
    "key",
    "key_id",
    "devtoken_ttl",
    "subject",
    "team_id",
    "origin",
    "auto_renew",
)


@dataclass(frozen=True)
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
    redirect_uri: str | None = None
    token_endpoint_auth_method: AuthMethod | None = None
    try_url: str | None = None
    key: str | None = None
    key_id: str | None = None
    devtoken_ttl: str | None = None
    subject: str | None = None
    team_id: str | None = None
    origin: tuple[str, ...] | None = None
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


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint gave, with absolute times (UTC epoch seconds).

    Attributes:
        issued_at: when we received it (our clock, not the provider's ``iat``).
        expires_at: absolute expiry, from ``expires_in`` (or a JWT's ``exp``); None if unknown.
        refresh_expires_at: when the refresh token itself dies, where the provider says or
            documents it (Spotify: six months after the original consent).
        consented_at: when the user signed in; carried across refreshes.
    """

    access_token: Secret
    token_type: str = "Bearer"
    issued_at: float = field(default_factory=time.time)
    expires_at: float | None = None
    refresh_token: Secret | None = None
    refresh_expires_at: float | None = None
    consented_at: float | None = None
    scope: str | None = None
    id_token: Secret | None = None

    @property
    def lifetime(self) -> float | None:
        if self.expires_at is None:
            return None
        return self.expires_at - self.issued_at

    def expires_in(self, now: float) -> float | None:
        """Seconds left at ``now`` (negative once expired), or None when unknown."""
        if self.expires_at is None:
            return None
        return self.expires_at - now

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
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        secrets = {"access_token", "refresh_token", "id_token"}
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                value = data[f.name]
                kwargs[f.name] = Secret(value) if f.name in secrets and value is not None else value
        return cls(**kwargs)


@dataclass(frozen=True)
class ProfileStatus:
    """Why a profile cannot produce a token by itself, when it cannot.

    Attributes:
        needs_sign_in: the refresh token died (invalid_grant), or there never was one.
        reason: one line for the user.
    """

    needs_sign_in: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class ProfileRecord:
    """Everything kept for one profile: one keyring entry, read and written whole."""

    profile: Profile
    client_secret: Secret | None = None
    token: TokenSet | None = None
    status: ProfileStatus = ProfileStatus()
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
            "client_secret": self.client_secret.reveal() if self.client_secret else None,
            "token": self.token.to_json() if self.token else None,
            "status": dataclasses.asdict(self.status),
            "signed_in_redirect_uri": self.signed_in_redirect_uri,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfileRecord:
        raw = dict(data["profile"])
        for listed in ("scopes", "origin"):
            if raw.get(listed) is not None:
                raw[listed] = tuple(raw[listed])
        secret = data.get("client_secret")
        token = data.get("token")
        return cls(
            profile=Profile(**raw),
            client_secret=Secret(secret) if secret else None,
            token=TokenSet.from_json(token) if token else None,
            status=ProfileStatus(**(data.get("status") or {})),
            signed_in_redirect_uri=data.get("signed_in_redirect_uri"),
        )
