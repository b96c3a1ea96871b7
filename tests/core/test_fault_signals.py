"""A rotated refresh token survives signals and keyring faults (issue 10, item 3).

The real ``musicauth`` in subprocesses against the Musixmatch emulator, which rotates refresh
tokens and revokes the used one at once; the test keyring slows down or fails its writes on
request. What each test proves is the provider's view: the refresh token stored afterwards is
the one the provider considers live, and the next refresh works (or, where the token really
was lost, the next run says exactly why).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from musicauth_gui.sandbox import MusixmatchServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record

CLI = [sys.executable, "-m", "musicauth_gui.cli"]
WRITE_DELAY = "3"


class RotatingServer(MusixmatchServer):
    """Musixmatch, able to answer a refresh with a new refresh token and no access token."""

    drop_access_token = False

    def token_response(self, access, refresh):  # type: ignore[no-untyped-def]
        body = super().token_response(access, refresh)
        if self.drop_access_token:
            del body["access_token"]
        return body


@pytest.fixture
def mxm():  # type: ignore[no-untyped-def]
    with RotatingServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def signed_in(tmp_path, mxm) -> dict[str, object]:  # type: ignore[no-untyped-def]
    text = f"""
[profiles.mxm]
provider = "musixmatch"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
token_endpoint = "{mxm.url('/oauth/token')}"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0
    login = musicauth("login", "mxm", env=browser_env())
    assert login.returncode == 0, login.stderr
    token: dict[str, object] = stored_record("mxm")["token"]
    return token


def refreshes_seen(server: MusixmatchServer) -> int:
    return sum(1 for r in server.requests if r.form.get("grant_type") == "refresh_token")


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def markers(isolated_dirs: dict[str, Path]) -> list[dict[str, object]]:
    folder = isolated_dirs["state"] / "musicauth" / "inflight"
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.exists() else []


def refresh_during_a_slow_write(server: MusixmatchServer) -> subprocess.Popen[str]:
    """``musicauth refresh mxm`` once the provider has answered and the keyring write (3 s)
    is under way."""
    proc = subprocess.Popen(
        [*CLI, "refresh", "mxm"],
        env={**os.environ, "MUSICAUTH_TEST_KEYRING_WRITE_DELAY": WRITE_DELAY},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_for(lambda: refreshes_seen(server) == 1)
    time.sleep(0.8)  # the answer came back in milliseconds; the write sleeps 3 s
    assert proc.poll() is None
    return proc


def assert_stored_token_is_live(server: MusixmatchServer, old: dict[str, object]) -> None:
    stored = stored_record("mxm")["token"]
    assert stored["refresh_token"] != old["refresh_token"]
    assert server.is_refresh_token_active(stored["refresh_token"])
    assert not server.is_refresh_token_active(old["refresh_token"])  # the provider rotated


# -- signals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "interrupted (SIGTERM)"), (signal.SIGHUP, 129, "interrupted (SIGHUP)"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_signal_during_the_keyring_write_lets_it_finish(mxm, signed_in, isolated_dirs, signum, code, said) -> None:  # type: ignore[no-untyped-def]
    proc = refresh_during_a_slow_write(mxm)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert err.strip() == f"musicauth: {said}"
    assert_stored_token_is_live(mxm, signed_in)
    assert markers(isolated_dirs) == []
    again = musicauth("refresh", "mxm")
    assert again.returncode == 0, again.stderr
    assert refreshes_seen(mxm) == 2


def test_a_signal_while_waiting_for_the_provider_still_stores_its_answer(mxm, signed_in) -> None:  # type: ignore[no-untyped-def]
    mxm.fail_next("/oauth/token", "slow:1.5")
    proc = subprocess.Popen([*CLI, "refresh", "mxm"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: refreshes_seen(mxm) == 1)
    proc.send_signal(signal.SIGTERM)  # the request is out: the token is as good as spent
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert_stored_token_is_live(mxm, signed_in)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_request_that_hangs_ends_the_command_at_once(mxm, signed_in, signum, code) -> None:  # type: ignore[no-untyped-def]
    """The code exchange of a sign-in spends nothing kept: a signal ends it on the spot, although
    the CLI's request is still waiting on a thread of its own (core/threaded_transport.py)."""
    def exchanges() -> int:
        return sum(1 for r in mxm.requests if r.form.get("grant_type") == "authorization_code")

    before = exchanges()
    mxm.fail_next("/oauth/token", "hang")
    proc = subprocess.Popen(
        [*CLI, "login", "mxm"], env={**os.environ, **browser_env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for(lambda: exchanges() == before + 1)
    time.sleep(0.2)  # the request is out, its answer will never come (30 s deadline)
    started = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5, err
    assert proc.returncode == code, err
    assert "Traceback" not in err and err.splitlines()[-1].startswith("musicauth: ")
    assert stored_record("mxm")["token"] == signed_in


# -- keyring write failures -------------------------------------------------------------------------


def test_a_write_that_fails_twice_is_stored_on_the_third_try(mxm, signed_in, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    faults = {"MUSICAUTH_TEST_KEYRING_FAIL": "set", "MUSICAUTH_TEST_KEYRING_FAIL_TIMES": "2"}
    result = musicauth("refresh", "mxm", env=faults)
    assert result.returncode == 0, result.stderr
    assert (isolated_dirs["keyring"] / "failures.count").read_text() == "2"
    assert_stored_token_is_live(mxm, signed_in)
    assert markers(isolated_dirs) == []
    assert musicauth("refresh", "mxm").returncode == 0


def test_a_write_that_keeps_failing_says_what_was_lost(mxm, signed_in, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("refresh", "mxm", env={"MUSICAUTH_TEST_KEYRING_FAIL": "set"})
    assert_one_clean_line(result, "could not be stored", "already replaced the old refresh token", "musicauth login mxm")
    assert result.returncode == 1
    assert [m["outcome"] for m in markers(isolated_dirs)] == ["not_stored"]
    # The next run meets "already used" at the provider, and says what happened instead.
    after = musicauth("refresh", "mxm")
    assert_one_clean_line(after, "got a new refresh token that could not be stored", "musicauth login mxm")
    assert after.returncode == 3
    assert "already used" not in after.stderr


def test_sigkill_during_the_write_leaves_a_marker_the_next_run_explains(mxm, signed_in, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    proc = refresh_during_a_slow_write(mxm)
    (marker,) = markers(isolated_dirs)
    assert marker["profile"] == "mxm" and marker["pid"] == proc.pid
    assert set(marker) == {"profile", "started_at", "pid", "outcome"}  # no token in it
    proc.kill()
    proc.communicate(timeout=30)
    assert stored_record("mxm")["token"]["refresh_token"] == signed_in["refresh_token"]  # lost
    started = time.strftime("%H:%M:%S", time.localtime(float(marker["started_at"])))

    result = musicauth("refresh", "mxm")
    line = assert_one_clean_line(result, f"a refresh at {started} was interrupted before its new refresh token could be stored")
    assert re.search(r"needs sign-in \(.*provider has already replaced the old one\); run `musicauth login mxm`", line), line
    assert result.returncode == 3
    assert markers(isolated_dirs) == []
    listed = json.loads(musicauth("profile", "list", "--json").stdout)
    assert listed[0]["token_state"] == "needs sign-in" and started in listed[0]["reason"]
    assert musicauth("login", "mxm", env=browser_env()).returncode == 0
    assert musicauth("refresh", "mxm").returncode == 0


# -- an unusable answer that rotated anyway -------------------------------------------------------------


def test_an_answer_without_access_token_still_keeps_its_new_refresh_token(mxm, signed_in, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    mxm.drop_access_token = True
    result = musicauth("refresh", "mxm")
    assert_one_clean_line(result, "no access_token")
    assert result.returncode == 4
    assert_stored_token_is_live(mxm, signed_in)
    assert markers(isolated_dirs) == []
    mxm.drop_access_token = False
    # The kept access token is marked expired: the next call renews with the kept refresh token.
    token = musicauth("token", "mxm")
    assert token.returncode == 0, token.stderr
    assert mxm.is_access_token_active(token.stdout.strip())


# -- the desktop app's way out: closing a shared-client engine --------------------------------------


async def test_closing_the_engine_waits_for_a_refresh_that_spent_its_token(mxm, signed_in) -> None:  # type: ignore[no-untyped-def]
    """The desktop app cancels its renewals and closes the engine when it quits: a refresh whose
    request is out must still be answered and stored before the shared client closes."""
    import asyncio

    from musicauth_gui.core.engine import TokenEngine
    from musicauth_gui.core.store.profile_store import ProfileStore
    from musicauth_gui.core.store.vault import KeyringVault
    from tests.support.file_keyring import FileKeyring

    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())), shared_client=True)
    mxm.fail_next("/oauth/token", "slow:1.0")
    renewal = asyncio.create_task(engine.refresh("mxm"))
    while refreshes_seen(mxm) == 0:
        await asyncio.sleep(0.02)
    renewal.cancel()  # what the scheduler's stop does
    await engine.aclose()
    assert_stored_token_is_live(mxm, signed_in)
    with pytest.raises(asyncio.CancelledError):  # the caller's cancellation still stands
        await renewal
    engine.store.close()
