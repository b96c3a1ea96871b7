"""Every error the core raises, each carrying one line written for the user.

The tree (catch ``MusicAuthError`` to catch them all)::

    MusicAuthError
    ├── ConfigError                  a profile, a profiles file or an argument is wrong
    │   ├── ProfileNotFound
    │   └── InsecureEndpoint         http:// for a host that is not loopback
    ├── StoreError                   the keyring could not be used
    │   ├── NoKeyringError           no usable backend at all (headless Linux, WSL)
    │   ├── KeyringLockedError       a locked keyring, or a dismissed unlock prompt
    │   └── EntryDamaged             one entry cannot be read back (the others still can)
    ├── ProviderError                the provider could not be reached or said no
    │   ├── ProviderUnreachable      connection refused, DNS, TLS, a timeout
    │   ├── ProviderRejected         a 4xx/5xx answer with an OAuth error, or none
    │   │   └── InvalidGrant         refresh token or code dead: sign in again
    │   ├── MalformedResponse        an answer that is not the JSON OAuth promises
    │   │   └── UnusableRotation     ... but it carries a new refresh token, to be kept
    │   └── DiscoveryFailed
    ├── SignInError                  the browser round trip failed
    │   ├── SignInDenied             the user refused consent (error=access_denied)
    │   ├── StateMismatch            the callback's state is not ours
    │   ├── SignInTimeout
    │   ├── SignInCancelled
    │   └── PortInUse                a pinned redirect port is taken
    ├── NeedsSignIn                  no usable token and no way to get one without the user
    └── UnsupportedFeature           asked of a version that cannot do it yet

Messages never contain a secret: they are built from field names, status codes, hosts and the
provider's own ``error``/``error_description`` (which RFC 6749 §5.2 limits to printable ASCII
without the token itself).
"""

from __future__ import annotations

from .names import shell_arg, shown
from .secret import Secret


class MusicAuthError(Exception):
    """Base class. ``str(error)`` is the one line to show the user."""

    #: A hint telling the user what to do next; appended to the message when set.
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class ConfigError(MusicAuthError):
    """A profile, a profiles file or a command-line argument is wrong."""


class ProfileNotFound(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"no profile named {shown(name)}",
            hint="`musicauth profile list` shows the profiles, `musicauth profile import FILE` adds one",
        )
        self.name = name


class InsecureEndpoint(ConfigError):
    """http:// is only acceptable for loopback hosts (RFC 8252 §8.3; RFC 6749 §3.1)."""


class StoreError(MusicAuthError):
    """The keyring could not be read or written."""


class NoKeyringError(StoreError):
    def __init__(self, detail: str = "") -> None:
        what = "no usable keyring (OS secret store) was found"
        if detail:
            what = f"{what} ({detail})"
        super().__init__(
            what,
            hint="start or unlock a Secret Service such as gnome-keyring or KeePassXC, "
            "or choose a backend with PYTHON_KEYRING_BACKEND",
        )


class KeyringLockedError(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "the keyring is locked (or its unlock prompt was dismissed)",
            hint="unlock it (e.g. log in to gnome-keyring or KeePassXC) and try again",
        )


class EntryDamaged(StoreError):
    """One keyring entry exists but cannot be decoded: not JSON, wrong shape, parts missing.

    Attributes:
        entry: the vault key (``profile/<name>``, ``key/<name>``, ``index``); never the value.
    """

    def __init__(self, message: str, *, entry: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.entry = entry


class ProviderError(MusicAuthError):
    """The provider could not be reached, or did not give what OAuth promises."""


class ProviderUnreachable(ProviderError):
    """No answer: connection refused, name resolution, TLS, or a deadline passed."""


class ProviderRejected(ProviderError):
    """The provider answered with an error status.

    Attributes:
        status: the HTTP status code.
        error: the OAuth ``error`` code, when the body had one.
        description: the OAuth ``error_description``, when the body had one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error: str | None = None,
        description: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.error = error
        self.description = description


class InvalidGrant(ProviderRejected):
    """The refresh token (or code) is no longer valid: the user must sign in again."""


class MalformedResponse(ProviderError):
    """A 2xx answer that is not the JSON the protocol promises."""


class UnusableRotation(MalformedResponse):
    """A refresh answer that cannot be used, yet carries a new refresh token.

    The provider has rotated already: the old refresh token is spent, so the new one must be
    stored even though the answer as a whole is refused.

    Attributes:
        refresh_token: the new refresh token (a ``Secret``).
    """

    def __init__(self, cause: MalformedResponse, refresh_token: Secret) -> None:
        super().__init__(f"{cause.message}; the new refresh token in it was kept", hint=cause.hint)
        self.refresh_token = refresh_token


class DiscoveryFailed(ProviderError):
    """Neither RFC 8414 nor OpenID Connect discovery gave usable metadata."""


class SignInError(MusicAuthError):
    """The browser round trip of the authorization-code flow failed."""


class SignInDenied(SignInError):
    """The provider redirected back with ``error`` (access_denied and friends)."""


class StateMismatch(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "the sign-in answer carried the wrong state (possible cross-site request forgery); nothing was stored",
            hint="start the sign-in again",
        )


class SignInTimeout(SignInError):
    pass


class SignInCancelled(SignInError):
    def __init__(self) -> None:
        super().__init__("sign-in cancelled; nothing was stored")


class PortInUse(SignInError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"the redirect port {port} on {host} is already in use",
            hint="close whatever listens there (another sign-in?) or pin a different "
            "redirect_uri registered with the provider",
        )
        self.port = port


class NeedsSignIn(MusicAuthError):
    """The profile has no usable token and only an interactive sign-in can get one."""

    def __init__(self, name: str, reason: str | None = None) -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"profile {shown(name)} needs sign-in{why}",
            hint=f"run `musicauth login {shell_arg(name)}`",
        )
        self.name = name


class UnsupportedFeature(MusicAuthError):
    """Something a profile asks for that this version cannot do yet; the message says what."""
