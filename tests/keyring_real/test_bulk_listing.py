"""The jeepney reader (``secret_service_bulk``) against gnome-keyring: the listing's bulk read
(``KeyringVault.snapshot``) and the single reads (``KeyringVault.get`` on the Secret Service).

Whatever either answers must be exactly what keyring's per-item ``get_password`` answers:
values, multi-part entries, damaged and incomplete ones, a key stored twice, a value that is not
UTF-8, an item without keyring's username attribute, a key that is not there.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from musicauth_gui.core.errors import KeyringLockedError, MusicAuthError, StoreError
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore, profile_key
from musicauth_gui.core.store.vault import SERVICE, KeyringVault

pytestmark = pytest.mark.real_keyring


def keyring_reads(backend: object) -> KeyringVault:
    """A vault that reads through keyring alone, as before the jeepney reader: the reference."""
    vault = KeyringVault(backend)
    vault._target = None
    return vault


def outcome(read: Callable[[str], str | None], key: str) -> tuple[str, Any]:
    """What reading ``key`` gives, comparable across readers: a value, or an error's type and words."""
    try:
        return ("value", read(key))
    except MusicAuthError as exc:
        return (type(exc).__name__, exc.message)


def record(name: str, token: str = "tok") -> ProfileRecord:
    return ProfileRecord(
        profile=Profile(name=name, provider="musixmatch", flow="client_credentials", client_id="cid"),
        client_secret=Secret("cs"),
        token=TokenSet(access_token=Secret(token), issued_at=1, expires_at=10**10),
    )


@pytest.fixture
def raw_items(secret_service) -> Iterator[Callable[[str, bytes], None]]:  # type: ignore[no-untyped-def]
    """Write items the way keyring does, but also ones keyring never would (duplicates, bytes)."""
    import secretstorage

    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    made: list[Any] = []

    def add(key: str, value: bytes, *, username_attribute: str = "username") -> None:
        attributes = secret_service._query(SERVICE, key, application=secret_service.appid)
        attributes[username_attribute] = attributes.pop("username")  # "user": not keyring's
        made.append(collection.create_item(f"test {key}", attributes, value, replace=False))

    yield add
    from secretstorage.exceptions import ItemNotFoundException

    for item in made:
        with contextlib.suppress(ItemNotFoundException):  # the test may have deleted it through keyring
            item.delete()
    connection.close()


def test_snapshot_answers_what_per_item_reads_answer(secret_service, raw_items) -> None:  # type: ignore[no-untyped-def]
    prefix = f"bulk-{os.getpid()}-{time.time_ns()}"
    chunked = KeyringVault(secret_service, chunk_chars=50)  # Windows-style parts, on this keyring
    keys = {
        "plain": f"{prefix}/plain",
        "parts": f"{prefix}/parts",
        "bad-marker": f"{prefix}/bad-marker",
        "incomplete": f"{prefix}/incomplete",
        "not-json": f"{prefix}/not-json",
        "twice": f"{prefix}/twice",
        "not-utf8": f"{prefix}/not-utf8",
        "no-username": f"{prefix}/no-username",
        "absent": f"{prefix}/absent",
    }
    try:
        chunked.set(keys["plain"], '{"a":1}')
        chunked.set(keys["parts"], "p" * 120 + "é" * 30 + "q" * 7)  # 4 parts
        secret_service.set_password(SERVICE, keys["bad-marker"], "musicauth-parts:99999999")
        chunked.set(keys["incomplete"], "x" * 160)
        secret_service.delete_password(SERVICE, keys["incomplete"] + "#2")
        secret_service.set_password(SERVICE, keys["not-json"], "not json at all")
        raw_items(keys["twice"], b"first")
        raw_items(keys["twice"], b"second")
        raw_items(keys["not-utf8"], b"\xff\xfe")
        raw_items(keys["no-username"], b"not keyring's", username_attribute="user")

        reference = keyring_reads(secret_service)
        vault = KeyringVault(secret_service)
        snapshot = vault.snapshot()
        assert snapshot is not vault, "the bulk path was not taken"
        every = [*keys.values(), keys["parts"] + "#1", keys["incomplete"] + "#3", "index"]
        for key in every:
            expected = outcome(reference.get, key)
            assert outcome(snapshot.get, key) == expected, key
            assert outcome(vault.get, key) == expected, key
        # The expected cases really are what they claim (not all "None == None").
        assert outcome(reference.get, keys["plain"]) == ("value", '{"a":1}')
        assert outcome(reference.get, keys["parts"]) == ("value", "p" * 120 + "é" * 30 + "q" * 7)
        assert outcome(reference.get, keys["bad-marker"])[0] == "EntryDamaged"
        assert outcome(reference.get, keys["incomplete"])[0] == "EntryDamaged"
        assert outcome(reference.get, keys["absent"]) == ("value", None)
        assert outcome(reference.get, keys["no-username"]) == ("value", None)
        assert outcome(reference.get, keys["twice"]) in {("value", "first"), ("value", "second")}
        assert outcome(reference.get, keys["not-utf8"])[0] == StoreError.__name__
    finally:
        for key in keys.values():
            KeyringVault(secret_service).delete(key)


def test_a_service_refusing_plain_sessions_is_read_through_keyring(secret_service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """gnome-keyring answers an algorithm it does not know with NotSupported, as a service
    without plain sessions would answer "plain": every read is then keyring's, with its answer."""
    from musicauth_gui.core.store import secret_service_bulk

    key = f"refused-{os.getpid()}-{time.time_ns()}"
    vault = KeyringVault(secret_service)
    try:
        vault.set(key, "through keyring")
        monkeypatch.setattr(secret_service_bulk, "ALGORITHM", "not-an-algorithm")
        with pytest.raises(secret_service_bulk.BulkReadUnavailable, match="NotSupported"):
            with secret_service_bulk.SecretServiceReader() as reader:
                reader.entry(SERVICE, key)
        assert vault.get(key) == "through keyring"
        assert vault.snapshot() is vault  # the listing reads entry by entry, through keyring
    finally:
        vault.delete(key)


async def test_scan_lists_through_one_bulk_read(secret_service) -> None:  # type: ignore[no-untyped-def]
    prefix = f"scan-{os.getpid()}-{time.time_ns()}"
    names = [f"{prefix}-{i}" for i in range(6)]
    writer = ProfileStore(KeyringVault(secret_service, chunk_chars=300))  # some records in parts
    try:
        for i, name in enumerate(names[:5]):
            await writer.save(record(name, token="t" * (100 * i + 1)))
        await writer.save(record(names[5]))
        secret_service.set_password(SERVICE, profile_key(names[5]), "musicauth-parts:0")  # damaged

        vault = KeyringVault(secret_service)
        store = ProfileStore(vault)
        listing = await store.scan()
        assert vault.calls == 1, "scan read entry by entry instead of once"

        per_item = keyring_reads(secret_service)
        per_item.snapshot = lambda wanted=None: per_item  # type: ignore[method-assign]
        reference = ProfileStore(per_item)
        expected = await reference.scan()
        assert per_item.calls > len(names)
        assert listing == expected
        ours = [r for r in listing.records if r.name.startswith(prefix)]
        assert [r.name for r in ours] == names[:5]
        assert ours[4].token is not None and ours[4].token.access_token.reveal() == "t" * 401
        assert [d.name for d in listing.damaged if d.name.startswith(prefix)] == [names[5]]
        store.close()
        reference.close()
    finally:
        for name in names:
            await writer.delete(name)
        writer.close()


@pytest.fixture
def locked_collection(secret_service) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second collection with a known password, locked; the backend prefers it for the test.

    gnome-keyring's own interface creates and unlocks it without a prompt (there is no display
    for one here); the default collection, which the other tests use, is never locked.
    """
    import secretstorage
    from secretstorage.util import DBusAddressWrapper, format_secret, open_session

    connection = secretstorage.dbus_init()
    internal = DBusAddressWrapper(
        "/org/freedesktop/secrets", "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface", connection
    )
    session = open_session(connection)
    password = format_secret(session, b"test-only", "text/plain")
    (path,) = internal.call(
        "CreateWithMasterPassword", "a{sv}(oayays)", {"org.freedesktop.Secret.Collection.Label": ("s", "musicauth-locked")}, password
    )
    collection = secretstorage.Collection(connection, path)
    collection.lock()
    secret_service.preferred_collection = path
    yield path
    del secret_service.preferred_collection
    internal.call("UnlockWithMasterPassword", "o(oayays)", path, password)
    collection.delete()
    connection.close()


def test_locked_collection_is_the_locked_keyring_error(secret_service, locked_collection) -> None:  # type: ignore[no-untyped-def]
    vault = KeyringVault(secret_service)
    # The unlock prompt cannot show without a display, so it counts as dismissed: exactly as
    # keyring's own read reports it, the error the window offers its unlock banner for.
    with pytest.raises(KeyringLockedError):
        vault.snapshot()
    with pytest.raises(KeyringLockedError):
        vault.get("index")
    with warnings.catch_warnings():
        # keyring's get_preferred_collection leaves its D-Bus connection open when it raises
        # KeyringLocked (keyring 25.7): its leak, not ours; the bulk read closes its own.
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_a_listing_reads_no_private_key(secret_service) -> None:  # type: ignore[no-untyped-def]
    """The listing's bulk read decrypts the index and the profiles only: a private key's value
    never comes into memory for it, yet the same reader still answers for it (through keyring)."""
    from musicauth_gui.core.store.profile_store import _is_listing_entry
    from musicauth_gui.core.store.secret_service_bulk import SecretServiceReader, Target

    prefix = f"keys-{os.getpid()}-{time.time_ns()}"
    vault = KeyringVault(secret_service)
    key_entry, profile_entry = f"key/{prefix}", profile_key(prefix)
    try:
        vault.set(key_entry, '{"pem": "not really a key"}')
        vault.set(profile_entry, '{"a": 1}')
        with SecretServiceReader(Target.of_backend(secret_service)) as reader:
            found = reader.entries(SERVICE, wanted=_is_listing_entry)
        assert profile_entry in found.values and key_entry not in found.values
        snapshot = vault.snapshot(_is_listing_entry)
        assert snapshot.get(key_entry) == '{"pem": "not really a key"}'  # asked for: read on demand
    finally:
        vault.delete(key_entry)
        vault.delete(profile_entry)


def test_a_reader_reads_again_once_its_connection_is_gone(secret_service) -> None:  # type: ignore[no-untyped-def]
    """A failed call closes the reader's connection (``_guarded``); the next read opens a new one
    with a new session, rather than naming the old session (NoSession, and keyring for the rest)."""
    from musicauth_gui.core.store.secret_service_bulk import SecretServiceReader, Target

    key = "reader-reopens"
    secret_service.set_password(SERVICE, key, "value")
    try:
        with SecretServiceReader(Target()) as reader:
            assert reader.entry(SERVICE, key) == "value"
            reader.close()  # as after a failed call
            assert reader.entry(SERVICE, key) == "value"
    finally:
        secret_service.delete_password(SERVICE, key)
