"""Cross-process locks, so that the desktop app and the CLI can run at the same time.

Two kinds, both lock files in the runtime folder (they hold no data):
- the store lock, around every read-modify-write of the keyring (index and records);
- one renewal lock per profile, held across a whole token renewal, so that two processes never
  spend the same rotating refresh token: the second one waits, then finds the new token.

Both are flock(2) itself where it works, without filelock (``core/lock_file.py``): a token
stored by `musicauth refresh` or `login` took filelock's import (~8 ms) for the store lock alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from ..lock_file import LockFile
from ..paths import runtime_dir

#: How long a write waits for the store lock before it says who may hold it.
STORE_LOCK_WAIT = 30.0
#: How often a blocked store lock is tried again (filelock's default poll).
STORE_LOCK_POLL = 0.05


class StoreLockTimeout(TimeoutError):
    """The store lock stayed held by another holder (a timeout of the work under it is not one)."""

#: One lock object per lock file, reused: building one costs more than taking it, and a renewal
#: takes its profile's lock on the event loop thread.
_renewal_locks: dict[Path, LockFile] = {}


def _lock_path(name: str) -> Path:
    folder = runtime_dir() / "locks"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder / f"{name}.lock"


@contextmanager
def store_lock(timeout: float) -> Iterator[None]:
    """Hold the lock around keyring writes; take it on the store's worker thread (it blocks,
    polling, for up to ``timeout`` seconds).

    A lock object per holding, not one shared: ``LockFile`` is not re-entrant, and the store
    lock's holders may be on different threads of one process (two stores), which its flock on
    separate descriptors keeps apart as it keeps processes apart.

    Raises:
        StoreLockTimeout: another holder kept it for ``timeout`` seconds.
    """
    lock = LockFile(_lock_path("store"))
    deadline = time.monotonic() + timeout
    while not lock.try_acquire():
        if time.monotonic() >= deadline:
            raise StoreLockTimeout(f"the store lock stayed held for {timeout:g} s")
        time.sleep(STORE_LOCK_POLL)
    try:
        yield
    finally:
        lock.release()


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
        lock = _renewal_locks[path] = LockFile(path)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # The lock object is shared: held here already means by another engine of this process
        # (one engine's renewals of a profile are serialised before they get here), which must
        # wait like another process would. Asked first, since filelock's fallback would re-enter it.
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
