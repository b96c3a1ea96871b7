"""Every error the core raises, each carrying one line written for the user.

The tree (catch ``MusicAuthError`` to catch them all)::

    MusicAuthError
    ├── ConfigError                  a profile, a profiles file or an argument is wrong
    │   ├── ProfileNotFound
    │   └── InsecureEndpoint         http:// for a host that is not loopback
    ├── StoreError                   the keyring (or the vault file) could not be used
    │   ├── NoKeyringError           no usable backend at all (headless Linux, WSL)
    │   ├── KeyringLockedError       a locked keyring, or a dismissed unlock prompt
    │   ├── EntryDamaged             one entry cannot be read back (the others still can)
    │   ├── VaultPassphraseNeeded    the vault file's passphrase was not given
    │   ├── WrongVaultPassphrase     the passphrase does not open the vault file
    │   ├── VaultDamaged             the vault file is damaged or was altered (left as it is)
    │   └── StoresDisagree           a migration found one name with two contents (nothing moved)
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

Defined next to the code that raises them: ``MissingVariable`` (a ConfigError, ``env_secret.py``);
``KeyProblem`` with ``UnsupportedKey``,
``PassphraseRequired`` and ``WrongPassphrase`` (``keys.py``); ``KeyNotFound`` (a ConfigError)
and ``KeyInUse`` (``store/key_store.py``).

Each error carries data, not advice: ``message`` says what happened, ``profile`` (and
``key_name``) what it is about, ``field`` the profiles-file key at fault (``client_secret``,
``redirect_uri``, ...), and ``actions`` what the user can do about it (``Action``). The words
for an action are made in two places only, ``cli.py`` (a command line, ``musicauth login
NAME``) and ``gui/messages.py`` (a button's words, "Sign in"); a message in the core names no
command, option or file of either front end, and no code reads a message to decide anything.

Messages never contain a secret: they are built from field names, status codes, hosts and the
provider's own ``error``/``error_description`` (which RFC 6749 §5.2 limits to printable ASCII
without the token itself).
"""

from __future__ import annotations

import enum
from typing import Self

from .names import shown
from .secret import Secret


class Action(enum.Enum):
    """What the user can do about an error; each front end words it its own way.

    An error's ``actions`` are alternatives, the most useful first (a GUI may show each as a
    button). An action that takes two steps (remove, then import again) is one action.
    """

    SIGN_IN = "sign_in"  # sign in to ``profile`` (again)
    GET_TOKEN = "get_token"  # this profile gets its token without a sign-in
    EDIT_FIELD = "edit_field"  # change ``field`` of the profile (None: the profile as a whole)
    ADD_PROFILE = "add_profile"  # create or import the profile that was not found
    CHOOSE_ANOTHER_NAME = "choose_another_name"
    DELETE_EXISTING = "delete_existing"  # delete the key that holds the name, then add it again
    REMOVE_ENTRY = "remove_entry"  # remove the damaged profile or key, then add it again
    REPAIR_STORE = "repair_store"  # rebuild the store's index from what the keyring holds
    DELETE_ANYWAY = "delete_anyway"  # delete a key that profiles still use
    UNLOCK_KEYRING = "unlock_keyring"
    SET_UP_KEYRING = "set_up_keyring"  # no usable keyring at all: start one
    USE_FILE_VAULT = "use_file_vault"  # ...or keep everything in the passphrase-encrypted vault file
    GIVE_VAULT_PASSPHRASE = "give_vault_passphrase"  # the vault file's passphrase, (again,) right
    RESTORE_VAULT_FILE = "restore_vault_file"  # put back a good copy of the vault file
    CLOSE_OTHER_PROCESS = "close_other_process"  # another process holds the profile's lock
    CHECK_NETWORK = "check_network"  # no answer: the endpoint or the connection, then retry
    CHECK_ENDPOINT = "check_endpoint"  # an answer, but not from the provider's API endpoint
    RETRY = "retry"  # the provider had trouble: the same again, later
    CHOOSE_ANOTHER_PORT = "choose_another_port"  # the pinned redirect port is taken
    GIVE_PASSPHRASE = "give_passphrase"
    CHOOSE_KEY_FILE = "choose_key_file"  # a P-256 private key is needed, not this file
    ADD_KEY = "add_key"  # create or import the key that was not found
    CHOOSE_ANOTHER_FILE = "choose_another_file"
    SET_VARIABLE = "set_variable"  # a secret is read from an environment variable that is unset


class MusicAuthError(Exception):
    """Base class. ``str(error)`` is the message alone: what happened, in one line.

    A front end shows it with its own words for ``actions`` (``cli.error_line``,
    ``gui.messages.error_text``). When ``field`` and ``profile`` are both set, the message is
    about that field and does not name the profile: the front end says which profile, or
    leaves it out where the surrounding view names it already (the profile editor).

    Attributes:
        message: what happened.
        profile: the profile the error is about, when there is one.
        key_name: the key (key store) the error is about, when there is one.
        field: the profiles-file key at fault, for configuration errors.
        actions: what the user can do, the most useful first; ``()`` when nothing helps.
    """

    #: The actions every error of the class suggests; an instance may say otherwise.
    actions: tuple[Action, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        profile: str | None = None,
        key_name: str | None = None,
        field: str | None = None,
        actions: tuple[Action, ...] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.profile = profile
        self.key_name = key_name
        self.field = field
        if actions is not None:
            self.actions = actions

    def __str__(self) -> str:
        return self.message

    def about(self, *, profile: str | None = None, field: str | None = None) -> Self:
        """This error, told which profile (and field) it is about where it did not know.

        For a check that is shared (a URL, a lifetime) and called for one profile's field:
        ``raise exc.about(profile=name, field="devtoken_ttl")``. An error that suggested
        nothing until it knew its field suggests editing that field.
        """
        if self.profile is None:
            self.profile = profile
        if self.field is None and field is not None:
            self.field = field
            if not self.actions:
                self.actions = (Action.EDIT_FIELD,)
        return self


class ConfigError(MusicAuthError):
    """A profile, a profiles file or a command-line argument is wrong.

    Attributes:
        rule: for a value of one field, the message without the field's key in front of it
            ("must be an HTTP header name ..."): the terminal says the key, the profile editor
            the field's label, and neither takes the message apart. None when the message does
            not start with the key.
    """

    rule: str | None = None

    @classmethod
    def of_field(cls, field: str, rule: str, *, profile: str | None = None) -> Self:
        """``field``'s value breaks ``rule``: "``field`` ``rule``", fixed by editing the field."""
        error = cls(f"{field} {rule}", profile=profile, field=field, actions=(Action.EDIT_FIELD,))
        error.rule = rule
        return error


class ProfileNotFound(ConfigError):
    actions = (Action.ADD_PROFILE,)

    def __init__(self, name: str) -> None:
        super().__init__(f"no profile named {shown(name)}", profile=name)
        self.name = name


class InsecureEndpoint(ConfigError):
    """http:// is only acceptable for loopback hosts (RFC 8252 §8.3; RFC 6749 §3.1)."""

    actions = (Action.EDIT_FIELD,)


class StoreError(MusicAuthError):
    """The keyring could not be read or written."""


class NoKeyringError(StoreError):
    actions = (Action.SET_UP_KEYRING, Action.USE_FILE_VAULT)

    def __init__(self, detail: str = "") -> None:
        what = "no usable keyring (OS secret store) was found"
        if detail:
            what = f"{what} ({detail})"
        super().__init__(what)


class KeyringLockedError(StoreError):
    actions = (Action.UNLOCK_KEYRING,)

    def __init__(self) -> None:
        super().__init__("the keyring is locked (or its unlock prompt was dismissed)")


class VaultPassphraseNeeded(StoreError):
    """The vault file was chosen, and nothing gave its passphrase (no variable, file or terminal)."""

    actions = (Action.GIVE_VAULT_PASSPHRASE,)


class WrongVaultPassphrase(StoreError):
    """The passphrase derives a key whose check value differs from the vault file's header."""

    actions = (Action.GIVE_VAULT_PASSPHRASE,)


class VaultDamaged(StoreError):
    """The vault file cannot be decrypted or parsed with the right passphrase: truncated, a byte
    changed, not a vault at all. The file is left exactly as it is (never rewritten)."""

    actions = (Action.RESTORE_VAULT_FILE,)


class StoresDisagree(StoreError):
    """``store migrate`` found an entry in both stores with different contents; nothing moved."""


class EntryDamaged(StoreError):
    """One keyring entry exists but cannot be decoded: not JSON, wrong shape, parts missing.

    What it is about, and its repair, follow from the entry's name: ``profile/<name>`` and
    ``key/<name>`` are removed and added again, the ``index`` is repaired.

    Attributes:
        entry: the vault key (``profile/<name>``, ``key/<name>``, ``index``); never the value.
    """

    def __init__(self, message: str, *, entry: str) -> None:
        kind, _, name = entry.partition("/")
        super().__init__(
            message,
            profile=name if kind == "profile" and name else None,
            key_name=name if kind == "key" and name else None,
            actions=(Action.REMOVE_ENTRY,) if name else (Action.REPAIR_STORE,),
        )
        self.entry = entry


class ProviderError(MusicAuthError):
    """The provider could not be reached, or did not give what OAuth promises."""


class ProviderUnreachable(ProviderError):
    """No answer: connection refused, name resolution, TLS, or a deadline passed."""

    actions = (Action.CHECK_NETWORK,)


class ProviderRejected(ProviderError):
    """The provider answered with an error status.

    Attributes:
        status: the HTTP status code.
        error: the OAuth ``error`` code, when the body had one.
        description: the OAuth ``error_description``, when the body had one.
        sub_status: a provider's finer code beside ``error`` (TIDAL's ``sub_status``, such as
            11003, "the token expired: refresh"), when the body had one; data for the front
            ends to show, never part of ``message``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error: str | None = None,
        description: str | None = None,
        sub_status: str | None = None,
        field: str | None = None,
        actions: tuple[Action, ...] | None = None,
    ) -> None:
        super().__init__(message, field=field, actions=actions)
        self.status = status
        self.error = error
        self.description = description
        self.sub_status = sub_status


class InvalidGrant(ProviderRejected):
    """The refresh token (or code) is no longer valid: the user must sign in again."""

    actions = (Action.SIGN_IN,)


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
        super().__init__(
            f"{cause.message}; the new refresh token in it was kept",
            profile=cause.profile,
            field=cause.field,
            actions=cause.actions,
        )
        self.refresh_token = refresh_token


class DiscoveryFailed(ProviderError):
    """Neither RFC 8414 nor OpenID Connect discovery gave usable metadata."""


class SignInError(MusicAuthError):
    """The browser round trip of the authorization-code flow failed."""


class SignInDenied(SignInError):
    """The provider redirected back with ``error`` (access_denied and friends)."""

    actions = (Action.SIGN_IN,)


class StateMismatch(SignInError):
    actions = (Action.SIGN_IN,)

    def __init__(self) -> None:
        super().__init__(
            "the sign-in answer carried the wrong state (possible cross-site request forgery); nothing was stored"
        )


class SignInTimeout(SignInError):
    actions = (Action.SIGN_IN,)


class SignInCancelled(SignInError):
    def __init__(self) -> None:
        super().__init__("sign-in cancelled; nothing was stored")


class PortInUse(SignInError):
    actions = (Action.CHOOSE_ANOTHER_PORT,)

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"the redirect port {port} on {host} is already in use", field="redirect_uri")
        self.port = port


class NeedsSignIn(MusicAuthError):
    """The profile has no usable token and only an interactive sign-in can get one."""

    actions = (Action.SIGN_IN,)

    def __init__(self, name: str, reason: str | None = None) -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(f"profile {shown(name)} needs sign-in{why}", profile=name)
        self.name = name


class UnsupportedFeature(MusicAuthError):
    """Something a profile asks for that this version cannot do yet; the message says what."""
