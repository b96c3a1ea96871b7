"""Cross-process locks, so that the desktop app and the CLI can run at the same time.

Two kinds, both lock files in the runtime folder (they hold no data):
- the store lock, around every read-modify-write of the keyring (index and records);
- one renewal lock per profile, held across a whole token renewal, so that two processes never
  spend the same rotating refresh token: the second one waits, then finds the new token.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import runtime_dir

if TYPE_CHECKING:
    from filelock import FileLock

#: One lock object per lock file, reused: building one costs more than taking it, and a renewal
#: takes its profile's lock on the event loop thread.
_renewal_locks: dict[Path, RenewalLockFile] = {}
#: flock(2) refusing because another descriptor holds the lock (some filesystems say EACCES).
_CONTENTION = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})


class RenewalLockFile:
    """One profile's renewal lock file, taken without waiting.

    Where flock(2) works (Linux, macOS, the BSDs, on the runtime folder) this is what filelock's
    ``FileLock`` does there, without importing filelock (~9 ms of a one-shot `musicauth refresh`
    before its request; benchmarks/README.md, "Start-up"): an exclusive flock on the file, which
    stays in place, so that both kinds of holder (this one, and filelock's in an older version of
    musicauth) exclude each other on the same inode (``tests/core/test_locks.py``). Anywhere else (Windows'
    ``msvcrt.locking``, a filesystem without flock, a lock file that cannot be opened plainly)
    the whole lock is filelock's, as before.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._filelock: FileLock | None = None
        if os.name != "posix":
            self._use_filelock()

    @property
    def is_locked(self) -> bool:
        return self._fd is not None or (self._filelock is not None and self._filelock.is_locked)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False if another holder has it. Blocks only on the file."""
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

        self._filelock = FileLock(self.path, thread_local=False)


def _lock_path(name: str) -> Path:
    folder = runtime_dir() / "locks"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder / f"{name}.lock"


def store_lock() -> FileLock:
    """The lock around keyring writes; take it on the store's worker thread (it blocks)."""
    from filelock import FileLock

    return FileLock(_lock_path("store"), thread_local=False)


def profile_lock_name(profile: str) -> str:
    # Hash the name: profile names may hold characters a file name cannot.
    return "renew-" + hashlib.sha256(profile.encode()).hexdigest()[:24]


@asynccontextmanager
async def renewal_lock(profile: str, *, poll: float = 0.05, timeout: float = 120.0) -> AsyncIterator[None]:
    """Hold the cross-process renewal lock of ``profile`` without blocking the event loop.

    Polls a non-blocking acquire; a renewal holds it for at most one HTTP deadline, so the
    timeout only guards against a lock file left by a wedged process.
    """
    path = _lock_path(profile_lock_name(profile))
    lock = _renewal_locks.get(path)
    if lock is None:
        lock = _renewal_locks[path] = RenewalLockFile(path)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # The lock object is shared and (as filelock's) re-entrant: held here already means by
        # another engine of this process (one engine's renewals of a profile are serialised
        # before they get here), which must wait like another process would.
        if not lock.is_locked and lock.try_acquire():
            break
        if loop.time() > deadline:
            from ..errors import Action, StoreError

            raise StoreError(
                f"another process (the desktop app or a command) has been renewing {profile!r} for {timeout:.0f} s "
                f"(its lock file is in {_lock_path('').parent})",
                profile=profile,
                actions=(Action.CLOSE_OTHER_PROCESS,),
            ) from None
        await asyncio.sleep(poll)
    try:
        yield
    finally:
        lock.release()
