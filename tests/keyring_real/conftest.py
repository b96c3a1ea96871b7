"""The real Secret Service the tests in this folder share (tests/run starts it)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        if os.environ.get("MUSICAUTH_EXPECT_REAL_KEYRING"):
            pytest.fail("no D-Bus session: tests/run should have started one with gnome-keyring")
        pytest.skip("no D-Bus session bus (run through tests/run)")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    import keyring
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    return backend
