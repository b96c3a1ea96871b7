"""A real browser for $BROWSER in the Apple Music page test: headless Chromium from Debian.

``python chromium_browser.py URL`` opens URL in a fresh headless Chromium (its own profile in a
temporary folder, deleted afterwards), lets the page's scripts run, and writes the page as it
then stands (``--dump-dom``) to ``$FAKE_BROWSER_LOG``.

The flags matter on a closed network: without them Chromium spends seconds on sign-in sync,
component updates, QUIC and first-run work, or stops for want of a GPU or a user namespace.
``--virtual-time-budget`` lets the page's timers and fetches run to their end before the dump
(the page's own network waits pause virtual time, so a sign-in is never cut short).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def browse(url: str) -> int:
    with tempfile.TemporaryDirectory(prefix="musicauth-chromium-") as profile:
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", "--virtual-time-budget=5000", url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    log = os.environ.get("FAKE_BROWSER_LOG")
    if log:
        with open(log + ".part", "w") as fh:
            fh.write(done.stdout)
        os.replace(log + ".part", log)  # whole or not at all: the test polls for it
    return done.returncode


if __name__ == "__main__":
    sys.exit(browse(sys.argv[1]))
