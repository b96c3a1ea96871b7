"""Auto-renew: one asyncio task per profile renews its token ahead of expiry.

The policy is the engine's (``renewal.renew_at``); waits are bounded (``sleep_until``) so that a
six-month DevToken never arms a timer past qasync's 24.8-day limit. Transient failures are
retried with exponential backoff; a profile that needs the user (sign-in) is not retried, and a
token that cannot renew itself (no refresh token) gets an ``expiring`` warning before it dies.

Qt-free: the desktop app subscribes through ``SchedulerEvents`` callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .engine import MAX_CONCURRENT_RENEWALS
from .errors import MusicAuthError, NeedsSignIn, ProviderError, StoreError
from .model import ProfileRecord
from .renewal import renew_at, renewal_margin, sleep_until

log = logging.getLogger(__name__)

BACKOFF_START = 5.0
BACKOFF_MAX = 300.0
#: How long to wait before looking again at a profile with no token or an unknown expiry.
IDLE_RECHECK = 3600.0


@dataclass
class SchedulerEvents:
    """Callbacks; each receives the profile name first. All run on the event loop thread."""

    renewing: list[Callable[[str], None]] = field(default_factory=list)
    renewed: list[Callable[[str], None]] = field(default_factory=list)
    #: (name, one-line message, seconds until the next try or None when it will not retry)
    failed: list[Callable[[str, str, float | None], None]] = field(default_factory=list)
    #: (name, seconds left) for tokens that cannot renew themselves
    expiring: list[Callable[[str, float], None]] = field(default_factory=list)

    @staticmethod
    def emit(callbacks: list[Callable[..., None]], *args: object) -> None:
        for callback in list(callbacks):
            try:
                callback(*args)
            except Exception:  # noqa: BLE001 - a subscriber must not stop renewals
                log.exception("scheduler subscriber failed")


def can_renew_itself(record: ProfileRecord) -> bool:
    """Client credentials and DevTokens always; the code flow while it holds a refresh token."""
    if record.profile.flow in ("client_credentials", "devtoken"):
        return True
    token = record.token
    return bool(token and token.refresh_token and not record.status.needs_sign_in)


class RenewalScheduler:
    """Keeps every auto-renew profile's token fresh while running.

    Args:
        engine: the TokenEngine.
        clock: wall clock (tests inject one).
        backoff_start, backoff_max: retry delays for transient failures.
    """

    def __init__(
        self,
        engine: object,
        *,
        clock: Callable[[], float] = time.time,
        backoff_start: float = BACKOFF_START,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.events = SchedulerEvents()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        # Due renewals queue here, so that a burst (every token due at once, as after a
        # suspend) wakes the subscribers only for the ones in flight: "renewing" then means
        # what it says, and the event loop does not run a hundred handlers in one pass.
        self._in_flight = asyncio.Semaphore(MAX_CONCURRENT_RENEWALS)

    @property
    def watched(self) -> set[str]:
        return set(self._tasks)

    def watch(self, name: str) -> None:
        """(Re)start the renewal task of ``name`` (after sign-in, import, or an outside change)."""
        self.unwatch(name)
        self._tasks[name] = asyncio.get_running_loop().create_task(self._run(name), name=f"renew:{name}")

    def unwatch(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            # Bounded: a cancelled task normally ends at once, but shutting down must never
            # wait on one that does not (seen under qasync with nested Qt event processing).
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            if pending:
                log.debug("%d renewal task(s) still ending at stop", len(pending))

    async def _run(self, name: str) -> None:
        engine = self.engine
        delay = self._backoff_start
        while True:
            try:
                record: ProfileRecord = await engine.store.load(name)  # type: ignore[attr-defined]
            except MusicAuthError:
                return  # removed meanwhile
            if not record.profile.auto_renew:
                return
            token = record.token
            if not can_renew_itself(record):
                if token is None or token.expires_at is None:
                    return
                # Warn once, ahead of the end; a new sign-in re-watches the profile.
                await sleep_until(token.expires_at - max(renewal_margin(token.lifetime), 300.0), clock=self.clock)
                self.events.emit(self.events.expiring, name, max(0.0, token.expires_at - self.clock()))
                return
            due = renew_at(token) if token is not None else self.clock()
            if due is None:
                return  # unknown expiry: renewed on use, not on a schedule
            await sleep_until(due, clock=self.clock)
            try:
                async with self._in_flight:
                    self.events.emit(self.events.renewing, name)
                    await engine.get_token(name)  # type: ignore[attr-defined]
            except NeedsSignIn as exc:
                self.events.emit(self.events.failed, name, str(exc), None)
                return
            except (ProviderError, StoreError) as exc:
                self.events.emit(self.events.failed, name, str(exc), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)
                continue
            except MusicAuthError as exc:
                self.events.emit(self.events.failed, name, str(exc), None)
                return
            delay = self._backoff_start
            self.events.emit(self.events.renewed, name)
