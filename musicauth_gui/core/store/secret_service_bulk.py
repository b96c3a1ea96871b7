"""musicauth's items in the Secret Service, read on jeepney alone: the listing and single reads.

keyring's Secret Service backend opens a D-Bus connection, finds the collection, checks its lock
and opens an encrypted session for every ``get_password`` (about 19 ms each on gnome-keyring),
and importing keyring and secretstorage costs ~30 ms more (keyring ~21 ms even with what
``keyring_import.py`` defers; secretstorage imports cryptography's AES for its session). Here,
on one connection: the window's first listing is one ``SearchItems`` by the attributes keyring
stores (``service``, or ``Title`` in its KeePassXC scheme), one ``Attributes`` read per item to
learn its key (sent at once, answered at once), one session and one ``Service.GetSecrets`` for
all the values; a single read (``musicauth token``, the engine's ``get``) is one
``SearchItems`` and one ``GetSecret``.

The session is a "plain" one (``OpenSession("plain", "")``): the values cross the user's own
session bus unencrypted instead of AES-encrypted under a Diffie-Hellman key, so cryptography is
never imported. Why that is acceptable: the bus is the user's, and any process of the same user
may ask the service for the same secret; the specification says its transport encryption "is not
envisioned to withstand man in the middle attacks", only to keep plain text out of memory and
swap, "of questionable value" for a Python client, whose own copies are paged like any memory
(specifications.freedesktop.org/secret-service, "Transfer of Secrets"), and it "strongly
recommends" that every service support plain. Precedent: zalando/go-keyring, the keyring of
GitHub's ``gh`` (cli/cli ``internal/keyring/keyring.go``), opens every session as
``OpenSession("plain", "")`` (``secret_service/secret_service.go``). What it changes: the bytes
of a value pass through the bus daemon unencrypted, so a bus monitor run by the same user (who
could ask the service anyway) sees them. Writes take the same session
(``secret_service_write``).

It answers exactly what keyring's ``get_password`` would, or not at all: any item it cannot
vouch for (a key stored twice, where keyring takes whichever its own search returns first; a
value that is not UTF-8, which keyring fails on; an item the service would not hand over) is
left out by name (``BulkRead.unsure``, ``Unsure``), for the caller to read through keyring.
Every other failure raises ``BulkReadUnavailable``: a locked collection (``CollectionLocked``:
keyring shows the desktop's unlock prompt, this module shows none), a service that refuses a
plain session, a missing collection (keyring creates the default one), any D-Bus error; the
caller then reads through keyring, which reports the failure in its own words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..record import frozen_record

if TYPE_CHECKING:
    from jeepney import Message
    from jeepney.io.blocking import DBusConnection

BUS_NAME = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
#: The collection keyring's backend reads without a ``preferred_collection``.
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
#: The Secret Service's interfaces and property names begin so.
INTERFACE_PREFIX = "org.freedesktop.Secret."
#: The ``application`` attribute keyring's backend writes on each item (``SecretService.Keyring.appid``).
KEYRING_APPLICATION = "Python keyring library"
#: The session algorithm: no encryption (see the module's docstring for why that is acceptable).
ALGORITHM = "plain"
#: Attribute reads sent before their answers are read: enough to hide the round trips, few
#: enough that neither side's socket buffer fills while the other waits.
_BATCH = 64

T = TypeVar("T")


class BulkReadUnavailable(Exception):
    """The read failed or does not apply; read through keyring instead (the message names no value)."""


class CollectionLocked(BulkReadUnavailable):
    """The collection is locked: keyring's backend shows the desktop's unlock prompt, this reader does not."""


class Unsure(BulkReadUnavailable):
    """This key's answer is keyring's to give (stored twice, not UTF-8, held back by the service)."""


# Records, not dataclasses: ``@dataclass`` compiles the two classes' methods (~0.35 ms before
# `musicauth token` and `refresh` read on this path; core/record.py).
@frozen_record
class Target:
    """Where keyring's backend keeps its items: its collection, its scheme's attribute names and
    the ``application`` attribute it writes (its ``appid``)."""

    collection: str = DEFAULT_COLLECTION
    service_attribute: str = "service"
    username_attribute: str = "username"
    application: str = KEYRING_APPLICATION

    @classmethod
    def of_backend(cls, backend: Any) -> Target:
        """The target of keyring's ``SecretService.Keyring`` ``backend`` (its scheme,
        ``preferred_collection`` and ``appid``), or ``BulkReadUnavailable`` if it is not one."""
        try:
            scheme = backend.schemes[backend.scheme]
            preferred: str | None = getattr(backend, "preferred_collection", None)
            return cls(preferred or DEFAULT_COLLECTION, scheme["service"], scheme["username"], str(backend.appid))
        except (AttributeError, KeyError, TypeError) as exc:
            raise BulkReadUnavailable(f"not keyring's Secret Service backend ({type(exc).__name__})") from exc


#: keyring's default scheme and collection.
DEFAULT_TARGET = Target()


@frozen_record
class BulkRead:
    """What one bulk read found for a service (its containers are filled in place).

    Attributes:
        values: key (keyring's username) -> the value ``get_password`` returns for it.
        unsure: keys present in the service that ``values`` leaves out: read them through keyring.
    """

    values: dict[str, str] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)


def service_reachable() -> bool:
    """Whether the session bus has a Secret Service, running or activatable: the check keyring's
    ``SecretService.Keyring.priority`` makes (secretstorage's ``check_service_availability``),
    without importing either. False on any failure (no bus, no jeepney), as that check raises then.
    """
    try:
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus="SESSION") as connection:
            (owned,) = _reply(connection.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME)))
            if owned:
                return True
            (activatable,) = _reply(connection.send_and_get_reply(message_bus.ListActivatableNames()))
            return BUS_NAME in activatable
    except Exception:  # noqa: BLE001 - keyring's check fails on any of them; so does this one
        return False


class SecretServiceReader:
    """Reads of one collection on one D-Bus connection, opened at the first read; a context
    manager (closing the connection also closes the session, on the service's side).

    Blocking: run it on the store's worker thread (or the only thread, ``musicauth token``).
    """

    def __init__(self, target: Target = DEFAULT_TARGET) -> None:
        self._target = target
        self._connection: DBusConnection | None = None
        self._session: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        # A session lives on its connection: the next read opens both again (a stale session
        # path would be NoSession, and every later read of this reader would go to keyring).
        self._session = None

    def entry(self, service: str, key: str) -> str | None:
        """What keyring's ``get_password(service, key)`` returns (None: no such item).

        Raises:
            Unsure: keyring's answer may differ from this reader's: ask keyring.
            BulkReadUnavailable: nothing is known (``CollectionLocked`` among them).
        """
        return self._guarded(lambda: self._entry(service, key))

    def entries(self, service: str, *, wanted: Callable[[str], bool] = lambda key: True) -> BulkRead:
        """Every item stored under ``service`` whose key (less a part's ``#n``) is ``wanted``: a
        listing of profiles has no use for private keys, so their values are never read for it.

        Raises:
            BulkReadUnavailable: nothing is known (``CollectionLocked`` among them).
        """
        return self._guarded(lambda: self._entries(service, wanted))

    def _entry(self, service: str, key: str) -> str | None:
        t = self._target
        (paths,) = self._call(t.collection, "Collection", "SearchItems", "a{ss}", {t.username_attribute: key, t.service_attribute: service})
        if not paths:
            return None
        if len(paths) > 1:
            raise Unsure("the key is stored twice")
        (secret,) = self._call(paths[0], "Item", "GetSecret", "o", self._plain_session())
        return _text(secret)

    def _entries(self, service: str, wanted: Callable[[str], bool]) -> BulkRead:
        # The same search keyring's get_password makes, less the username.
        (paths,) = self._call(self._target.collection, "Collection", "SearchItems", "a{ss}", {self._target.service_attribute: service})
        found = BulkRead()
        if not paths:
            return found
        keys: dict[str, str] = {}  # item path -> key
        seen: set[str] = set()
        for path, (attributes,) in zip(paths, self._attributes(paths), strict=True):
            key = attributes.get(self._target.username_attribute)
            if key is None:
                continue  # not one keyring wrote: get_password never finds it
            if not wanted(key.partition("#")[0]):
                continue
            if key in seen:
                found.unsure.add(key)  # stored twice: which one keyring returns is its search's order
            seen.add(key)
            keys[path] = key
        if not keys:
            return found
        (secrets,) = self._call(SERVICE_PATH, "Service", "GetSecrets", "aoo", list(keys), self._plain_session())
        for path, key in keys.items():
            if key in found.unsure:
                continue
            if path not in secrets:  # vanished since the search, or locked on its own
                found.unsure.add(key)
                continue
            try:
                found.values[key] = _text(secrets[path])
            except Unsure:
                found.unsure.add(key)
        return found

    # -- D-Bus --------------------------------------------------------------------------------

    def _guarded(self, read: Callable[[], T]) -> T:
        """``read()``, every failure in it a ``BulkReadUnavailable`` (ours pass as they are);
        the connection is closed after a failure, since answers may be left unread on it."""
        try:
            return read()
        except Unsure:
            raise
        except BulkReadUnavailable:
            self.close()
            raise
        except Exception as exc:  # jeepney's DBusErrorResponse, OSError from the socket, ...
            self.close()
            # A D-Bus error's name (never a value), else the exception's type.
            raise BulkReadUnavailable(str(getattr(exc, "name", None) or type(exc).__name__)) from exc

    def _open(self) -> DBusConnection:
        if self._connection is None:
            from jeepney.io.blocking import open_dbus_connection

            self._connection = open_dbus_connection(bus="SESSION")
            # keyring's get_preferred_collection: a locked collection means its unlock prompt.
            if self._property(self._target.collection, "Collection", "Locked"):
                raise CollectionLocked("the collection is locked")
        return self._connection

    def _plain_session(self) -> str:
        if self._session is None:
            # keyring's backend (through secretstorage) asks for "dh-ietf1024-sha256-aes128-cbc-pkcs7";
            # a service that refuses "plain" answers NotSupported: keyring reads then.
            _output, path = self._call(SERVICE_PATH, "Service", "OpenSession", "sv", ALGORITHM, ("s", ""))
            self._session = str(path)
        return self._session

    def _call(self, path: str, interface: str, method: str, signature: str, *body: Any) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(path, bus_name=BUS_NAME, interface=INTERFACE_PREFIX + interface)
        return _reply(self._open().send_and_get_reply(new_method_call(address, method, signature, body)))

    def _property(self, path: str, interface: str, name: str) -> Any:
        from jeepney import DBusAddress, Properties

        message = Properties(DBusAddress(path, bus_name=BUS_NAME, interface=INTERFACE_PREFIX + interface)).get(name)
        ((_signature, value),) = _reply(self._open().send_and_get_reply(message))
        return value

    def _attributes(self, paths: Sequence[str]) -> Iterator[tuple[dict[str, str]]]:
        """Each item's ``Attributes``, the calls sent in batches before their answers are read:
        each is a round trip through the bus to the service (~0.1 ms), fifty of them one after
        the other the better part of the listing."""
        from jeepney import DBusAddress, HeaderFields, Properties

        connection = self._open()
        for start in range(0, len(paths), _BATCH):
            serials: dict[int, int] = {}
            for i, path in enumerate(paths[start : start + _BATCH]):
                serial = next(connection.outgoing_serial)
                item = DBusAddress(path, bus_name=BUS_NAME, interface=INTERFACE_PREFIX + "Item")
                connection.send(Properties(item).get("Attributes"), serial=serial)
                serials[serial] = i
            answers: list[Any] = [None] * len(serials)
            while serials:
                message = connection.receive()
                i = serials.pop(message.header.fields.get(HeaderFields.reply_serial, -1), -1)
                if i >= 0:
                    ((_signature, value),) = _reply(message)
                    answers[i] = (value,)
            yield from answers


def _reply(message: Message) -> Any:
    from jeepney import MessageType
    from jeepney.wrappers import DBusErrorResponse

    if message.header.message_type == MessageType.error:
        raise DBusErrorResponse(message)
    return message.body


def _text(secret: tuple[str, bytes, bytes, str]) -> str:
    """A plain session's ``(session, parameters, value, content type)`` as keyring decodes it."""
    try:
        return bytes(secret[2]).decode("utf-8")
    except UnicodeDecodeError as exc:  # keyring's get_password raises here: let it, with its own error
        raise Unsure("not UTF-8") from exc
