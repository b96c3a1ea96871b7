"""Auto-renew on plain asyncio (the desktop app runs the same code on qasync)."""

from __future__ import annotations

import asyncio
import time

from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.scheduler import RenewalScheduler
from musicauth_gui.core.store import change_log
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import MemoryVault
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET


def engine_for(mxm) -> TokenEngine:  # type: ignore[no-untyped-def]
    return TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)


async def import_cc(engine: TokenEngine, mxm) -> None:  # type: ignore[no-untyped-def]
    text = f'[profiles.mxm]\nprovider = "musixmatch"\nflow = "client_credentials"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\n'
    await engine.import_profiles(parse_profiles_text(text))


async def test_renews_each_token_before_it_expires(mxm) -> None:  # type: ignore[no-untyped-def]
    mxm.access_token_ttl = 2  # margin: half the life, so a renewal every second
    engine = engine_for(mxm)
    await import_cc(engine, mxm)
    scheduler = RenewalScheduler(engine)
    renewed: list[float] = []
    scheduler.events.renewed.append(lambda name: renewed.append(time.time()))
    time_left_at_renewal: list[float] = []

    def on_renewing(name: str) -> None:
        record = engine.store.cached(name)
        if record is not None and record.token is not None and record.token.expires_at is not None:
            time_left_at_renewal.append(record.token.expires_at - time.time())

    scheduler.events.renewing.append(on_renewing)
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
    scheduler.events.failed.append(lambda name, msg, retry: failures.append((msg, retry)))
    done = asyncio.Event()
    scheduler.events.renewed.append(lambda name: done.set())
    scheduler.watch("mxm")
    await asyncio.wait_for(done.wait(), 5)
    await scheduler.stop()
    assert [retry for _, retry in failures] == [0.1, 0.2]
    assert "server error (503)" in failures[0][0]
    engine.store.close()


async def test_needs_sign_in_is_reported_once_and_not_retried(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = engine_for(mxm)
    text = f'[profiles.u]\nprovider = "musixmatch"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\nauthorization_endpoint = "{mxm.url("/oauth/authorize")}"\n'
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
