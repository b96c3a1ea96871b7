"""One exclusive lock on one file, taken without waiting: flock(2) itself where it works.

Where flock(2) works (Linux, macOS, the BSDs) this is what filelock's ``FileLock`` does there,
without importing filelock (~9-10 ms: before a one-shot `musicauth refresh`'s request, and
before the desktop app's first paint; benchmarks/README.md, "Start-up"): an exclusive flock on
the file, which stays in place, so that both kinds of holder (this one, and filelock's in an
older version of musicauth) exclude each other on the same inode (``tests/core/test_locks.py``,
``tests/gui/test_single_instance.py``). Anywhere else (Windows' ``msvcrt.locking``, a filesystem
without flock, a lock file that cannot be opened plainly) the whole lock is filelock's.

Its users: the renewal locks (``store/locks.py``) and the desktop app's first-instance lock
(``gui/instance_lock.py``). Imports nothing but the standard library until it falls back.
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import FileLock

#: flock(2) refusing because another descriptor holds the lock (some filesystems say EACCES).
_CONTENTION = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})


class LockFile:
    """The lock on ``path``: ``try_acquire()`` takes it if free, ``release()`` lets it go.

    Not re-entrant on the flock path (``is_locked`` says whether this object holds it); a
    descriptor belongs to no thread, so any thread may release what another took.

    Args:
        path: the lock file (created if missing, never removed: holders share its inode).
        mode: the permissions filelock gives a file it creates (its default where None); the
            flock path creates it 0o600.
    """

    def __init__(self, path: str | os.PathLike[str], *, mode: int | None = None) -> None:
        self.path = path
        self._mode = mode
        self._fd: int | None = None
        self._filelock: FileLock | None = None
        if os.name != "posix":
            self._use_filelock()

    @property
    def is_locked(self) -> bool:
        return self._fd is not None or (self._filelock is not None and self._filelock.is_locked)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False if another holder has it. Blocks only on the file.

        Raises:
            OSError: the lock file cannot be made or locked at all (filelock's answer).
        """
        if self._filelock is None:
            taken = self._try_flock()
            if taken is not None:
                return taken
        assert self._filelock is not None
        from filelock import Timeout

        try:
            self._filelock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        elif self._filelock is not None:
            self._filelock.release()

    def _try_flock(self) -> bool | None:
        """flock's answer, or None after switching to filelock (no flock here, or an odd file)."""
        try:
            import fcntl

            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except (ImportError, OSError):
            self._use_filelock()
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _CONTENTION:
                return False
            self._use_filelock()  # ENOSYS and the like: filelock's soft lock knows what to do
            return None
        self._fd = fd
        return True

    def _use_filelock(self) -> None:
        from filelock import FileLock

        # thread_local=False: taken on one thread and released on another (the GUI's lock by
        # whichever thread ends the app; a renewal's on the event loop's thread, as the others).
        if self._mode is None:
            self._filelock = FileLock(self.path, thread_local=False)
        else:
            self._filelock = FileLock(self.path, mode=self._mode, thread_local=False)
