"""Auto-renew on plain asyncio (the desktop app runs the same code on qasync)."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from musicauth_gui.core.clock import SYSTEM_CLOCK, FakeClock
from musicauth_gui.core.engine import MAX_CONCURRENT_RENEWALS, TokenEngine
from musicauth_gui.core.events import EventHub, RenewalFailed, RenewalStarted, TokenRenewed
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.renewal import MAX_SLEEP_STEP
from musicauth_gui.core.scheduler import RenewalScheduler
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store import change_log
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import MemoryVault
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET
from tests.support.events import EventLog


def engine_for(mxm) -> TokenEngine:  # type: ignore[no-untyped-def]
    return TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)


async def import_cc(engine: TokenEngine, mxm) -> None:  # type: ignore[no-untyped-def]
    text = (
        f'[profiles.mxm]\nprovider = "musixmatch"\nflow = "client_credentials"\nclient_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\n'
    )
    await engine.import_profiles(parse_profiles_text(text))


async def test_renews_each_token_before_it_expires(mxm) -> None:  # type: ignore[no-untyped-def]
    mxm.access_token_ttl = 2  # margin: half the life, so a renewal every second
    engine = engine_for(mxm)
    await import_cc(engine, mxm)
    scheduler = RenewalScheduler(engine)
    renewed: list[float] = []
    time_left_at_renewal: list[float] = []

    def on_renewed(event: TokenRenewed) -> None:
        renewed.append(time.time())

    def on_renewing(event: RenewalStarted) -> None:
        record = engine.store.cached(event.profile)
        if record is not None and record.token is not None and record.token.expires_at is not None:
            time_left_at_renewal.append(record.token.expires_at - time.time())

    engine.events.subscribe(TokenRenewed, on_renewed)
    engine.events.subscribe(RenewalStarted, on_renewing)
    scheduler.watch("mxm")
    await asyncio.sleep(3.5)
    await scheduler.stop()
    assert len(renewed) >= 3
    # Every renewal after the first fetch started before the token it replaced expired.
    assert len(time_left_at_renewal) >= 2
    assert all(left > 0 for left in time_left_at_renewal), time_left_at_renewal
    assert mxm.issued_count("client_credentials") == len(renewed)
    engine.store.close()


async def test_transient_failures_back_off_and_recover(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = engine_for(mxm)
    await import_cc(engine, mxm)
    mxm.fail_next("/oauth/token", "503", times=2)
    scheduler = RenewalScheduler(engine, backoff_start=0.1)
    failures: list[tuple[str, float | None]] = []
    done = asyncio.Event()

    def on_failed(event: RenewalFailed) -> None:
        failures.append((str(event.error), event.retry_in))

    def on_renewed(event: TokenRenewed) -> None:
        done.set()

    engine.events.subscribe(RenewalFailed, on_failed)
    engine.events.subscribe(TokenRenewed, on_renewed)
    scheduler.watch("mxm")
    await asyncio.wait_for(done.wait(), 5)
    await scheduler.stop()
    assert [retry for _, retry in failures] == [0.1, 0.2]
    assert "server error (503)" in failures[0][0]
    engine.store.close()


async def test_needs_sign_in_is_reported_once_and_not_retried(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = engine_for(mxm)
    text = (
        f'[profiles.u]\nprovider = "musixmatch"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
        f'token_endpoint = "{mxm.url("/oauth/token")}"\nauthorization_endpoint = "{mxm.url("/oauth/authorize")}"\n'
    )
    await engine.import_profiles(parse_profiles_text(text))
    scheduler = RenewalScheduler(engine)
    scheduler.watch("u")
    await asyncio.sleep(0.2)
    # No token and no refresh token: nothing to do on a schedule, and no error spam.
    assert not mxm.requests
    await scheduler.stop()
    engine.store.close()


def test_change_stamps_report_other_processes_only(isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    watcher = change_log.ChangeWatcher()
    change_log.touch(change_log.stamp_name("mine"))
    assert watcher.poll() == set()  # our own write
    subprocess.run(
        [sys.executable, "-c", "from musicauth_gui.core.store import change_log as c; c.touch(c.stamp_name('theirs'), c.INDEX_STAMP)"],
        check=True,
    )
    assert watcher.poll() == {change_log.stamp_name("theirs"), change_log.INDEX_STAMP}
    assert watcher.poll() == set()


def test_an_idle_poll_reads_no_stamp_and_a_rewrite_is_still_seen(isolated_dirs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    change_log.touch(*(change_log.stamp_name(f"p{i}") for i in range(300)))
    watcher = change_log.ChangeWatcher()
    reads: list[str] = []
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: reads.append(self.name) or real_read(self, *a, **k))
    assert watcher.poll() == set() and reads == []  # nothing changed: nothing read
    change_log.touch(*(change_log.stamp_name(f"p{i}") for i in range(300)))  # a burst of our own
    assert watcher.poll() == set() and reads == []  # known to be ours without reading them
    theirs = "from musicauth_gui.core.store import change_log as c; c.touch(c.stamp_name('p7'))"
    for _ in range(3):  # the same stamp rewritten again and again by another process
        subprocess.run([sys.executable, "-c", theirs], check=True)
        assert watcher.poll() == {change_log.stamp_name("p7")}
    assert reads == [change_log.stamp_name("p7")] * 3


# -- the timer and the queue, with a stand-in engine (the flows are covered above) -------------


class StandInStore:
    def __init__(self, records: dict[str, ProfileRecord]) -> None:
        self.records = records

    async def load(self, name: str) -> ProfileRecord:
        return self.records[name]


class StandInEngine:
    """Renews by replacing the token; ``gate`` holds every renewal until it is set."""

    def __init__(self, records: dict[str, ProfileRecord]) -> None:
        self.store = StandInStore(records)
        self.clock = SYSTEM_CLOCK
        self.events = EventHub()
        self.gate = asyncio.Event()
        self.running = 0
        self.most_running = 0

    async def get_token(self, name: str) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.wait()
        finally:
            self.running -= 1
        now = time.time()
        self.store.records[name] = dataclasses.replace(self.store.records[name], token=hour_token(now))


def hour_token(issued: float, *, left: float | None = None) -> TokenSet:
    expires = issued + 3600 if left is None else issued + left
    return TokenSet(access_token=Secret("t"), issued_at=expires - 3600, expires_at=expires)


def cc_record(name: str, token: TokenSet | None) -> ProfileRecord:
    profile = Profile(name=name, provider="musixmatch", flow="client_credentials", client_id="c", token_endpoint="https://x/token")
    return ProfileRecord(profile=profile, client_secret=Secret("s"), token=token)


async def test_a_burst_renews_eight_at_a_time_and_says_renewing_only_for_those() -> None:
    now = time.time()
    records = {f"p{i:03d}": cc_record(f"p{i:03d}", hour_token(now, left=10)) for i in range(100)}  # all due
    engine = StandInEngine(records)
    scheduler = RenewalScheduler(engine)
    log = EventLog(engine.events, RenewalStarted, TokenRenewed)
    for name in records:
        scheduler.watch(name)
    await asyncio.sleep(0.1)
    assert engine.running == MAX_CONCURRENT_RENEWALS and len(log.names(RenewalStarted)) == MAX_CONCURRENT_RENEWALS
    engine.gate.set()
    for _ in range(100):
        if len(log.names(TokenRenewed)) == 100:
            break
        await asyncio.sleep(0.01)
    assert sorted(log.names(TokenRenewed)) == sorted(records) and engine.most_running == MAX_CONCURRENT_RENEWALS
    # Each one is now waiting for its new token's renewal time, on one timer.
    assert scheduler.watched == set(records) and not scheduler._running
    assert scheduler._timer is not None
    await scheduler.stop()


async def test_the_timer_is_never_armed_more_than_an_hour_ahead() -> None:
    """qasync's timers overflow past 24.8 days; a six-month DevToken is due much later."""
    now = time.time()
    engine = StandInEngine({"long": cc_record("long", TokenSet(access_token=Secret("t"), issued_at=now, expires_at=now + 180 * 86400))})
    scheduler = RenewalScheduler(engine)
    scheduler.watch("long")
    await asyncio.sleep(0.05)
    assert scheduler._timer is not None
    ahead = scheduler._timer.when() - asyncio.get_running_loop().time()
    assert 3000 < ahead <= MAX_SLEEP_STEP
    await scheduler.stop()


async def test_a_token_renewed_elsewhere_moves_its_own_next_look(fake_clock: FakeClock) -> None:
    now = fake_clock.now()
    records = {"p": cc_record("p", hour_token(now, left=400))}  # due in ~40 s (margin 360 s)
    engine = StandInEngine(records)
    engine.gate.set()
    scheduler = RenewalScheduler(engine, clock=fake_clock)
    log = EventLog(engine.events, RenewalStarted)
    scheduler.watch("p")
    await asyncio.sleep(0.05)
    records["p"] = cc_record("p", hour_token(now))  # the CLI renewed it meanwhile
    fake_clock.advance(60)  # past the old due time
    scheduler._on_timer()  # the timer fires (as it would, 40 s later)
    await asyncio.sleep(0.05)
    assert log.events == []  # the look re-read the profile: nothing to do for ~54 minutes
    assert scheduler._heap[0][0] > now + 3000
    await scheduler.stop()


async def test_the_warm_up_runs_once_ahead_of_the_first_renewal(fake_clock: FakeClock) -> None:
    """The desktop app loads what the first request needs shortly before it is first needed,
    never at rest: nothing is warmed while every token is far from due."""
    from musicauth_gui.core.scheduler import WARM_UP_LEAD

    now = fake_clock.now()
    records = {"far": cc_record("far", hour_token(now)), "later": cc_record("later", hour_token(now, left=400))}
    engine = StandInEngine(records)
    engine.gate.set()
    threads: list[str] = []

    async def warm_up() -> None:
        threads.append("warmed")

    scheduler = RenewalScheduler(engine, clock=fake_clock, warm_up=warm_up)
    log = EventLog(engine.events, RenewalStarted)
    scheduler.watch("far")
    await asyncio.sleep(0.05)
    assert threads == [] and scheduler._warm_timer is not None  # due in ~54 min: armed, not run
    scheduler.watch("later")  # due in ~40 s (margin 360 s): the warm-up moves ahead of it
    await asyncio.sleep(0.05)
    assert threads == [] and scheduler._warm_at == pytest.approx(now + 40 - WARM_UP_LEAD, abs=1)
    fake_clock.advance(40 - WARM_UP_LEAD + 1)
    scheduler._on_warm_timer()  # the warm-up timer fires (as it would, ~30 s later)
    await asyncio.sleep(0.05)
    assert threads == ["warmed"]
    assert log.events == []  # warmed ahead: the renewal itself is still to come
    fake_clock.advance(WARM_UP_LEAD)
    scheduler._on_timer()
    await asyncio.sleep(0.05)
    assert log.names(RenewalStarted) == ["later"] and len(threads) == 1  # once
    await scheduler.stop()


async def test_a_renewal_due_at_once_starts_the_warm_up_beside_it() -> None:
    """No time left to warm up ahead: the renewal starts at once (its request waits for what it
    needs by itself), and so does the warm-up, once."""
    now = time.time()
    engine = StandInEngine({"p": cc_record("p", hour_token(now, left=10)), "q": cc_record("q", hour_token(now, left=10))})
    engine.gate.set()
    calls: list[str] = []

    async def warm_up() -> None:
        calls.append("warm")
        await asyncio.sleep(0.2)

    scheduler = RenewalScheduler(engine, warm_up=warm_up)
    log = EventLog(engine.events, RenewalStarted)
    scheduler.watch("p")
    scheduler.watch("q")
    await asyncio.sleep(0.05)
    assert sorted(log.names(RenewalStarted)) == ["p", "q"] and calls == ["warm"]
    await scheduler.stop()
    await asyncio.sleep(0.2)


async def test_watching_again_while_renewing_lets_the_renewal_end_and_looks_again() -> None:
    """The window watches a profile again after Get token or a sign-in, maybe while the scheduler
    renews it: cancelling that would leave its RenewalStarted without an end (a row stuck at
    "renewing")."""
    now = time.time()
    engine = StandInEngine({"p": cc_record("p", hour_token(now, left=10))})
    scheduler = RenewalScheduler(engine)
    log = EventLog(engine.events, RenewalStarted, TokenRenewed)
    scheduler.watch("p")
    await asyncio.sleep(0.05)
    assert engine.running == 1 and log.names(RenewalStarted) == ["p"]
    scheduler.watch("p")
    await asyncio.sleep(0.05)
    assert engine.running == 1  # not cancelled
    engine.gate.set()
    for _ in range(100):
        if log.names(TokenRenewed):
            break
        await asyncio.sleep(0.01)
    assert log.names(TokenRenewed) == ["p"] and scheduler.watched == {"p"}
    await asyncio.sleep(0.05)
    assert scheduler._heap and scheduler._heap[0][0] > now + 3000  # looked again: due in ~54 min
    await scheduler.stop()


async def test_unwatch_cancels_a_renewal_in_flight_and_forgets_the_profile() -> None:
    now = time.time()
    engine = StandInEngine({"p": cc_record("p", hour_token(now, left=10))})
    scheduler = RenewalScheduler(engine)
    scheduler.watch("p")
    await asyncio.sleep(0.05)
    assert engine.running == 1
    scheduler.unwatch("p")
    await asyncio.sleep(0.05)
    assert engine.running == 0 and scheduler.watched == set() and not scheduler._running
    await scheduler.stop()


async def test_rewatching_does_not_grow_the_heap_without_bound() -> None:
    now = time.time()
    engine = StandInEngine({"p": cc_record("p", TokenSet(access_token=Secret("t"), issued_at=now, expires_at=now + 180 * 86400))})
    scheduler = RenewalScheduler(engine)
    for _ in range(1000):  # e.g. every outside change of the profile re-watches it
        scheduler.watch("p")
    assert len(scheduler._heap) <= 2 * len(scheduler.watched) + 65
    await scheduler.stop()


# -- suspend and resume ----------------------------------------------------------------------------


def test_a_jump_of_the_wall_clock_is_noticed_and_an_ordinary_tick_is_not(fake_clock: FakeClock) -> None:
    from musicauth_gui.core.clock_jump import ClockJumpDetector

    detector = ClockJumpDetector(clock=fake_clock)
    fake_clock.advance(1)
    assert detector.check() is None
    fake_clock.advance(3.0)  # a late tick (busy loop) moves both clocks alike
    fake_clock.set(fake_clock.now() + 2.0)  # and a small step (NTP) stays under the threshold
    assert detector.check() is None
    fake_clock.advance(1)
    fake_clock.suspend(8 * 3600)
    assert detector.check() == 8 * 3600
    fake_clock.advance(1)
    assert detector.check() is None  # said once
    fake_clock.set(fake_clock.now() - 600)  # the clock set back: every remaining lifetime changed too
    assert detector.check() == -600


async def test_after_a_suspend_wake_looks_at_every_profile_within_seconds(fake_clock: FakeClock) -> None:
    from musicauth_gui.core.clock_jump import ClockJumpDetector

    records = {f"p{i:02d}": cc_record(f"p{i:02d}", hour_token(fake_clock.now())) for i in range(20)}
    engine = StandInEngine(records)
    engine.gate.set()
    scheduler = RenewalScheduler(engine, clock=fake_clock)
    detector = ClockJumpDetector(clock=fake_clock)
    log = EventLog(engine.events, RenewalStarted)
    for name in records:
        scheduler.watch(name)
    await asyncio.sleep(0.05)
    assert log.names(RenewalStarted) == [] and scheduler._timer is not None  # every token good for another hour

    fake_clock.advance(1)
    fake_clock.suspend(2 * 3600)  # the lid closed for two hours: every token expired an hour ago
    fake_clock.advance(1)
    # The scheduler's own timer runs on the loop's monotonic clock, which stood still: left to
    # itself it would look again only in about 54 minutes.
    assert scheduler._timer.when() - asyncio.get_running_loop().time() > 3000
    jumped = detector.check()
    assert jumped is not None and jumped > 7000
    started = time.monotonic()
    scheduler.wake()
    while len(set(log.names(RenewalStarted))) < len(records) and time.monotonic() - started < 3.0:
        await asyncio.sleep(0.01)
    assert sorted(set(log.names(RenewalStarted))) == sorted(records), f"looked at {len(set(log.names(RenewalStarted)))} of {len(records)}"
    assert time.monotonic() - started < 3.0
    # Each renewed token is back on the timer; the looks ran in bursts, never past the cap.
    assert engine.most_running <= MAX_CONCURRENT_RENEWALS
    assert scheduler.watched == set(records)
    await scheduler.stop()


async def test_wake_leaves_a_running_look_alone_and_forgets_nothing() -> None:
    now = time.time()
    records = {"due": cc_record("due", hour_token(now, left=10)), "fresh": cc_record("fresh", hour_token(now))}
    engine = StandInEngine(records)
    scheduler = RenewalScheduler(engine)
    scheduler.watch("due")
    scheduler.watch("fresh")
    await asyncio.sleep(0.05)
    assert engine.running == 1  # "due" renewing, held at the gate
    scheduler.wake()
    await asyncio.sleep(0.05)
    assert engine.running == 1  # not a second renewal of "due"; "fresh" looked and needs none
    engine.gate.set()
    await asyncio.sleep(0.05)
    assert engine.running == 0 and scheduler.watched == {"due", "fresh"}
    await scheduler.stop()
