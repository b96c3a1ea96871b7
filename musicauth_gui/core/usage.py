"""How a token is used: the ``Authorization`` header in the provider's scheme, a curl line.

Shared by the CLI's ``--format`` and the desktop app's copy buttons, so both always agree.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode, urlsplit

from .env_secret import resolve
from .errors import Action, ConfigError
from .model import ProfileRecord, TokenSet
from .names import shown
from .presets import get_preset
from .secret import Secret

Scheme = Literal["default", "token", "basic", "devtoken"]
SCHEMES: tuple[str, ...] = ("token", "basic", "devtoken")


@dataclass(frozen=True)
class Credential:
    """What goes after ``Authorization:``: a scheme word and the secret value; or, for an API
    that takes its token in the query string (Deezer), the parameter's name.

    Attributes:
        query_param: the token travels as ``?<query_param>=<token>`` and in no header.
        provider: the provider's name, for the one line that says so.
    """

    scheme: str
    value: Secret
    query_param: str | None = None
    provider: str = ""

    def header_value(self) -> str:
        """``<scheme> <token>``.

        Raises:
            ConfigError: the provider takes the token in the query string, never in a header.
        """
        if self.query_param is not None:
            raise ConfigError(
                f"{self.provider or 'this provider'} takes the token as the URL's "
                f"{self.query_param} query parameter, not in an Authorization header"
            )
        return f"{self.scheme} {self.value.reveal()}"

    def header_line(self) -> str:
        return f"Authorization: {self.header_value()}"

    def in_url(self, url: str) -> str:
        """``url`` carrying the token as its query parameter (query placement only)."""
        assert self.query_param is not None
        sep = "&" if urlsplit(url).query else "?"
        return f"{url}{sep}{urlencode({self.query_param: self.value.reveal()})}"


def needs_token(record: ProfileRecord, scheme: str | None) -> bool:
    """False for the schemes built from the client's own id and secret (MusicAPI)."""
    return scheme not in ("token", "basic")


def credential(record: ProfileRecord, token: TokenSet | None, scheme: str | None = None) -> Credential:
    """The credential for ``record`` in ``scheme`` (None: the provider's default).

    Raises:
        ConfigError: a scheme the provider does not take, or a missing secret for ``basic``.
    """
    preset = get_preset(record.profile.provider)
    default = "devtoken" if record.profile.flow == "devtoken" and preset.id == "musicapi" else None
    chosen = scheme or default
    if chosen not in (None, default) and chosen not in preset.extra_schemes:
        raise ConfigError(f"the {chosen} scheme is not something {preset.label} accepts")
    profile = record.profile
    if chosen == "token":
        return Credential("Token", Secret(profile.client_id))
    if chosen == "basic":
        if record.client_secret is None:
            raise ConfigError(
                "no client secret is stored for Basic authentication",
                profile=profile.name,
                field="client_secret",
                actions=(Action.EDIT_FIELD,),
            )
        secret = resolve(record.client_secret, profile=profile.name, field="client_secret")
        assert secret is not None  # resolve() gives a value for every secret it is given
        raw = f"{profile.client_id}:{secret.reveal()}".encode()
        return Credential("Basic", Secret(base64.b64encode(raw).decode("ascii")))
    if token is None:
        raise ConfigError(f"profile {shown(profile.name)} has no token yet", profile=profile.name)
    return Credential(preset.auth_scheme, token.access_token, query_param=preset.token_query_param, provider=preset.label)


def try_url(record: ProfileRecord) -> str | None:
    return record.profile.try_url or get_preset(record.profile.provider).try_url


def curl_line(cred: Credential, url: str | None) -> str:
    """A curl command carrying the header (or the query parameter), for the given (or a
    placeholder) URL."""
    if cred.query_param is not None:
        return f"curl {shlex.quote(cred.in_url(url or 'https://api.example.com/'))}"
    return f"curl -H {shlex.quote(cred.header_line())} {shlex.quote(url or 'https://api.example.com/')}"
