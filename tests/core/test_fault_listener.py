"""The loopback listener under hostile or clumsy clients (issue 10, item 5).

A browser's speculative connection held open, a flood of partial requests, and a process out
of file descriptors: the sign-in still completes, the listener holds at most its cap of
connections, and nothing prints a traceback. The command-line tests run the real ``musicauth
login`` with the stand-in browser, which opens the extra connections itself (see
``tests/support/fake_browser.py``) and reports what it measured.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from musicauth_gui.core.oauth import loopback
from musicauth_gui.core.oauth.loopback import LoopbackListener, RedirectTarget
from tests.core.test_cli_flows import import_profiles, mxm_profile
from tests.support.cli import browser_env, musicauth

STATE = "expected-state-value"
CAP = loopback._MAX_CONNECTIONS
NOISE = ("Traceback", "CancelledError", "Task exception", "Exception in callback", "exception in callback")


def assert_quiet(stderr: str) -> None:
    for text in NOISE:
        assert text not in stderr, stderr


def browser_figures(log: Path, timeout: float = 15) -> dict[str, int]:
    """The stand-in browser's ``held ...`` line; it may outlive the CLI by a moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists():
            for line in log.read_text().splitlines():
                if line.startswith("held "):
                    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", line)}
        time.sleep(0.1)
    raise AssertionError(f"the stand-in browser reported nothing: {log.read_text() if log.exists() else '(no log)'}")


# -- the real command line --------------------------------------------------------------------


def test_login_with_an_idle_connection_held_past_the_end(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    log = tmp_path / "browser.log"
    login = musicauth("login", "mxm", env=browser_env(FAKE_BROWSER_IDLE="1", FAKE_BROWSER_LOG=str(log)))
    assert login.returncode == 0, login.stderr
    assert_quiet(login.stderr)
    figures = browser_figures(log)
    # The idle connection was still open when the redirect came (nothing evicted it: the cap
    # was far away), and the end of the sign-in closed it.
    assert figures["opened"] == 1 and figures["closed_before"] == 0 and figures["closed_after"] == 1
    assert musicauth("token", "mxm").returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts the listener's sockets in /proc")
def test_login_through_a_flood_of_partial_requests(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    log = tmp_path / "browser.log"
    flood = 300
    login = musicauth("login", "mxm", env=browser_env(FAKE_BROWSER_FLOOD=str(flood), FAKE_BROWSER_LOG=str(log)))
    assert login.returncode == 0, login.stderr
    assert_quiet(login.stderr)
    figures = browser_figures(log)
    print(f"flood of {flood}: {figures}")
    # The listener dropped all but its cap before the redirect came...
    assert figures["closed_before"] >= flood - CAP
    # ...and never held much more than its cap: the listening socket, the connection to the
    # provider, and a dropped connection or two on their way to being closed.
    assert 0 < figures["peak_sockets"] <= CAP + 6
    assert figures["closed_after"] == flood


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_NOFILE and EMFILE as on Linux")
def test_login_survives_running_out_of_file_descriptors(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    """A descriptor limit lower than the cap: accept() fails with EMFILE until the listener drops
    connections to free descriptors; the redirect still gets through."""
    import_profiles(tmp_path, mxm_profile(mxm))
    log = tmp_path / "browser.log"
    limited = (
        "import resource, runpy, sys\n"
        "_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv.pop(1)), hard))\n"
        "runpy.run_module('musicauth_gui.cli', run_name='__main__', alter_sys=True)\n"
    )
    env = browser_env(FAKE_BROWSER_FLOOD="60", FAKE_BROWSER_LOG=str(log))
    login = subprocess.run(
        [sys.executable, "-c", limited, "40", "-v", "login", "mxm"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert login.returncode == 0, login.stderr
    assert_quiet(login.stderr)
    # It did run out (the debug line says so), and it said nothing louder than debug about it.
    assert "accept failed (Too many open files)" in login.stderr
    assert not [line for line in login.stderr.splitlines() if ": ERROR:" in line or ": WARNING:" in line]
    figures = browser_figures(log)
    assert figures["peak_sockets"] < 40
    assert musicauth("token", "mxm").returncode == 0


# -- the listener itself ----------------------------------------------------------------------


async def _open(port: int, data: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if data:
        writer.write(data)
        await writer.drain()
    return reader, writer


async def _closed_by_listener(reader: asyncio.StreamReader) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1), 0.01) == b""
    except TimeoutError:
        return False
    except ConnectionError:
        return True


async def test_idle_connections_are_dropped_first_and_the_redirect_gets_through(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(10))
        # A full house: half silent, then half with a partial request.
        silent = [await _open(listener.port) for _ in range(CAP // 2)]
        partial = [await _open(listener.port, b"GET /callback?x=") for _ in range(CAP - CAP // 2)]
        await asyncio.sleep(0.2)
        assert not any([await _closed_by_listener(r) for r, _ in silent + partial])
        # Each newcomer evicts one: the silent ones, oldest first, before any partial request.
        newcomers = [await _open(listener.port, b"GET /") for _ in range(CAP // 2)]
        await asyncio.sleep(0.2)
        assert all([await _closed_by_listener(r) for r, _ in silent])
        assert not any([await _closed_by_listener(r) for r, _ in partial + newcomers])
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{listener.redirect_uri}?code=c&state={STATE}")
        assert response.status_code == 200
        assert (await waiter).code.reveal() == "c"
        # The end of the sign-in closes everything it still held.
        await asyncio.sleep(0.1)
        assert all([await _closed_by_listener(r) for r, _ in partial + newcomers])
        for _, writer in silent + partial + newcomers:
            writer.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_flood_never_holds_more_than_the_cap() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(10))
        flood = [await _open(listener.port, b"GET /callback?padding=" + b"a" * 8000) for _ in range(200)]
        await asyncio.sleep(0.3)
        assert len(listener._connections) <= CAP
        still_open = [not await _closed_by_listener(r) for r, _ in flood].count(True)
        assert still_open <= CAP
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{listener.redirect_uri}?code=c&state={STATE}")).status_code == 200
        assert (await waiter).code.reveal() == "c"
        for _, writer in flood:
            writer.close()


async def test_an_oversized_request_head_is_dropped_without_waiting_for_the_deadline() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        reader, writer = await _open(listener.port)
        writer.write(b"GET /callback?" + b"a" * (60 * 1024))
        started = time.monotonic()
        try:
            await writer.drain()
            assert await asyncio.wait_for(reader.read(), 2) == b""
        except ConnectionError:
            pass  # reset: it closed with our bytes unread, which is the point
        assert time.monotonic() - started < 2  # not the 5 s read deadline
        assert not listener._connections
        writer.close()


async def test_a_client_that_never_reads_its_answer_does_not_keep_the_result_back() -> None:
    """The answer page is small enough for any socket buffer; the result is set regardless."""
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        sock = socket.create_connection(("127.0.0.1", listener.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        sock.sendall(f"GET /callback?code=c&state={STATE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert (await listener.wait(5)).code.reveal() == "c"
        sock.close()
