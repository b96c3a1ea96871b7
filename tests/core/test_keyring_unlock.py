"""The Unlock button's core half: only the Secret Service can prompt, and a dismissed prompt
is the same KeyringLockedError a locked read gives."""

from __future__ import annotations

import sys

import keyring.errors
import pytest

from musicauth_gui.core.errors import KeyringLockedError, NoKeyringError, StoreError
from musicauth_gui.core.store.unlock import SECRET_SERVICE_BACKEND, can_prompt_unlock, prompt_unlock
from musicauth_gui.core.store.vault import KeyringVault, MemoryVault
from tests.support.file_keyring import FileKeyring


class Connection:
    closed = False

    def close(self) -> None:
        self.closed = True


class Collection:
    def __init__(self) -> None:
        self.connection = Connection()


class StandInSecretService:
    """keyring's SecretService.Keyring, as far as unlocking goes: ``get_preferred_collection``
    unlocks (the prompt) or raises KeyringLocked when the prompt was dismissed."""

    def __init__(self, outcome: str) -> None:
        self.outcome = outcome
        self.collection = Collection()

    def get_preferred_collection(self) -> Collection:
        if self.outcome == "dismissed":
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        if self.outcome == "no-service":
            raise keyring.errors.InitError("Failed to create the collection: no such object.")
        if self.outcome == "dbus":
            raise OSError("org.freedesktop.DBus.Error.NoReply")
        return self.collection


def test_only_the_secret_service_can_prompt() -> None:
    assert not can_prompt_unlock(MemoryVault())
    assert not can_prompt_unlock(KeyringVault(FileKeyring()))

    class SecretServiceVault:
        backend_name = SECRET_SERVICE_BACKEND

    assert can_prompt_unlock(SecretServiceVault())


def test_unlocking_closes_its_connection_and_a_dismissed_prompt_is_locked() -> None:
    backend = StandInSecretService("unlocked")
    prompt_unlock(backend)
    assert backend.collection.connection.closed
    with pytest.raises(KeyringLockedError):
        prompt_unlock(StandInSecretService("dismissed"))
    with pytest.raises(NoKeyringError, match="no such object"):
        prompt_unlock(StandInSecretService("no-service"))
    with pytest.raises(StoreError, match="could not be unlocked: OSError"):
        prompt_unlock(StandInSecretService("dbus"))
    with pytest.raises(NoKeyringError, match="no unlock prompt"):
        prompt_unlock(FileKeyring())


def test_the_module_imports_no_secretstorage() -> None:
    import subprocess

    code = "import sys, musicauth_gui.core.store.unlock; print('secretstorage' in sys.modules, 'keyring' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
