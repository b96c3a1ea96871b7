"""The desktop app under a real X server that goes away: it ends within seconds, says so in one
line, without a traceback, and with a failure status.

Xvfb runs as a private server (``-displayfd``: it picks a free display and reports it). tests/run
installs Debian's ``xvfb`` and the xcb libraries Qt's platform plugin needs and sets
MUSICAUTH_EXPECT_XVFB=1, so there this test fails rather than skips when Xvfb is missing.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

XVFB = shutil.which("Xvfb")


@pytest.fixture
def x_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A running Xvfb and its display (``:N``); killed at the end if the test has not."""
    if XVFB is None:
        if os.environ.get("MUSICAUTH_EXPECT_XVFB"):
            pytest.fail("Xvfb is missing: tests/run should have installed Debian's xvfb")
        pytest.skip("no Xvfb (apt-get install xvfb, or run through tests/run)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [XVFB, "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        readable, _, _ = select.select([read_end], [], [], 10)
        number = os.read(read_end, 32).decode().strip() if readable else ""
        assert number.isdigit(), f"Xvfb did not report its display within 10 s (exit status {server.poll()})"
        yield server, f":{number}"
    finally:
        os.close(read_end)
        if server.poll() is None:
            server.kill()
        server.wait(timeout=10)


def wait_for_line(path: Path, prefix: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(line.startswith(prefix) for line in path.read_text().splitlines()):
        assert process.poll() is None, f"the app exited with {process.returncode}: {path.read_text()}"
        assert time.monotonic() < deadline, f"no {prefix!r} line within {timeout:.0f} s"
        time.sleep(0.05)


def test_the_app_ends_in_one_line_when_its_display_goes_away(x_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, display = x_server
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", TMPDIR=str(tmp_path), MUSICAUTH_BENCH="stay")
    for variable in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):  # this display only, and no tray host
        env.pop(variable, None)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        app = subprocess.Popen(
            [sys.executable, "-m", "musicauth_gui", "--demo", "--no-tray"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        wait_for_line(out, "ready", app, timeout=60)
        server.terminate()
        server.wait(timeout=10)
        gone = time.monotonic()
        app.wait(timeout=10)
        ended_after = time.monotonic() - gone
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
    words = err.read_text()
    assert app.returncode == 1, words
    assert ended_after < 5, f"the app took {ended_after:.1f} s to end"
    assert "Traceback" not in words, words
    # Ours, beside Qt's own "The X11 connection broke" lines: one, and at most ERROR.
    ours = [line for line in words.splitlines() if ":musicauth" in line]
    assert len(ours) == 1 and ours[0].startswith("ERROR:musicauth:"), words
