"""The jeepney writer (``secret_service_write``) against gnome-keyring: ``KeyringVault.set`` on
the Secret Service writes the very item keyring's ``set_password`` writes, replaces the item
keyring wrote, is read back by keyring, and leaves to keyring what it cannot do.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from musicauth_gui.core.store import secret_service_write
from musicauth_gui.core.store.secret_service_bulk import CollectionLocked
from musicauth_gui.core.store.vault import SERVICE, KeyringVault

pytestmark = pytest.mark.real_keyring


@pytest.fixture
def keys(secret_service) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Fresh keys, whatever the test left under them deleted afterwards."""
    made = [f"write-{os.getpid()}-{time.time_ns()}-{i}" for i in range(3)]
    yield made
    import keyring.errors

    for key in made:
        for _ in range(3):  # a failed test may have left more than one item
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                secret_service.delete_password(SERVICE, key)


def items(key: str) -> list[dict[str, Any]]:
    """Every item stored under ``key``, as the service describes it (through secretstorage)."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        return [
            {
                "label": item.get_label(),
                "attributes": item.get_attributes(),
                "secret": item.get_secret(),
                "content_type": item.get_secret_content_type(),
            }
            for item in collection.search_items({"service": SERVICE, "username": key})
        ]
    finally:
        connection.close()


def direct_only(vault: KeyringVault, monkeypatch: pytest.MonkeyPatch) -> None:
    """``vault`` with keyring's writes switched off: a write that passes went the direct way."""

    def refuse(method: str, *args: str) -> str | None:
        raise AssertionError(f"keyring's {method} was called")

    monkeypatch.setattr(vault, "_call", refuse)


def test_a_write_is_the_item_keyring_writes(secret_service, keys: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = keys[0], keys[1]
    vault = KeyringVault(secret_service)
    assert vault._target is not None, "not on the Secret Service's direct path"
    direct_only(vault, monkeypatch)
    value = '{"name":"caf\u00e9 \u266b","token":"' + "x" * 5000 + '"}'  # not ASCII, and long

    vault.set(ours, value)
    secret_service.set_password(SERVICE, theirs, value)

    (written,) = items(ours)
    (reference,) = items(theirs)
    assert written["label"] == reference["label"].replace(theirs, ours)
    assert written["attributes"] == {**reference["attributes"], "username": ours}
    assert (written["secret"], written["content_type"]) == (reference["secret"], reference["content_type"])
    assert secret_service.get_password(SERVICE, ours) == value
    assert vault.get(ours) == value


def test_a_write_replaces_the_item_keyring_wrote_and_its_own(secret_service, keys: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    key = keys[0]
    vault = KeyringVault(secret_service)
    direct_only(vault, monkeypatch)
    secret_service.set_password(SERVICE, key, "written by keyring")

    vault.set(key, "rotated once")
    vault.set(key, "rotated twice")

    assert [item["secret"] for item in items(key)] == [b"rotated twice"]
    assert secret_service.get_password(SERVICE, key) == "rotated twice"


def test_what_the_writer_cannot_do_is_keyrings(secret_service, keys: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A locked collection (keyring shows the unlock prompt), a prompt to create the item: the
    value is written through keyring, once."""
    vault = KeyringVault(secret_service)
    real_call = KeyringVault._call
    calls: list[str] = []

    def counted(self: KeyringVault, method: str, *args: str) -> str | None:
        calls.append(method)
        return real_call(self, method, *args)

    monkeypatch.setattr(KeyringVault, "_call", counted)
    refusals = (CollectionLocked("the collection is locked"), secret_service_write.PromptNeeded("a prompt"))
    for key, refusal in zip(keys, refusals, strict=False):
        calls.clear()

        def refuse(self: Any, service: str, key: str, value: str, refusal: Exception = refusal) -> None:
            raise refusal

        monkeypatch.setattr(secret_service_write.SecretServiceWriter, "_store", refuse)

        vault.set(key, f"value of {key}")

        assert calls == ["set_password"]
        assert [item["secret"] for item in items(key)] == [f"value of {key}".encode()]


WRITE_AND_REPORT = """
import sys
from musicauth_gui.core.store.vault import KeyringVault
vault = KeyringVault()
vault.set(sys.argv[1], "written in a fresh process")
print(" ".join(m for m in ("keyring", "secretstorage", "cryptography") if m in sys.modules))
print(" ".join(m for m in ("musicauth_gui.core.store.secret_service_write", "jeepney") if m in sys.modules))
"""


def test_a_fresh_process_writes_without_keyring(secret_service, keys: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As ``musicauth refresh`` stores its tokens on a desktop: keyring, secretstorage and
    cryptography (~35 ms of imports) are never imported, and keyring reads the value back."""
    assert "PYTHON_KEYRING_BACKEND" not in os.environ
    env = {**os.environ, "XDG_CURRENT_DESKTOP": "GNOME", "XDG_CONFIG_HOME": str(tmp_path)}  # no keyringrc
    result = subprocess.run([sys.executable, "-c", WRITE_AND_REPORT, keys[0]], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    unwanted, wanted = result.stdout.splitlines()
    assert unwanted == ""
    assert wanted.split() == ["musicauth_gui.core.store.secret_service_write", "jeepney"]
    assert secret_service.get_password(SERVICE, keys[0]) == "written in a fresh process"
