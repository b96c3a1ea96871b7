"""The vault (chunking, typed keyring errors) and the profile store over it."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.testing.backend import BackendBasicTests

from musicauth_gui.cli import error_line
from musicauth_gui.core.errors import Action, KeyringLockedError, NoKeyringError, ProfileNotFound, StoreError
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault, MemoryVault, open_keyring_backend
from tests.conftest import TEST_BACKEND
from tests.support.file_keyring import FileKeyring


class TestFileKeyringContract(BackendBasicTests):
    """The test suite's stand-in keyring must behave like a real backend."""

    def init_keyring(self) -> FileKeyring:
        return FileKeyring()


class DictBackend(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.data[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("nope") from None


def test_large_values_are_split_and_joined_transparently() -> None:
    backend = DictBackend()
    vault = KeyringVault(backend, chunk_chars=100)
    value = "x" * 250 + "é" * 60
    vault.set("profile/big", value)
    assert all(len(v) <= 100 for v in backend.data.values())
    assert len(backend.data) == 5  # marker + 4 parts
    assert vault.get("profile/big") == value
    vault.set("profile/big", "small")  # shrinking removes the old parts
    assert len(backend.data) == 1
    assert vault.get("profile/big") == "small"
    vault.set("profile/big", "y" * 150)
    vault.delete("profile/big")
    assert backend.data == {}


def test_windows_backend_gets_the_windows_limit_by_default() -> None:
    class FakeWin(DictBackend):
        pass

    FakeWin.__module__ = "keyring.backends.Windows"
    vault = KeyringVault(FakeWin())
    vault.set("k", "z" * 5000)
    assert all(len(v) * 2 <= 2560 for v in vault._backend.data.values())  # type: ignore[attr-defined]
    assert vault.get("k") == "z" * 5000


def test_locked_keyring_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    vault = KeyringVault(FileKeyring())
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_LOCKED", "1")
    with pytest.raises(KeyringLockedError, match="locked"):
        vault.get("index")


def test_no_backend_names_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.backends.fail

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(NoKeyringError) as info:
        open_keyring_backend()
    # The ways out are data in the core (a keyring, or the vault file); the command line words them.
    assert info.value.actions == (Action.SET_UP_KEYRING, Action.USE_FILE_VAULT)
    line = error_line(info.value)
    assert "PYTHON_KEYRING_BACKEND" in line
    assert "gnome-keyring" in line
    assert "MUSICAUTH_STORE=file" in line


def test_without_a_reachable_secret_service_keyring_discovers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The Secret Service is taken without keyring's discovery only when it answers; otherwise
    discovery decides: here, in a fresh interpreter (the suite's own backends would join it in
    this one), nothing usable, so the way out is named."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    code = (
        "import sys\n"
        "from musicauth_gui.core.errors import NoKeyringError\n"
        "from musicauth_gui.core.store.vault import open_keyring_backend\n"
        "try:\n"
        "    open_keyring_backend()\n"
        "except NoKeyringError:\n"
        "    print('no keyring', 'keyring.backends.macOS' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert out.stdout.split() == ["no", "keyring", "True"]  # discovery ran, and found nothing


@pytest.mark.parametrize(
    "setting",
    [
        None, "PYTHON_KEYRING_BACKEND", "KEYRING_PROPERTY_SCHEME", "X_KEYRING_PROPERTY_SCHEME", "keyringrc", "chosen", "KDE",
        "no bus", "unreachable",
    ],
)
def test_keyring_is_put_off_only_where_it_would_take_the_secret_service_itself(
    setting: str | None, monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    """``secret_service_directly`` (no keyring imported) says yes exactly where
    ``open_keyring_backend`` would take the Secret Service by ``_certain_backend``: anything the
    user or the process chose leaves the choice to keyring, as before."""
    import keyring.core

    from musicauth_gui.core.store import secret_service_bulk
    from musicauth_gui.core.store.vault import secret_service_directly

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nowhere")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(secret_service_bulk, "service_reachable", lambda: setting != "unreachable")
    if setting == "PYTHON_KEYRING_BACKEND":
        monkeypatch.setenv(setting, TEST_BACKEND)
    elif setting in ("KEYRING_PROPERTY_SCHEME", "X_KEYRING_PROPERTY_SCHEME"):
        # keyring takes any variable whose name contains it (set_properties_from_env partitions).
        monkeypatch.setenv(setting, "KeePassXC")
    elif setting == "keyringrc":
        rc = isolated_dirs["config"] / "python_keyring" / "keyringrc.cfg"
        rc.parent.mkdir()
        rc.write_text("[backend]\ndefault-keyring = keyring.backends.fail.Keyring\n")
    elif setting == "chosen":
        keyring.set_keyring(FileKeyring())
    elif setting == "KDE":
        monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    elif setting == "no bus":
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    assert secret_service_directly() is (setting is None)


@pytest.mark.parametrize("direct", [False, True])
def test_before_keyring_runs_once_before_keyring_is_asked_for_a_backend(direct: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI configures logging there (cli.py ``_lean_token``): before discovery, or before the
    Secret Service backend put off by a direct read; a direct read alone never calls it."""
    from musicauth_gui.core.store import vault as vault_module

    calls: list[str] = []
    monkeypatch.setattr(vault_module, "secret_service_directly", lambda: direct)
    monkeypatch.setattr(vault_module, "open_keyring_backend", lambda: calls.append("discovery") or FileKeyring())
    monkeypatch.setattr(vault_module, "_secret_service_backend", lambda: calls.append("secret service") or FileKeyring())

    vault = KeyringVault(before_keyring=lambda: calls.append("hook"))
    assert calls == ([] if direct else ["hook", "discovery"])
    assert vault.backend is vault.backend
    assert calls == (["hook", "secret service"] if direct else ["hook", "discovery"])


def test_plaintext_backend_chosen_silently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Plain(DictBackend):
        pass

    Plain.__module__ = "keyrings.alt.file"
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(Plain())
    with pytest.raises(NoKeyringError, match="plaintext"):
        open_keyring_backend()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    assert isinstance(open_keyring_backend(), Plain)  # chosen explicitly: the user's call


def record(name: str = "p1", token: str | None = None) -> ProfileRecord:
    return ProfileRecord(
        profile=Profile(name=name, provider="musixmatch", flow="client_credentials", client_id="cid"),
        client_secret=Secret("client-secret-value"),
        token=TokenSet(access_token=Secret(token), issued_at=1, expires_at=2) if token else None,
    )


async def test_store_round_trip_index_update_delete() -> None:
    store = ProfileStore(KeyringVault(FileKeyring()))
    try:
        await store.save(record("a"))
        await store.save(record("b", token="tok-b-123456"))
        assert await store.names() == ["a", "b"]
        fresh = ProfileStore(KeyringVault(FileKeyring()))  # another process, same keyring
        loaded = await fresh.load("b")
        assert loaded.client_secret == Secret("client-secret-value")
        assert loaded.token is not None and loaded.token.access_token.reveal() == "tok-b-123456"
        import dataclasses

        await fresh.update("b", lambda r: dataclasses.replace(r, token=None))
        assert (await store.load("b", fresh=True)).token is None
        await store.delete("a")
        assert await store.names() == ["b"]
        with pytest.raises(ProfileNotFound):
            await store.load("a", fresh=True)
        fresh.close()
    finally:
        store.close()


async def test_damaged_entry_is_a_clear_error() -> None:
    vault = MemoryVault()
    vault.set("profile/x", "{not json")
    store = ProfileStore(vault, cross_process=False)
    with pytest.raises(StoreError, match="damaged"):
        await store.load("x")
    store.close()


async def test_vault_calls_run_on_one_dedicated_thread() -> None:
    import threading

    seen: set[str] = set()

    class Spy(MemoryVault):
        def get(self, key: str) -> str | None:
            seen.add(threading.current_thread().name)
            return super().get(key)

    store = ProfileStore(Spy(), cross_process=False)
    await store.save(record("a"))
    for _ in range(5):
        await store.load("a", fresh=True)
    store.close()
    assert len(seen) == 1 and next(iter(seen)).startswith("musicauth-keyring")
    assert threading.current_thread().name not in seen


async def test_scan_sets_damaged_entries_apart_and_keeps_the_readable_ones() -> None:
    vault = MemoryVault()
    store = ProfileStore(vault, cross_process=False)
    for name in ("a", "b", "c"):
        await store.save(ProfileRecord(Profile(name=name, provider="musixmatch", flow="client_credentials")))
    vault.set("profile/b", "{not json")
    listing = await store.scan()
    assert [r.name for r in listing.records] == ["a", "c"]
    assert [(d.name, d.kind) for d in listing.damaged] == [("b", "profile")]
    assert "damaged" in listing.damaged[0].reason
    assert [r.name for r in await store.load_all()] == ["a", "c"]
    store.close()


async def test_scan_still_raises_when_the_whole_keyring_is_locked() -> None:
    class LockedBackend(DictBackend):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("locked")

    store = ProfileStore(KeyringVault(LockedBackend()), cross_process=False)
    with pytest.raises(KeyringLockedError):
        await store.scan()
    store.close()


def test_the_test_keyring_fails_on_request_the_first_n_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL", "set")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL_TIMES", "2")
    vault = KeyringVault(FileKeyring())
    for _ in range(2):
        with pytest.raises(StoreError, match="NoReply"):
            vault.set("profile/x", "{}")
    vault.set("profile/x", "{}")
    assert vault.get("profile/x") == "{}"
