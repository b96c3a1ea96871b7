"""The per-profile renewal lock: one holder at a time, whoever asks (another engine of this
process or another process), and the lock object is reused between renewals. The store lock:
one holder at a time across threads and processes, filelock's holders among them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from musicauth_gui.core.errors import Action, StoreError
from musicauth_gui.core.store import locks
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import MemoryVault


async def test_a_second_holder_in_the_same_process_waits() -> None:
    order: list[str] = []
    first_in = asyncio.Event()

    async def first() -> None:
        async with locks.renewal_lock("p"):
            order.append("first in")
            first_in.set()
            await asyncio.sleep(0.2)
            order.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with locks.renewal_lock("p", poll=0.01):
            order.append("second in")

    await asyncio.gather(first(), second())
    assert order == ["first in", "first out", "second in"]


async def test_other_profiles_do_not_wait() -> None:
    async with locks.renewal_lock("p"):
        await asyncio.wait_for(_hold("q"), timeout=1)


async def _hold(name: str) -> None:
    async with locks.renewal_lock(name):
        pass


async def test_held_by_another_process_times_out_with_a_message() -> None:
    path = locks._lock_path(locks.profile_lock_name("busy"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock, time; l = filelock.FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=r"another process \(the desktop app or a command\) has been renewing 'busy'"):
            async with locks.renewal_lock("busy", poll=0.01, timeout=0.2):
                pass
    finally:
        holder.kill()
        holder.communicate()
    async with locks.renewal_lock("busy", timeout=2):  # free again once that process is gone
        pass


async def test_the_lock_object_is_reused() -> None:
    await _hold("r")
    held = dict(locks._renewal_locks)
    await _hold("r")
    assert locks._renewal_locks == held


async def test_a_holder_here_keeps_out_filelock_in_another_process() -> None:
    """Without filelock on this path (flock directly), the lock still excludes filelock's, as
    an older version of musicauth (or the desktop app's store lock code) would take it."""
    path = locks._lock_path(locks.profile_lock_name("shared"))
    attempt = "import sys, filelock; l = filelock.FileLock(sys.argv[1]); print(l.acquire(timeout=0.1) is not None)"

    def other_process_takes_it() -> bool:
        result = subprocess.run([sys.executable, "-c", attempt, str(path)], capture_output=True, text=True, timeout=30)
        return "Timeout" not in result.stderr and result.stdout.strip() == "True"

    async with locks.renewal_lock("shared"):
        assert not await asyncio.to_thread(other_process_takes_it)
    assert await asyncio.to_thread(other_process_takes_it)


#: Another process holding a lock file the way filelock (an older musicauth) takes it.
FILELOCK_HOLDER = "import sys, filelock, time; l = filelock.FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); time.sleep(30)"


def test_the_store_lock_keeps_out_filelock_in_another_process_and_is_kept_out_by_it() -> None:
    path = locks._lock_path("store")
    attempt = "import sys, filelock; l = filelock.FileLock(sys.argv[1]); print(l.acquire(timeout=0.1) is not None)"

    def other_process_takes_it() -> bool:
        result = subprocess.run([sys.executable, "-c", attempt, str(path)], capture_output=True, text=True, timeout=30)
        return "Timeout" not in result.stderr and result.stdout.strip() == "True"

    with locks.store_lock(timeout=1):
        assert not other_process_takes_it()
    assert other_process_takes_it()

    holder = subprocess.Popen([sys.executable, "-c", FILELOCK_HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(locks.StoreLockTimeout), locks.store_lock(timeout=0.2):
            pass
    finally:
        holder.kill()
        holder.communicate()
    with locks.store_lock(timeout=2):  # free again once that process is gone
        pass


def test_two_threads_of_one_process_take_the_store_lock_in_turn() -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def hold() -> None:
        with locks.store_lock(timeout=10):
            inside.append(1)
            if len(inside) > 1:
                overlaps.append(len(inside))
            time.sleep(0.05)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []


def test_a_store_kept_locked_says_so_and_a_timeout_of_the_work_is_not_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProfileStore(MemoryVault())
    store._cross_process = True  # the memory vault's store would not lock at all
    monkeypatch.setattr(locks, "STORE_LOCK_POLL", 0.01)
    monkeypatch.setattr(locks, "STORE_LOCK_WAIT", 0.1)
    # Held here on another descriptor: flock keeps it out as it keeps another process out.
    with locks.store_lock(timeout=1), pytest.raises(StoreError) as held:
        store.locked(lambda: None)
    assert held.value.actions == (Action.CLOSE_OTHER_PROCESS,)
    assert "for 0.1 s" in held.value.message

    def times_out() -> None:
        raise TimeoutError("the keyring did not answer")

    with pytest.raises(TimeoutError, match="did not answer"):
        store.locked(times_out)
    store.close()
