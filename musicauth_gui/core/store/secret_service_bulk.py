"""Every musicauth item of the Secret Service in one D-Bus connection: the window's first listing.

keyring's Secret Service backend opens a D-Bus connection, finds the collection, checks its lock
and opens an encrypted session for every ``get_password``: about 19 ms each on gnome-keyring,
so 50 profiles cost about 0.9 s before the list can fill. Here, on one connection: one
``SearchItems`` by the attributes keyring stores (``service``, or ``Title`` in its KeePassXC
scheme), one ``Attributes`` read per item to learn its key (local, a fraction of a millisecond
each), one session, and one ``Service.GetSecrets`` for all the values (about 16 ms for 50).

It answers exactly what keyring's ``get_password`` would, or not at all: any item it cannot
vouch for (a key stored twice, where keyring takes whichever its own search returns first; a
value that is not UTF-8, which keyring fails on) is left out by name, for the caller to read
through keyring. Every other failure raises ``BulkReadUnavailable``, and the caller reads
through keyring instead; only a locked collection whose unlock prompt was dismissed raises
keyring's own ``KeyringLocked``, as ``get_password`` would (``KeyringVault`` turns it into
``KeyringLockedError``, which the window answers with its unlock banner, ``unlock.py``).

``secretstorage`` (which keyring's backend stands on) is imported on the first call only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class BulkReadUnavailable(Exception):
    """The bulk read failed or does not apply; read item by item through keyring instead."""


@dataclass
class BulkRead:
    """What one bulk read found for a service.

    Attributes:
        values: key (keyring's username) -> the value ``get_password`` returns for it.
        unsure: keys present in the service that ``values`` leaves out: read them through keyring.
    """

    values: dict[str, str] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)


def read_service(backend: Any, service: str, *, wanted: Callable[[str], bool] = lambda key: True) -> BulkRead:
    """Every item ``backend`` (keyring's SecretService.Keyring) stores under ``service`` whose
    key (less a part's ``#n``) is ``wanted``: a listing of profiles has no use for private keys,
    so their values are never decrypted into memory for it.

    Blocking: run it on the store's worker thread. The collection is the backend's own
    (its ``preferred_collection``, else the default one, unlocked through the desktop's prompt
    when locked, as ``get_preferred_collection`` does), so the items are the ones its ``get_password`` would search.

    Raises:
        keyring.errors.KeyringLocked: the collection is locked and the prompt was dismissed.
        BulkReadUnavailable: anything else went wrong; nothing is known.
    """
    import keyring.errors

    try:
        scheme = backend.schemes[backend.scheme]
        preferred: str | None = getattr(backend, "preferred_collection", None)
    except (AttributeError, KeyError, TypeError) as exc:
        raise BulkReadUnavailable(f"not keyring's Secret Service backend ({type(exc).__name__})") from exc
    try:
        import secretstorage

        connection = secretstorage.dbus_init()
    except Exception as exc:  # no bus, no secretstorage: keyring's own read reports it better
        raise BulkReadUnavailable(type(exc).__name__) from exc
    try:
        collection = _unlocked_collection(secretstorage, connection, preferred)
        return _read(
            collection, service_attribute=scheme["service"], username_attribute=scheme["username"], service=service, wanted=wanted
        )
    except (keyring.errors.KeyringLocked, BulkReadUnavailable):
        raise
    except Exception as exc:  # secretstorage and jeepney raise their own (D-Bus) errors
        raise BulkReadUnavailable(type(exc).__name__) from exc
    finally:
        connection.close()


def _unlocked_collection(secretstorage: Any, connection: Any, preferred: str | None) -> Any:
    """keyring's ``get_preferred_collection`` step by step, on our connection (keyring's own
    leaves its connection open when the prompt is dismissed)."""
    import keyring.errors

    if preferred is not None:
        collection = secretstorage.Collection(connection, preferred)
    else:
        collection = secretstorage.get_default_collection(connection)
    if collection.is_locked():
        collection.unlock()  # the desktop's prompt, as keyring shows it
        if collection.is_locked():  # dismissed
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
    return collection


def _read(
    collection: Any, *, service_attribute: str, username_attribute: str, service: str, wanted: Callable[[str], bool]
) -> BulkRead:
    from secretstorage.defines import SS_PATH, SS_PREFIX
    from secretstorage.util import DBusAddressWrapper, open_session

    connection = collection.connection
    # Collection.SearchItems: the same search keyring's get_password makes, less the username.
    (paths,) = collection._collection.call("SearchItems", "a{ss}", {service_attribute: service})
    found = BulkRead()
    if not paths:
        return found
    keys: dict[str, str] = {}  # item path -> key
    seen: set[str] = set()
    for path in paths:
        item = DBusAddressWrapper(path, SS_PREFIX + "Item", connection)
        key = item.get_property("Attributes").get(username_attribute)
        if key is None:
            continue  # not one keyring wrote: get_password never finds it
        if not wanted(key.partition("#")[0]):
            continue
        if item.get_property("Locked"):
            # keyring would unlock the item through a prompt before reading it: let it.
            raise BulkReadUnavailable("an item is locked")
        if key in seen:
            found.unsure.add(key)  # stored twice: which one keyring returns is its search's order
        seen.add(key)
        keys[path] = key
    session = open_session(connection)
    service_object = DBusAddressWrapper(SS_PATH, SS_PREFIX + "Service", connection)
    (secrets,) = service_object.call("GetSecrets", "aoo", list(keys), session.object_path)
    for path, key in keys.items():
        if key in found.unsure:
            continue
        if path not in secrets:  # vanished between the two calls
            found.unsure.add(key)
            continue
        try:
            found.values[key] = _decrypt(session, secrets[path]).decode("utf-8")
        except UnicodeDecodeError:
            found.unsure.add(key)  # keyring's get_password raises here: let it, with its own error
    return found


def _decrypt(session: Any, secret: tuple[str, bytes, bytes, str]) -> bytes:
    """A ``(session, parameters, value, content type)`` struct's plain value, as
    ``secretstorage.Item.get_secret`` decodes it (AES-128-CBC with PKCS#7 padding, or plain)."""
    if not session.encrypted:
        return bytes(secret[2])
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(session.aes_key), modes.CBC(bytes(secret[1]))).decryptor()
    padded = decryptor.update(bytes(secret[2])) + decryptor.finalize()
    return padded[: -padded[-1]]
