"""Which vault the store stands on, chosen by the user through the environment.

- ``MUSICAUTH_STORE``: ``keyring`` (the default: the OS keyring) or ``file`` (the encrypted vault
  file, ``file_vault.py``). Never chosen by itself: without a keyring the app stops with a
  message naming the file as one way out, and never falls back to a file silently.
- ``MUSICAUTH_STORE_FILE``: the vault file; default ``vault`` in the user's data folder.
- ``MUSICAUTH_PASSPHRASE``, else ``MUSICAUTH_PASSPHRASE_FILE`` (its first line), else the front
  end's prompt (the CLI asks on a terminal, twice for a new vault); else ``VaultPassphraseNeeded``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from ..errors import Action, ConfigError, StoreError, VaultPassphraseNeeded, WrongVaultPassphrase
from ..secret import Secret
from .vault import SecretVault

if TYPE_CHECKING:
    from pathlib import Path  # imported where a path is made: a keyring token's path needs none

StoreKind = Literal["keyring", "file"]
STORE_KINDS: tuple[StoreKind, ...] = ("keyring", "file")
STORE_VARIABLE = "MUSICAUTH_STORE"
FILE_VARIABLE = "MUSICAUTH_STORE_FILE"
PASSPHRASE_VARIABLE = "MUSICAUTH_PASSPHRASE"
PASSPHRASE_FILE_VARIABLE = "MUSICAUTH_PASSPHRASE_FILE"
DEFAULT_VAULT_NAME = "vault"
#: A passphrase file is a line, not a document.
MAX_PASSPHRASE_FILE_BYTES = 64 * 1024

#: A front end's way of asking the user: called with whether the vault is new (then it asks
#: twice and compares), and the path; returns the passphrase, or None when it cannot ask.
PassphrasePrompt = Callable[[bool, "Path"], "str | None"]


def chosen_store() -> StoreKind:
    """The store ``MUSICAUTH_STORE`` names (default: the keyring)."""
    raw = (os.environ.get(STORE_VARIABLE) or "keyring").strip().lower()
    if raw not in STORE_KINDS:
        raise ConfigError(f"{STORE_VARIABLE} is {raw!r}; it takes 'keyring' (the default) or 'file'")
    return raw


def vault_path() -> Path:
    """The vault file: ``MUSICAUTH_STORE_FILE``, else ``vault`` in the user's data folder."""
    from pathlib import Path

    raw = os.environ.get(FILE_VARIABLE)
    if raw:
        return Path(raw).expanduser().absolute()
    from ..paths import data_dir  # here: a token read from the keyring needs no folder

    return data_dir() / DEFAULT_VAULT_NAME


def vault_passphrase(path: Path, *, new: bool, ask: PassphrasePrompt | None) -> tuple[Secret, str | None]:
    """The passphrase of the vault at ``path`` from the environment, a file, or the prompt,
    with the variable it came from (None: the prompt)."""
    from pathlib import Path

    source: str | None = PASSPHRASE_VARIABLE
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if not value and os.environ.get(PASSPHRASE_FILE_VARIABLE):
        value, source = _first_line(Path(os.environ[PASSPHRASE_FILE_VARIABLE]).expanduser()), PASSPHRASE_FILE_VARIABLE
    if not value and ask is not None:
        value, source = ask(new, path), None
    if not value:
        raise VaultPassphraseNeeded(f"the vault file {path} needs its passphrase, and none was given")
    return Secret(value), source


def _first_line(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_PASSPHRASE_FILE_BYTES + 1)
    except OSError as exc:
        raise StoreError(f"could not read the passphrase file {path} ({PASSPHRASE_FILE_VARIABLE}): {exc.strerror}") from exc
    if len(data) > MAX_PASSPHRASE_FILE_BYTES:
        raise ConfigError(f"the passphrase file {path} ({PASSPHRASE_FILE_VARIABLE}) is over 64 KB: not a passphrase")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the passphrase file {path} ({PASSPHRASE_FILE_VARIABLE}) is not UTF-8 text") from exc
    # The first line, without its line ending: `echo secret > file` writes one.
    return text.splitlines()[0] if text.strip() else ""


def open_vault(kind: StoreKind, *, ask: PassphrasePrompt | None = None) -> SecretVault:
    """The vault of ``kind``; blocking (keyring discovery ~0.4 s, the vault's scrypt ~0.2 s).

    Raises:
        NoKeyringError: ``keyring`` without a usable keyring.
        VaultPassphraseNeeded, WrongVaultPassphrase, VaultDamaged: ``file``.
    """
    return vault_opener(kind, ask=ask)()


def vault_opener(kind: StoreKind, *, ask: PassphrasePrompt | None = None, existing: bool = False) -> Callable[[], SecretVault]:
    """Gather what opening the vault of ``kind`` needs from the user now (the passphrase, which
    may be a prompt: on the caller's thread, where Ctrl-C reaches it), and return the slow rest
    (for the store's worker thread). With ``existing``, a vault file that is not there is an
    error instead of a new one (a migration's source)."""
    if kind == "keyring":
        from .vault import KeyringVault

        return KeyringVault
    from .file_vault import FileVault

    path = vault_path()
    if existing and not FileVault.exists(path):
        raise ConfigError(f"there is no vault file at {path} to move anything from")
    passphrase, source = vault_passphrase(path, new=not FileVault.exists(path), ask=ask)

    def open_file() -> SecretVault:
        try:
            return FileVault.open(path, passphrase)
        except WrongVaultPassphrase as exc:
            if source is None:
                raise
            # Asking again would read the same variable: the fix is in the environment.
            raise WrongVaultPassphrase(
                f"the passphrase does not open the vault file {path} (it came from {source})", actions=(Action.SET_VARIABLE,)
            ) from exc

    return open_file


def vault_kind(vault: SecretVault) -> StoreKind | None:
    """Which kind ``vault`` is; None for a private in-memory one (tests, demo mode)."""
    from .file_vault import FileVault
    from .vault import KeyringVault

    if isinstance(vault, FileVault):
        return "file"
    if isinstance(vault, KeyringVault):
        return "keyring"
    return None
