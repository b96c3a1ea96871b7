"""The Apple Music sign-in page in a real browser: headless Chromium runs the page's script,
which loads the sandbox's MusicKit JS stand-in, configures it with the page's developer token,
authorizes and posts the user token back to ``musicauth login``.

tests/run installs Debian's ``chromium`` and sets MUSICAUTH_EXPECT_CHROMIUM=1, so there these
tests fail rather than skip when the browser is missing. Run by hand without it, they skip.
Every other sign-in test uses the stand-in browser (tests/support/fake_browser.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.core.test_provider_apple_music import with_profile
from tests.support import chromium_browser
from tests.support.cli import assert_one_clean_line, musicauth, stored_record

HELPER = Path(chromium_browser.__file__)


@pytest.fixture(autouse=True)
def chromium() -> None:
    if not os.access(chromium_browser.CHROMIUM, os.X_OK):
        if os.environ.get("MUSICAUTH_EXPECT_CHROMIUM"):
            pytest.fail(f"{chromium_browser.CHROMIUM} is missing: tests/run should have installed Debian's chromium")
        pytest.skip("no Chromium (apt-get install chromium, or run through tests/run)")


def chromium_env(log: Path) -> dict[str, str]:
    return {"BROWSER": f"{sys.executable} {HELPER} %s", "FAKE_BROWSER_LOG": str(log)}


def page_after(log: Path, timeout: float = 15) -> str:
    """The page as Chromium left it (the helper writes it once the browser has quit)."""
    deadline = time.monotonic() + timeout
    while not log.exists():
        assert time.monotonic() < deadline, "Chromium did not finish"
        time.sleep(0.05)
    return log.read_text()


def test_the_page_signs_in_through_musickit_in_chromium(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    log = tmp_path / "page.html"
    started = time.monotonic()
    login = musicauth("login", "am", env=chromium_env(log), timeout=30)
    assert login.returncode == 0, login.stderr
    token = stored_record("am")["token"]
    assert [token["access_token"]] == apple_music.user_tokens()
    page = page_after(log)
    assert '<main id="status" data-state="done"><h1>Signed in</h1>' in page
    assert "You are signed in to Apple Music" in page
    # The stand-in was loaded and called by the browser itself: a script, then CORS preflights.
    methods = [(r.method, r.path) for r in apple_music.requests]
    assert methods[:2] == [("GET", "/musickit.js"), ("OPTIONS", "/musickit/configure")]
    assert apple_music.requests[0].headers["user-agent"].find("Chrome") >= 0
    assert time.monotonic() - started < 10


def test_a_refusal_in_chromium_shows_on_the_page_and_stores_nothing(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    apple_music.consent = "deny"
    log = tmp_path / "page.html"
    login = musicauth("login", "am", env=chromium_env(log), timeout=30)
    assert_one_clean_line(login, "refused", "the user did not allow access", "musicauth login am")
    assert stored_record("am")["token"] is None
    page = page_after(log)
    assert 'data-state="failed"' in page and "the Apple Music sign-in was refused" in page
