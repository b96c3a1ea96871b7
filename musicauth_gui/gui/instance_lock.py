"""Whether this is the first ``musicauth-gui`` of this user (and mode), decided before any window.

A lock file in the temp folder, held for the life of the process (``flock`` on POSIX,
``msvcrt.locking`` on Windows). The OS drops it when the process ends, crashes included, so it
is never stale, and taking it costs well under a millisecond. Talking to the running instance
needs QtNetwork (about 15 ms to load), so that happens only when the lock is taken already
(``single_instance.activate_running``); the first instance starts its QLocalServer after its
first paint. Qt-free and cheap to import: it runs before the window shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
import zlib

from .. import APP_ID


def instance_name(demo: bool) -> str:
    """The lock file's and the local server's name: per user, and per mode (a demo window
    runs beside the real one). The user is hashed so the temp folder does not list names."""
    if hasattr(os, "getuid"):
        user = str(os.getuid())
    else:  # Windows
        user = os.environ.get("USERNAME") or os.environ.get("USER") or "user"
    return f"{APP_ID}-{zlib.crc32(user.encode()):08x}" + ("-demo" if demo else "")


class InstanceLock:
    """The first-instance lock of ``name``; ``acquire()`` says whether this process got it."""

    def __init__(self, name: str, folder: str | None = None) -> None:
        self.name = name
        self.path = os.path.join(folder or tempfile.gettempdir(), f"{name}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True when this process is the first instance (or when it cannot tell: a temp folder
        that refuses the file must not keep the app from starting)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
        except OSError:
            return True
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
