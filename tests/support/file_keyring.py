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
from pathlib import Path

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


class BackendFailure(Exception):
    """What a backend raises for its own reasons (a D-Bus error, an OS error)."""


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def folder(self) -> Path:
        path = Path(os.environ["MUSICAUTH_TEST_KEYRING_DIR"])
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _path(self, service: str, username: str) -> Path:
        digest = sha256(f"{service}\0{username}".encode()).hexdigest()[:40]
        return self.folder / f"{digest}.json"

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
        counter = self.folder / "failures.count"
        done = int(counter.read_text() or 0) if counter.exists() else 0
        if done >= int(times):
            return False
        counter.write_text(str(done + 1))
        return True

    def get_password(self, service: str, username: str) -> str | None:
        self._tick("get")
        try:
            return json.loads(self._path(service, username).read_text())["value"]
        except FileNotFoundError:
            return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._tick("set")
        path = self._path(service, username)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"service": service, "username": username, "value": password}))
        tmp.replace(path)

    def delete_password(self, service: str, username: str) -> None:
        self._tick("delete")
        try:
            self._path(service, username).unlink()
        except FileNotFoundError:
            raise PasswordDeleteError("not found") from None
