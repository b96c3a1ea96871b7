"""Whether this is the first ``musicauth-gui`` of this user (and mode), decided before any window.

A lock file in the temp folder, held for the life of the process: flock(2) itself where it
works, else filelock (``core/lock_file.py``, as the renewal locks: the same OS lock filelock
takes, ``flock`` on POSIX, ``LockFileEx`` on Windows, so an older musicauth-gui holding it
through filelock still keeps this one out). The OS drops it when the process ends, crashes
included, so it is never stale, and taking it costs well under a millisecond. Importing filelock
cost about 10 ms before the first paint (``python -X importtime``, see CONTRIBUTING.md), and a
window listed at rest never imports it now (the store takes its own lock only to write).
Talking to the running instance needs QtNetwork (about 15 ms to load), so that happens only
when the lock is taken already (``single_instance.activate_running``); the first instance
starts its server (``single_instance``) once its profiles are listed (at the latest a second
after its first paint: ``app.LISTEN_AFTER_MS``). Qt-free: it runs before the window shows.
"""

from __future__ import annotations

import os
import tempfile
import zlib

from .. import APP_ID
from ..core.lock_file import LockFile


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
        self._lock: LockFile | None = None

    def acquire(self) -> bool:
        """True when this process is the first instance (or when it cannot tell: a temp folder
        that refuses the file must not keep the app from starting)."""
        lock = LockFile(self.path, mode=0o600)
        try:
            if not lock.try_acquire():
                return False
        except OSError:
            return True
        self._lock = lock
        return True

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
