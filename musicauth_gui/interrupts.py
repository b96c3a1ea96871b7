"""How the command line ends on SIGTERM and SIGHUP: the way it ends on Ctrl-C (SIGINT).

By default SIGTERM (``kill``, systemd, a container stopping) and SIGHUP (the terminal closing)
end a Python process on the spot, like SIGKILL: a keyring write in progress is cut off, and a
refresh token the provider has just rotated is lost. ``asyncio.run`` handles SIGINT better: it
cancels the main task, so ``finally`` blocks run, and the engine finishes what must not be cut
(``finish_despite_cancellation``), while the store's worker thread completes its write before
the process exits. This module gives SIGTERM and SIGHUP that same path.

The exit status is 128 + the signal number, as a shell reports a process ended by a signal
(143 for SIGTERM, 129 for SIGHUP; Ctrl-C stays 130). A second signal while the first is being
handled is ignored: what is still running is the write that the first one lets finish.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # at run time imported by ``run``: the CLI's lean ``token`` path needs no event loop
    import asyncio

T = TypeVar("T")

#: The signals handled; SIGHUP does not exist on Windows.
HANDLED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(Exception):
    """The process was asked to end by ``signum``; what was under way has been wound down."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.signal_name = signal.Signals(signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _Catcher:
    """Turns the first handled signal into a cancellation of the running command, or into
    ``Terminated`` when no command is running yet (or any more)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._task: asyncio.Task[object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            return
        self.received = signum
        task, loop = self._task, self._loop
        if task is None or loop is None or task.done():
            raise Terminated(signum)
        # Python runs this handler on the main thread between two bytecodes, possibly while
        # the loop sleeps in select(): cancel, then wake the loop so that it notices at once
        # (what asyncio's own SIGINT handler does).
        task.cancel()
        loop.call_soon_threadsafe(lambda: None)

    async def run(self, command: Callable[[], Awaitable[T]]) -> T:
        import asyncio

        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        try:
            return await command()
        except asyncio.CancelledError:
            if self.received is not None:
                raise Terminated(self.received) from None
            raise
        finally:
            self._task = None


@contextmanager
def terminating_signals_interrupt() -> Iterator[Callable[[Callable[[], Awaitable[T]]], Awaitable[T]]]:
    """Within the block, SIGTERM and SIGHUP cancel the command run through the yielded
    wrapper (``asyncio.run(wrap(lambda: command(...)))``), which then raises ``Terminated``;
    outside a running command they raise ``Terminated`` where the main thread is.

    Off the main thread (where Python cannot install handlers) nothing changes.
    """
    catcher = _Catcher()
    # What signal.signal() returns: a handler, SIG_DFL/SIG_IGN, or None (set outside Python).
    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            previous[signum] = signal.signal(signum, catcher.handle)
    try:
        yield catcher.run
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # a handler set from C cannot be put back (signal() rejects None)
                signal.signal(signum, handler)
