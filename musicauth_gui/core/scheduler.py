"""Auto-renew: every auto-renew profile's token is renewed ahead of its expiry.

One timer for all profiles, not a task per profile: the profiles wait in a heap ordered by the
time of their next look, and the timer is armed for the earliest. When a look is due it runs as a
task, at most ``MAX_CONCURRENT_RENEWALS`` at once (the rest queue), so a thousand tokens due at
the same moment (after a suspend, say) cost a handful of event-loop passes each, not one pass of
a thousand wake-ups (benchmarks/stall.py). A look re-reads the profile, so a token renewed
meanwhile (by the CLI, or by hand) moves its own next look.

The policy is the engine's (``renewal.renew_at``); the timer is armed for at most
``MAX_SLEEP_STEP`` ahead and re-reads the wall clock when it fires, so a six-month DevToken never
arms a timer past qasync's 24.8-day limit. A suspended laptop is noticed by ``wake()``, which
the desktop app calls when the wall clock jumps (``clock_jump``) or the system says it resumed:
the timer runs on the monotonic clock, which stands still during sleep. Transient failures
are retried with exponential backoff; a profile that needs the user (sign-in) is not retried,
and a token that cannot renew itself (no refresh token) gets an ``expiring`` warning before it
dies.

What the first request needs (``warm_up``: the desktop app passes the engine's
``warm_up_http``: ~30 ms of imports, ~7 MB, and the shared client's SSL context, all off the
event loop's thread) is made ready ``WARM_UP_LEAD`` before the first renewal falls due, not at
start-up: a window whose tokens are all valid for days never loads it, and the first burst of
renewals does not stall on it.

Qt-free: it tells what it does through the engine's event hub (``RenewalStarted``,
``TokenRenewed``, ``RenewalFailed``, ``ExpiryNear``: core/events.py), which the desktop app's
bridge re-emits as Qt signals.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
import traceback
from collections import deque
from collections.abc import Awaitable, Callable

from .clock import Clock
from .engine import MAX_CONCURRENT_RENEWALS, TokenEngine
from .errors import MusicAuthError, NeedsSignIn, ProviderError, StoreError
from .events import ExpiryNear, RenewalFailed, RenewalStarted, TokenRenewed
from .model import ProfileRecord
from .renewal import MAX_SLEEP_STEP, renew_at, renewal_margin
from .secret import scrub
from .state import Activity, Failure, ProfileState, profile_state

log = logging.getLogger(__name__)

BACKOFF_START = 5.0
BACKOFF_MAX = 300.0
#: How long to wait before looking again at a profile with no token or an unknown expiry.
IDLE_RECHECK = 3600.0
#: How long before the first renewal falls due ``warm_up`` runs (time enough for its imports
#: on a busy machine; a renewal due sooner waits for it, off the GUI thread).
WARM_UP_LEAD = 10.0


def can_renew_itself(record: ProfileRecord) -> bool:
    """Client credentials and DevTokens always; a sign-in flow while it holds a refresh token;
    a static key never (it does not expire)."""
    if record.profile.flow == "static":
        return False
    if record.profile.flow in ("client_credentials", "devtoken"):
        return True
    token = record.token
    return bool(token and token.refresh_token and not record.status.needs_sign_in)


def _warm_up_done(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        # Nothing to do: it was only a head start; whatever it could not load, the first
        # request loads (or fails on, and reports) itself.
        log.debug("warming up for the first renewal failed: %r", task.exception())


class RenewalScheduler:
    """Keeps every auto-renew profile's token fresh while running.

    Args:
        engine: the TokenEngine.
        clock: the clocks to read (default: the engine's).
        backoff_start, backoff_max: retry delays for transient failures.
        warm_up: awaited once, as a task of its own, ``WARM_UP_LEAD`` ahead of the first
            renewal (or beside it when it is due at once). None: nothing to prepare.
    """

    def __init__(
        self,
        engine: TokenEngine,
        *,
        clock: Clock | None = None,
        backoff_start: float = BACKOFF_START,
        backoff_max: float = BACKOFF_MAX,
        warm_up: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock if clock is not None else engine.clock
        self.events = engine.events
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        self._tickets = itertools.count()
        #: name -> its current ticket; a heap entry or a queued look with another ticket is stale
        self._ticket: dict[str, int] = {}
        self._heap: list[tuple[float, int, str]] = []  # (when, ticket, name)
        self._ready: deque[tuple[int, str]] = deque()  # due, waiting for a free slot
        self._running: dict[str, asyncio.Task[float | None]] = {}
        self._delay: dict[str, float] = {}  # the next backoff of a failing profile
        #: The last failed renewal of each failing profile, for its state (core/state.py).
        self._failures: dict[str, Failure] = {}
        self._renewing: set[str] = set()
        #: Watched again while renewing: looked at again as soon as that renewal ends.
        self._look_again: set[str] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._warm_up = warm_up
        self._warming: asyncio.Future[None] | None = None  # once started
        self._warm_at: float | None = None  # wall clock: when to start it (the earliest asked)
        self._warm_timer: asyncio.TimerHandle | None = None

    @property
    def watched(self) -> set[str]:
        return set(self._ticket)

    def watch(self, name: str) -> None:
        """(Re)start watching ``name`` (after sign-in, import, or an outside change): its next
        look is now.

        A renewal of ``name`` under way is not cancelled (its ``RenewalStarted`` would stay
        unanswered, and the engine finishes a refresh anyway): the next look follows its end.
        """
        if name in self._renewing and name in self._running:
            self._look_again.add(name)
            return
        self.unwatch(name)
        self._schedule(name, self.clock.now())

    def unwatch(self, name: str) -> None:
        self._look_again.discard(name)
        self._ticket.pop(name, None)
        self._delay.pop(name, None)
        self._failures.pop(name, None)
        task = self._running.pop(name, None)
        if task is not None:
            task.cancel()

    def wake(self) -> None:
        """Look at every watched profile now: the machine has just woken up (or the clock was
        set), so the timer, armed on a clock that stood still, may be far behind the tokens.

        A profile whose look is running is left to it (that look reads the clock afresh); a
        failing profile keeps its backoff. The looks start at most ``MAX_CONCURRENT_RENEWALS``
        at a time, like any burst.
        """
        now = self.clock.now()
        for name in list(self._ticket):
            if name not in self._running:
                self._schedule(name, now)
        # Re-armed here, not only by _schedule: the old entries (now stale) are still in the
        # heap ahead of the new ones, and the timer still waits for the first of them.
        self._arm()

    def activity(self, name: str) -> Activity:
        """What the engine and this scheduler know about ``name`` beyond its record."""
        engine = self.engine.activity(name)
        renewing = engine.renewing or name in self._renewing
        return Activity(renewing=renewing, signing_in=engine.signing_in, failure=self._failures.get(name))

    def state(self, name: str) -> ProfileState | None:
        """The state of ``name`` (core/state.py), or None when its record is not loaded."""
        record = self.engine.record(name)
        return None if record is None else profile_state(record, self.clock.now(), self.activity(name))

    async def stop(self) -> None:
        """Forget every profile (a look that ends after this schedules nothing: its ticket is
        gone) and cancel the looks in flight."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._warm_timer is not None:
            self._warm_timer.cancel()
            self._warm_timer = None
        self._ticket.clear()
        self._look_again.clear()
        self._heap.clear()
        self._ready.clear()
        tasks = list(self._running.values())
        self._running.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            # Bounded: a cancelled task normally ends at once, but shutting down must never
            # wait on one that does not (seen under qasync with nested Qt event processing).
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            if pending:
                log.debug("%d renewal task(s) still ending at stop", len(pending))

    # -- the timer and the queue ---------------------------------------------------------------

    def _schedule(self, name: str, when: float) -> None:
        ticket = next(self._tickets)
        self._ticket[name] = ticket
        if len(self._heap) > 2 * len(self._ticket) + 64:
            # Stale entries (unwatched, re-watched) are dropped when they come up; a DevToken's
            # comes up in months, so clear them out now and then.
            self._heap = [entry for entry in self._heap if self._ticket.get(entry[2]) == entry[1]]
            heapq.heapify(self._heap)
        heapq.heappush(self._heap, (when, ticket, name))
        if self._heap[0][1] == ticket:  # the new earliest: re-arm for it
            self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._heap:
            wait = min(max(0.0, self._heap[0][0] - self.clock.now()), MAX_SLEEP_STEP)
            self._timer = asyncio.get_running_loop().call_later(wait, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self.clock.now()
        while self._heap and self._heap[0][0] <= now:
            _, ticket, name = heapq.heappop(self._heap)
            if self._ticket.get(name) == ticket:
                self._ready.append((ticket, name))
        self._start_ready()
        self._arm()

    def _start_ready(self) -> None:
        loop = asyncio.get_running_loop()
        while self._ready and len(self._running) < MAX_CONCURRENT_RENEWALS:
            ticket, name = self._ready.popleft()
            if self._ticket.get(name) != ticket:
                continue  # unwatched or re-watched meanwhile
            task = loop.create_task(self._look(name), name=f"renew:{name}")
            self._running[name] = task
            task.add_done_callback(functools.partial(self._finished, name, ticket))

    def _finished(self, name: str, ticket: int, task: asyncio.Task[float | None]) -> None:
        """A look ended: schedule the next one (here, once it no longer counts as running)."""
        if self._running.get(name) is task:
            del self._running[name]
        if name in self._look_again and self._ticket.get(name) == ticket:
            self.watch(name)  # watched again meanwhile: as watch() would have, now
        elif not task.cancelled() and self._ticket.get(name) == ticket:
            when = task.result()
            if when is None:
                self._ticket.pop(name, None)
                self._delay.pop(name, None)
            else:
                self._schedule(name, when)
        self._start_ready()

    # -- the warm-up before the first renewal -------------------------------------------------

    def _renewal_ahead(self, due: float) -> None:
        """A renewal falls due at ``due`` (wall clock): start the warm-up ``WARM_UP_LEAD``
        ahead of the earliest one, once."""
        if self._warm_up is None or self._warming is not None:
            return
        at = due - WARM_UP_LEAD
        now = self.clock.now()
        if at <= now:
            self._start_warm_up()
            return
        if self._warm_at is not None and self._warm_at <= at:
            return  # armed for an earlier one
        self._warm_at = at
        if self._warm_timer is not None:
            self._warm_timer.cancel()
        # Bounded, like the look timer, and re-read when it fires: the wall clock may jump.
        wait = min(at - now, MAX_SLEEP_STEP)
        self._warm_timer = asyncio.get_running_loop().call_later(wait, self._on_warm_timer)

    def _on_warm_timer(self) -> None:
        self._warm_timer = None
        at, self._warm_at = self._warm_at, None
        if at is not None:
            self._renewal_ahead(at + WARM_UP_LEAD)

    def _start_warm_up(self) -> None:
        """Start the warm-up as a task of its own, once."""
        if self._warm_up is None or self._warming is not None:
            return
        if self._warm_timer is not None:
            self._warm_timer.cancel()
            self._warm_timer = None
        self._warm_at = None
        self._warming = asyncio.ensure_future(self._warm_up())
        self._warming.add_done_callback(_warm_up_done)

    # -- one look at one profile ---------------------------------------------------------------

    async def _look(self, name: str) -> float | None:
        try:
            return await self._next_look(name)
        except Exception as exc:  # noqa: BLE001 - logged below, with its traceback
            # A bug, not a provider's or the keyring's answer: one profile's surprise must not
            # stop the others, nor stop this one renewing silently. Logged (scrubbed: the
            # traceback's messages may quote a token), shown as the profile's error state, and
            # retried with backoff like a transient failure.
            self._renewing.discard(name)
            delay = self._next_delay(name)
            details = scrub("".join(traceback.format_exception(exc)).rstrip())
            log.error("auto-renew of %r failed unexpectedly; retrying in %.0f s\n%s", name, delay, details)
            self._failed(name, MusicAuthError(f"renewal failed unexpectedly ({type(exc).__name__})"), delay, bug=True)
            return self.clock.now() + delay

    def _next_delay(self, name: str) -> float:
        delay = self._delay.get(name, self._backoff_start)
        self._delay[name] = min(delay * 2, self._backoff_max)
        return delay

    def _failed(self, name: str, error: MusicAuthError, delay: float | None, *, bug: bool = False) -> None:
        """Remember the failure for the profile's state and tell the subscribers. ``bug``: not a
        provider's or the keyring's answer but our own fault (logged with its traceback)."""
        failed = RenewalFailed(name, error, self.clock.now(), delay)
        self._failures[name] = Failure(error.message, None if bug else error, failed.retry_at)
        self.events.emit(failed)

    async def _next_look(self, name: str) -> float | None:
        """Renew ``name`` if it is due; when to look at it again (wall clock), or None to stop."""
        engine = self.engine
        try:
            record = await engine.store.load(name)
        except MusicAuthError:
            return None  # removed meanwhile
        if not record.profile.auto_renew:
            return None
        token = record.token
        now = self.clock.now()
        if not can_renew_itself(record):
            if token is None or token.expires_at is None:
                return None
            # Warn once, ahead of the end; a new sign-in re-watches the profile.
            warn_at = token.expires_at - max(renewal_margin(token.lifetime), 300.0)
            if now < warn_at:
                return warn_at
            self.events.emit(ExpiryNear(name, token.expires_at, max(0.0, token.expires_at - now)))
            return None
        due = renew_at(token) if token is not None else now
        if due is None:
            return None  # unknown expiry: renewed on use, not on a schedule
        if now < due:
            self._renewal_ahead(due)
            return due
        # Due already (the first look at start-up, or after a suspend): no time left to warm up
        # ahead, so it starts now beside this renewal, whose first request waits for what it
        # needs of it (the shared client) by itself.
        self._start_warm_up()
        self.events.emit(RenewalStarted(name))
        self._renewing.add(name)
        try:
            await engine.get_token(name)
        except NeedsSignIn as exc:
            self._failed(name, exc, None)
            return None
        except (ProviderError, StoreError) as exc:
            delay = self._next_delay(name)
            self._failed(name, exc, delay)
            return self.clock.now() + delay
        except MusicAuthError as exc:
            self._failed(name, exc, None)
            return None
        finally:
            self._renewing.discard(name)
        self._delay.pop(name, None)
        self._failures.pop(name, None)
        self.events.emit(TokenRenewed(name))
        return self.clock.now()  # look again: the new token's own renewal time
