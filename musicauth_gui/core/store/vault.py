"""Where secrets rest: the OS keyring, behind a three-call interface.

``SecretVault`` is what the profile store needs (get, set, delete of string values); a vault
may also offer ``snapshot()``, a reader of every entry at once for a listing. Two
implementations: ``KeyringVault`` over the ``keyring`` package (the only one the app uses for
real), and ``MemoryVault`` for tests and ``--demo``.

Keyring facts that shape this module (CONTRIBUTING.md, "The keyring"):
- every call is a round trip (about 20 ms on Secret Service, whatever the size), so the store
  keeps few, larger values;
- Windows Credential Locker refuses values over 2,560 bytes of UTF-16, so a larger value is
  split into numbered parts transparently;
- calls can block on an unlock prompt, and backends are not reliably thread-safe: callers run
  them on one dedicated worker thread (``ProfileStore`` does).
"""

from __future__ import annotations

import _thread  # threading.Lock itself, without threading's import (0.4 ms of `musicauth token`)
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..errors import Action, EntryDamaged, KeyringLockedError, NoKeyringError, StoreError
from . import keyring_import
from .unlock import SECRET_SERVICE_BACKEND as _SECRET_SERVICE_BACKEND

if TYPE_CHECKING:
    import logging

    from keyring.backend import KeyringBackend

    from .secret_service_bulk import SecretServiceReader, Target


def _log() -> logging.Logger:
    # logging imported when a line is logged (~3 ms with traceback): a read on the Secret Service
    # logs nothing, and `musicauth token` there imports no module that logs (benchmarks/README.md,
    # "Start-up").
    import logging

    return logging.getLogger(__name__)


SERVICE = "musicauth"

# A value that needs parts is stored as this marker plus the part count; parts live under
# "<key>#1" ... "<key>#N". Stored values are JSON objects, so no real value starts like this.
_CHUNK_MARKER = "musicauth-parts:"
# The most parts a value may have. Profiles and keys are a few KB (about 5 parts at Windows'
# limit); the bound is checked before any part is read, so a damaged marker
# ("musicauth-parts:99999999") is an error at once instead of millions of keyring calls.
MAX_PARTS = 64
# Windows: 2,560 bytes of UTF-16 per credential blob, i.e. 1,280 UTF-16 code units; keep a
# margin for characters outside the BMP (two code units each).
WINDOWS_CHUNK_CHARS = 1200


class SecretVault(Protocol):
    """Blocking string storage; call it from the store's worker thread only."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryVault:
    """An in-process vault for tests and demo mode. Nothing touches the disk.

    Args:
        delay: seconds each call sleeps, to imitate a real keyring's round trip.
    """

    def __init__(self, *, delay: float = 0.0) -> None:
        self._data: dict[str, str] = {}
        self._lock = _thread.allocate_lock()
        self.delay = delay
        self.calls = 0

    def _tick(self) -> None:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)

    def get(self, key: str) -> str | None:
        self._tick()
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: str) -> None:
        self._tick()
        with self._lock:
            self._data[key] = value

    def delete(self, key: str) -> None:
        self._tick()
        with self._lock:
            self._data.pop(key, None)


class KeyringVault:
    """The ``keyring`` package's active backend, with typed errors and transparent chunking.

    On keyring's Secret Service backend, reads go through ``secret_service_bulk`` and writes
    through ``secret_service_write`` (jeepney, a plain session: no keyring, secretstorage or
    cryptography imported for them), and fall back to keyring for anything they cannot do or
    vouch for; deletes and the unlock prompt are keyring's. Where keyring would take that
    backend without discovery anyway (``secret_service_directly``), the backend itself is made
    at the first call that needs it, on the store's worker thread: a window listed at rest, or
    renewing its tokens, never imports keyring.

    Args:
        backend: a keyring backend; default: the Secret Service as above, else
            ``open_keyring_backend()``.
        chunk_chars: split values longer than this; default: Windows' limit on Windows
            backends, no splitting elsewhere (each part costs another round trip).
        before_keyring: called once before keyring is first imported or asked for a backend:
            a front end that puts off configuring logging (keyring is a library that logs)
            configures it there.
    """

    def __init__(
        self, backend: object | None = None, *, chunk_chars: int | None = None, before_keyring: Callable[[], None] | None = None
    ) -> None:
        self._backend = backend
        self._before_keyring = before_keyring
        self._target: Target | None = None  # reads through secret_service_bulk, where set
        if backend is None:
            if secret_service_directly():
                from .secret_service_bulk import Target

                self._target = Target()  # keyring's default scheme and collection: no KEYRING_PROPERTY_*
            else:
                self._keyring_needed()
                self._backend = open_keyring_backend()
        if self._target is None and self.backend_name == _SECRET_SERVICE_BACKEND:
            from .secret_service_bulk import BulkReadUnavailable, Target

            try:
                self._target = Target.of_backend(self._backend)
            except BulkReadUnavailable as exc:
                _log().debug("reading the Secret Service through keyring only (%s)", exc)
        if chunk_chars is None and type(self._backend).__module__.endswith("Windows"):
            chunk_chars = WINDOWS_CHUNK_CHARS
        self._chunk_chars = chunk_chars
        self.calls = 0

    @property
    def backend(self) -> object:
        """keyring's backend, made now if it was put off (worker thread: it imports keyring)."""
        if self._backend is None:
            self._keyring_needed()
            self._backend = _secret_service_backend()
        return self._backend

    def _keyring_needed(self) -> None:
        hook, self._before_keyring = self._before_keyring, None
        if hook is not None:
            hook()

    @property
    def backend_name(self) -> str:
        if self._backend is None:
            return _SECRET_SERVICE_BACKEND  # put off: secret_service_directly() chose it
        return f"{type(self._backend).__module__}.{type(self._backend).__qualname__}"

    def get(self, key: str) -> str | None:
        if self._target is None:
            return _whole_value(key, self._keyring_get)
        from .secret_service_bulk import SecretServiceReader

        with SecretServiceReader(self._target) as reader:
            return _whole_value(key, lambda k: self._read_one(reader, k))

    def _read_one(self, reader: SecretServiceReader, key: str) -> str | None:
        """``key`` as stored, through ``reader``; through keyring when the reader cannot say."""
        from .secret_service_bulk import BulkReadUnavailable

        self.calls += 1
        try:
            return reader.entry(SERVICE, key)
        except BulkReadUnavailable as exc:
            _log().debug("reading through keyring (%s)", exc)
            return self._keyring_get(key)

    def _raw_get(self, key: str) -> str | None:
        """``key`` as stored (a part marker is not followed), read as ``get`` reads."""
        if self._target is None:
            return self._keyring_get(key)
        from .secret_service_bulk import SecretServiceReader

        with SecretServiceReader(self._target) as reader:
            return self._read_one(reader, key)

    def _keyring_get(self, key: str) -> str | None:
        """``key`` as keyring's ``get_password`` answers it."""
        return self._call("get_password", key)

    def snapshot(self, wanted: Callable[[str], bool] = lambda key: True) -> SecretReader:
        """A reader of every entry as ``get`` reads it, for a listing: on keyring's Secret Service
        backend, the ``wanted`` ones in one D-Bus connection (``secret_service_bulk``; any other
        key is read through ``get`` when asked for); elsewhere, or when that fails, ``get`` itself.

        A locked collection is keyring's to unlock (the desktop's prompt, ``unlock.prompt_unlock``);
        once it is, the bulk read is tried again.

        Raises:
            KeyringLockedError: the collection is locked and its unlock prompt was dismissed.
        """
        if self._target is None:
            return self
        from .secret_service_bulk import BulkReadUnavailable, CollectionLocked, SecretServiceReader

        self.calls += 1
        for attempt in range(2):
            try:
                with SecretServiceReader(self._target) as reader:
                    found = reader.entries(SERVICE, wanted=wanted)
            except CollectionLocked:
                if attempt:
                    break
                from .unlock import prompt_unlock

                try:
                    prompt_unlock(self.backend)
                except KeyringLockedError:
                    raise  # dismissed: what get_password answers too
                except StoreError as exc:  # keyring's own read reports it in its words
                    _log().debug("unlocking for the bulk read failed (%s): reading entry by entry", exc)
                    break
                continue
            except BulkReadUnavailable as exc:
                _log().debug("bulk read of the Secret Service unavailable (%s): reading entry by entry", exc)
                break
            return _Snapshot(self, found.values, found.unsure, wanted)
        return self

    def set(self, key: str, value: str) -> None:
        old_parts = self._part_count(key)  # None: a damaged marker, parts unknown
        limit = self._chunk_chars
        if limit is None or len(value) <= limit:
            self._set_one(key, value)
            new_parts = 0
        else:
            chunks = [value[i : i + limit] for i in range(0, len(value), limit)]
            # Parts first, marker last: a crash in between leaves the old value readable.
            for i, chunk in enumerate(chunks, start=1):
                self._set_one(f"{key}#{i}", chunk)
            self._set_one(key, f"{_CHUNK_MARKER}{len(chunks)}")
            new_parts = len(chunks)
        self._delete_parts(key, after=new_parts, known=old_parts)

    def _set_one(self, key: str, value: str) -> None:
        """``key`` stored as keyring's ``set_password`` stores it: on the Secret Service through
        ``secret_service_write`` (no keyring, secretstorage or cryptography imported), through
        keyring when that writer cannot (a locked collection: keyring's unlock prompt)."""
        if self._target is not None:
            from .secret_service_bulk import BulkReadUnavailable
            from .secret_service_write import SecretServiceWriter

            self.calls += 1
            try:
                with SecretServiceWriter(self._target) as writer:
                    writer.store(SERVICE, key, value)
                return
            except BulkReadUnavailable as exc:
                _log().debug("writing through keyring (%s)", exc)
        self._call("set_password", key, value)

    def delete(self, key: str) -> None:
        """Delete ``key`` and its parts; works on a damaged entry too (that is how it is repaired)."""
        parts = self._part_count(key)
        self._delete_quietly(key)
        self._delete_parts(key, after=0, known=parts)

    def _part_count(self, key: str) -> int | None:
        """How many parts ``key`` has now: 0 without a marker, None when the marker is damaged."""
        if self._chunk_chars is None:
            return 0
        value = self._call("get_password", key)
        if value and value.startswith(_CHUNK_MARKER):
            return _marker_count(value)
        return 0

    def _delete_parts(self, key: str, *, after: int, known: int | None) -> None:
        """Delete the parts numbered above ``after``: the ``known`` count of them, or, when the
        marker was damaged, each one in turn until the first that is not there."""
        if known is not None:
            for i in range(after + 1, known + 1):
                self._delete_quietly(f"{key}#{i}")
            return
        for i in range(after + 1, MAX_PARTS + 1):
            if not self._delete_quietly(f"{key}#{i}"):
                break

    def _delete_quietly(self, key: str) -> bool:
        """Delete ``key``; False if there was nothing to delete."""
        try:
            self._call("delete_password", key)
        except StoreError as exc:
            import keyring.errors  # imported by the call (after ``before_keyring``)

            if not isinstance(exc.__cause__, keyring.errors.PasswordDeleteError):
                raise
            return False
        return True

    def _call(self, method: str, *args: str) -> str | None:
        # The backend first: making it runs ``before_keyring`` before keyring is imported.
        backend = self.backend  # NoKeyringError where keyring cannot be imported
        import keyring.errors

        self.calls += 1
        try:
            call: Callable[..., str | None] = getattr(backend, method)  # get/set/delete_password
            return call(SERVICE, *args)
        except keyring.errors.KeyringLocked as exc:
            raise KeyringLockedError() from exc
        except keyring.errors.NoKeyringError as exc:
            raise NoKeyringError() from exc
        except keyring.errors.InitError as exc:
            raise NoKeyringError(_short(exc)) from exc
        except keyring.errors.PasswordDeleteError as exc:
            raise StoreError("keyring entry not found") from exc
        except Exception as exc:  # backends raise D-Bus, OS and their own errors
            # The backend's message names the failure (never our value, which is an argument
            # we passed, not something it echoes); keep its type and first line.
            if _looks_locked(exc):
                raise KeyringLockedError() from exc
            # Mostly passing (a D-Bus call that timed out, a backend restarting): worth a retry.
            raise StoreError(f"the keyring failed: {type(exc).__name__}: {_short(exc)}", actions=(Action.RETRY,)) from exc


class SecretReader(Protocol):
    """The read half of a vault (blocking, on the store's worker thread)."""

    def get(self, key: str) -> str | None: ...


class _Snapshot:
    """Entries read at once (``KeyringVault.snapshot``), answered as ``KeyringVault.get`` would.

    ``values`` holds every ``wanted`` entry of the service as keyring stores it (parts included);
    a wanted key it lacks is not in the keyring. The ``unsure`` ones are read through keyring on
    demand, keys not wanted as ``KeyringVault.get`` reads them.
    """

    def __init__(self, vault: KeyringVault, values: dict[str, str], unsure: set[str], wanted: Callable[[str], bool]) -> None:
        self._vault = vault
        self._values = values
        self._unsure = unsure
        self._wanted = wanted

    def get(self, key: str) -> str | None:
        return _whole_value(key, self._raw)

    def _raw(self, key: str) -> str | None:
        if key in self._unsure:
            return self._vault._keyring_get(key)
        if not self._wanted(key.partition("#")[0]):
            return self._vault._raw_get(key)
        return self._values.get(key)


def _whole_value(key: str, read: Callable[[str], str | None]) -> str | None:
    """The value of ``key`` with its parts joined, ``read`` giving each entry as stored.

    Raises:
        EntryDamaged: a bad part marker, or a part missing.
    """
    value = read(key)
    if value is None or not value.startswith(_CHUNK_MARKER):
        return value
    count = _marker_count(value)
    if count is None:
        raise EntryDamaged(f"the keyring entry {key!r} is damaged (a bad part marker)", entry=key)
    parts = []
    for i in range(1, count + 1):
        part = read(f"{key}#{i}")
        if part is None:  # stop at the first gap: the value cannot be whole
            raise EntryDamaged(f"the keyring entry {key!r} is incomplete (part {i} of {count} is missing)", entry=key)
        parts.append(part)
    return "".join(parts)


def _marker_count(value: str) -> int | None:
    """The part count a marker announces, or None unless it is a plain number in 1..MAX_PARTS."""
    digits = value[len(_CHUNK_MARKER) :]
    # isdecimal() alone would let through other scripts' digits, which int() accepts.
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > len(str(MAX_PARTS)):
        return None
    count = int(digits)
    return count if 1 <= count <= MAX_PARTS else None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _looks_locked(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in {"PromptDismissedException", "LockedException"} or "dismissed" in str(exc).lower()


def open_keyring_backend() -> object:
    """The keyring backend to use, or NoKeyringError naming the way out.

    On Linux in a D-Bus session the Secret Service is taken directly (``_certain_backend``),
    without keyring's discovery. Refuses keyring's fail backend (nothing usable found) and,
    unless the user chose it explicitly through ``PYTHON_KEYRING_BACKEND`` or keyringrc, a plaintext-file backend that
    ``keyrings.alt`` may have made the default: secrets never fall back to a plaintext file.
    """
    keyring_import.prepare()
    import keyring
    import keyring.core

    try:
        explicit = bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or keyring.core.load_config() is not None
        # keyring.core._keyring_backend: one already chosen in this process (keyring has no
        # public way to ask without choosing one); it stands, as keyring.get_keyring() would.
        certain = None if explicit or keyring.core._keyring_backend is not None else _certain_backend()
        if certain is not None:
            keyring.core.set_keyring(certain)  # keyring.get_keyring() (unlock.py) finds it too
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyringrc or backend import
        raise NoKeyringError(_short(exc)) from exc
    import keyring.backends.fail

    if isinstance(backend, keyring.backends.fail.Keyring):
        raise NoKeyringError()
    # A chainer exists only once its module is imported (keyring's discovery, or a backend
    # named by its path): not imported for a backend that cannot be one (~0.1 ms of a token).
    chainer = sys.modules.get("keyring.backends.chainer")
    if chainer is not None and isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        raise NoKeyringError()
    module = type(backend).__module__
    if not explicit and (module.startswith("keyrings.alt") or _is_chainer_of_plaintext(backend)):
        raise NoKeyringError(f"only {module}, which may keep secrets in a plaintext file, was found")
    _log().debug("keyring backend: %s.%s", module, type(backend).__qualname__)
    return backend


def _certain_backend() -> KeyringBackend | None:
    """keyring's Secret Service backend where keyring's own discovery would choose it anyway:
    on Linux, in a D-Bus session whose Secret Service is running or activatable, outside KDE
    (where KWallet outranks it). None elsewhere: keyring discovers.

    Discovery costs more than the listing it precedes (~25 ms for the entry points of every
    installed backend, ~40 ms importing the macOS backend even on Linux, then each backend's
    own check), all before the first profile shows. A plugin backend ranked above the Secret
    Service is not looked for: PYTHON_KEYRING_BACKEND or keyringrc select it (honoured before
    this is asked).
    """
    if not _secret_service_desktop():
        return None
    from keyring.backends import SecretService

    try:
        # The backend's own viability check (secretstorage importable, the daemon there).
        SecretService.Keyring.priority  # noqa: B018
    except Exception as exc:  # noqa: BLE001 - RuntimeError, or D-Bus's own: discovery decides then
        _log().debug("the Secret Service is not usable directly (%s): keyring's discovery decides", _short(exc))
        return None
    backend: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
    return backend


def _secret_service_desktop() -> bool:
    """Linux in a D-Bus session, outside KDE (where KWallet may outrank the Secret Service)."""
    if not sys.platform.startswith("linux") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    return "KDE" not in os.environ.get("XDG_CURRENT_DESKTOP", "").split(":")


def secret_service_directly() -> bool:
    """Whether ``open_keyring_backend()`` would return keyring's Secret Service backend through
    ``_certain_backend``, with the backend's default properties; answered without importing
    keyring (~21 ms, with what ``keyring_import.py`` defers; ~35 ms without) or secretstorage
    (~12 ms with cryptography's AES).

    The same decision, asked the other way round: nothing else chosen (``PYTHON_KEYRING_BACKEND``,
    a keyringrc file, a backend already chosen in this process, a ``KEYRING_PROPERTY_*`` setting:
    then keyring decides, as before), and the check keyring's backend makes itself
    (``SecretService.Keyring.priority``: secretstorage installed, the session bus reachable,
    ``org.freedesktop.secrets`` owned or activatable) made with jeepney.
    """
    if not _secret_service_desktop():
        return False
    if os.environ.get("PYTHON_KEYRING_BACKEND") or any("KEYRING_PROPERTY_" in name for name in os.environ):
        return False
    if os.path.exists(_keyringrc()):
        return False  # whatever it holds, keyring.core.load_config reads it: keyring decides
    core = sys.modules.get("keyring.core")
    if core is not None and getattr(core, "_keyring_backend", None) is not None:
        return False  # chosen in this process already (a test, an embedding program): it stands
    import importlib.util

    if importlib.util.find_spec("secretstorage") is None:  # keyring's backend stands on it
        return False
    from .secret_service_bulk import service_reachable

    return service_reachable()


def _keyringrc() -> str:
    """keyring's config file on Linux (``keyring.util.platform_.config_root()``, ``keyringrc.cfg``).

    In ``os.path`` terms: on the Secret Service a valid token's path imports no pathlib."""
    root = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(root, "python_keyring", "keyringrc.cfg")


def _secret_service_backend() -> KeyringBackend:
    """keyring's Secret Service backend, where ``secret_service_directly()`` chose it: made when
    first needed (a write, a delete, a read the jeepney reader left to keyring, the unlock prompt),
    on the store's worker thread. It becomes keyring's default if none is chosen yet, as
    ``open_keyring_backend`` makes it (``unlock.prompt_unlock`` asks keyring for it).

    Raises:
        NoKeyringError: keyring or its backend cannot be imported.
    """
    try:
        keyring_import.prepare()
        import keyring.core
        from keyring.backends import SecretService

        # The rest of the backend's own check (secretstorage importable and recent enough),
        # which secret_service_directly() could only look for.
        secretstorage = getattr(SecretService, "secretstorage", None)
        if secretstorage is None or secretstorage.__version_tuple__ < (3, 2):
            raise NoKeyringError("SecretStorage 3.2 or newer required")
        backend: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
        if keyring.core._keyring_backend is None:
            keyring.core.set_keyring(backend)
    except NoKeyringError:
        raise
    except Exception as exc:  # a broken keyring or secretstorage install
        raise NoKeyringError(_short(exc)) from exc
    _log().debug("keyring backend: %s (put off until needed)", _SECRET_SERVICE_BACKEND)
    return backend


def _is_chainer_of_plaintext(backend: object) -> bool:
    backends = getattr(backend, "backends", None) or []
    return bool(backends) and all(type(b).__module__.startswith("keyrings.alt") for b in backends)
