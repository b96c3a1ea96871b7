"""A keyring backend for tests that several processes can share: one JSON file per entry in
``$MUSICAUTH_TEST_KEYRING_DIR``, with an optional per-call delay (``$MUSICAUTH_TEST_KEYRING_DELAY``,
seconds) to imitate a Secret Service round trip. With ``$MUSICAUTH_TEST_KEYRING_COUNT`` set to a
file path, every call appends one line (its method) to that file, so a benchmark can count the
round trips of another process.

Faults, for the hardening tests (all read per call, so a test can switch them on and off while
another process runs):

- ``$MUSICAUTH_TEST_KEYRING_LOCKED``: every call raises keyring's ``KeyringLocked``;
- ``$MUSICAUTH_TEST_KEYRING_FAIL``: comma-separated methods (``get``, ``set``, ``delete``) that
  raise ``BackendFailure`` (as a D-Bus error would); with ``$MUSICAUTH_TEST_KEYRING_FAIL_TIMES``
  = N only the first N such calls fail (counted across processes in the keyring folder);
- ``$MUSICAUTH_TEST_KEYRING_WRITE_DELAY``: seconds each ``set`` and ``delete`` sleeps, on top of
  the per-call delay (a slow write, to be interrupted by a signal);
- damaged values need no switch: ``FileKeyring().set_password(...)`` stores any string.

Selected with ``PYTHON_KEYRING_BACKEND=tests.support.file_keyring.FileKeyring``. It stores
plaintext on purpose, in a temporary folder the test owns: it stands in for the OS keyring and
is never used outside the test suite.
"""

from __future__ import annotations

import json
import os
import time

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

# Python's own SHA-256, not hashlib's: hashlib loads OpenSSL (libcrypto, 3.4 MB of resident
# memory), which the keyrings this stands in for never load (the Secret Service through jeepney,
# macOS's and Windows' through their system libraries), and the benchmark's memory at rest would
# count it against the window.
try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # a build without them: OpenSSL's
        from hashlib import sha256

# Paths as strings, with os.path: pathlib (and urllib.parse and ipaddress, which it imports) is
# ~2 ms of every `musicauth token` that only this test backend would read; macOS's and Windows'
# keyrings import none of it (and keyring defers it with what it never reads, keyring_import.py).


class BackendFailure(Exception):
    """What a backend raises for its own reasons (a D-Bus error, an OS error)."""


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def folder(self) -> str:
        path = os.environ["MUSICAUTH_TEST_KEYRING_DIR"]
        os.makedirs(path, exist_ok=True)
        return path

    def _path(self, service: str, username: str) -> str:
        digest = sha256(f"{service}\0{username}".encode()).hexdigest()[:40]
        return os.path.join(self.folder, f"{digest}.json")

    def _tick(self, method: str) -> None:
        counter = os.environ.get("MUSICAUTH_TEST_KEYRING_COUNT")
        if counter:
            with open(counter, "a") as fh:
                fh.write(method + "\n")
        if os.environ.get("MUSICAUTH_TEST_KEYRING_LOCKED"):
            raise KeyringLocked("Failed to unlock the collection!")
        if method in (os.environ.get("MUSICAUTH_TEST_KEYRING_FAIL") or "").split(",") and self._fail_now():
            raise BackendFailure(f"org.freedesktop.DBus.Error.NoReply: {method} failed")
        delay = float(os.environ.get("MUSICAUTH_TEST_KEYRING_DELAY") or 0)
        if method != "get":
            delay += float(os.environ.get("MUSICAUTH_TEST_KEYRING_WRITE_DELAY") or 0)
        if delay:
            time.sleep(delay)

    def _fail_now(self) -> bool:
        times = os.environ.get("MUSICAUTH_TEST_KEYRING_FAIL_TIMES")
        if not times:
            return True
        counter = os.path.join(self.folder, "failures.count")
        done = int(_read(counter) or 0) if os.path.exists(counter) else 0
        if done >= int(times):
            return False
        _write(counter, str(done + 1))
        return True

    def get_password(self, service: str, username: str) -> str | None:
        self._tick("get")
        try:
            return json.loads(_read(self._path(service, username)))["value"]
        except FileNotFoundError:
            return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._tick("set")
        path = self._path(service, username)
        tmp = f"{path.removesuffix('.json')}.{os.getpid()}.tmp"
        _write(tmp, json.dumps({"service": service, "username": username, "value": password}))
        os.replace(tmp, path)

    def delete_password(self, service: str, username: str) -> None:
        self._tick("delete")
        try:
            os.unlink(self._path(service, username))
        except FileNotFoundError:
            raise PasswordDeleteError("not found") from None


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
