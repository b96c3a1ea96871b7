"""The store against a real Secret Service (gnome-keyring on a private D-Bus session).

tests/run starts the suite under ``dbus-run-session`` with an unlocked gnome-keyring and sets
MUSICAUTH_EXPECT_REAL_KEYRING=1, so in CI these tests fail rather than skip when the service is
missing. Run by hand without it, they skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault

pytestmark = pytest.mark.real_keyring


def test_backend_is_the_secret_service(secret_service) -> None:  # type: ignore[no-untyped-def]
    vault = KeyringVault()  # the real discovery path, as the app runs it
    assert vault.backend_name == "keyring.backends.SecretService.Keyring"


@pytest.mark.parametrize("desktop", ["GNOME", "KDE"])
def test_the_secret_service_is_chosen_without_discovery_outside_kde(secret_service, desktop: str) -> None:  # type: ignore[no-untyped-def]
    """A fresh interpreter, as the app starts: on Linux in a D-Bus session the Secret Service is
    taken directly (keyring's discovery imports every backend, macOS's included); under KDE,
    where KWallet may outrank it, discovery decides (and finds the Secret Service here)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["XDG_CURRENT_DESKTOP"] = desktop
    code = (
        "import sys\n"
        "from musicauth_gui.core.store.vault import KeyringVault, secret_service_directly\n"
        "direct = secret_service_directly()\n"
        "print(direct, 'keyring' in sys.modules, KeyringVault().backend_name, 'keyring.backends.macOS' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    discovered = desktop == "KDE"
    # Outside KDE the decision is made without keyring (jeepney asks the bus), and agrees.
    assert out.stdout.split() == [str(not discovered), "False", "keyring.backends.SecretService.Keyring", str(discovered)]


async def test_profile_round_trip_through_gnome_keyring(secret_service) -> None:  # type: ignore[no-untyped-def]
    store = ProfileStore(KeyringVault(secret_service))
    name = f"real-{os.getpid()}-{time.time_ns()}"
    big_token = "t" * 20000  # larger than any Windows part: one value here, whatever the size
    record = ProfileRecord(
        profile=Profile(name=name, provider="musixmatch", flow="client_credentials", client_id="cid"),
        client_secret=Secret("secret-in-gnome-keyring"),
        token=TokenSet(access_token=Secret(big_token), issued_at=1, expires_at=10**10),
    )
    try:
        await store.save(record)
        other = ProfileStore(KeyringVault(secret_service))
        loaded = await other.load(name)
        assert loaded.client_secret == Secret("secret-in-gnome-keyring")
        assert loaded.token is not None and loaded.token.access_token.reveal() == big_token
        assert name in await other.names()
        other.close()
        # The value really sits in the Secret Service, under our service name.
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            items = secretstorage.get_default_collection(connection).search_items({"service": "musicauth"})
            usernames = {item.get_attributes().get("username") for item in items}
        finally:
            connection.close()
        assert f"profile/{name}" in usernames
    finally:
        await store.delete(name)
        store.close()


def test_cli_uses_the_secret_service(secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    profiles = tmp_path / "p.toml"
    name = f"cli-{os.getpid()}"
    profiles.write_text(
        f'[profiles.{name}]\nprovider = "musixmatch"\nflow = "client_credentials"\n'
        'client_id = "id"\nclient_secret = "only-in-the-keyring"\ntoken_endpoint = "http://127.0.0.1:9/oauth/token"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "musicauth_gui.cli", *a], env=env, capture_output=True, text=True, timeout=60)  # noqa: E731
    try:
        assert run("profile", "import", str(profiles)).returncode == 0
        listed = run("profile", "list")
        assert name in listed.stdout
        exported = run("profile", "export", name)
        assert "only-in-the-keyring" not in exported.stdout
    finally:
        run("profile", "remove", name)
