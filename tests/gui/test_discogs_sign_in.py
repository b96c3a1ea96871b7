"""The desktop app signs a Discogs (OAuth 1.0a) profile in through the browser, and its Copy
header gives a freshly signed header each time, each accepted once by the Discogs emulator."""

from __future__ import annotations

import threading

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.core.http import USER_AGENT
from musicauth_gui.core.model import Profile, ProfileRecord
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.profile_model import Role
from musicauth_gui.sandbox import DiscogsServer
from tests.gui.conftest import record_window


@pytest.fixture
def discogs():  # type: ignore[no-untyped-def]
    with DiscogsServer() as server:
        server.register_consumer("gui-app", "gui+secret/=&", name="musicauth gui test")
        yield server
    assert server.handler_errors == []


@pytest.fixture
def window(qtbot, qloop, memory_context, discogs):  # type: ignore[no-untyped-def]
    profile = Profile(
        name="Records",
        provider="discogs",
        flow="oauth1",
        client_id="gui-app",
        request_token_endpoint=discogs.url("/oauth/request_token"),
        authorization_endpoint=discogs.url("/oauth/authorize"),
        token_endpoint=discogs.url("/oauth/access_token"),
        try_url=discogs.url("/oauth/identity"),
        signature_method="HMAC-SHA1",
        auto_renew=False,
    )
    record = ProfileRecord(profile=profile, client_secret=Secret("gui+secret/=&"))
    yield from record_window(qtbot, qloop, memory_context, record)


def approve_in_browser(url: str) -> None:
    """A browser on another thread (the listener answers on the app's event loop): it follows
    the authorization page's redirect to the loopback callback."""

    def follow() -> None:
        with httpx.Client(follow_redirects=True, trust_env=False, timeout=10) as client:
            client.get(url)

    threading.Thread(target=follow, daemon=True, name="stand-in browser").start()


def copied_header(qtbot, detail) -> str:  # type: ignore[no-untyped-def]
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    qtbot.mouseClick(detail.copy_header_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text().startswith("Authorization: OAuth "), timeout=5000)
    return clipboard.text()


def test_sign_in_then_each_copied_header_is_fresh_and_accepted(qtbot, window, discogs) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    opened: list[str] = []
    detail.open_browser = lambda url: (opened.append(url), approve_in_browser(url))
    assert detail.sign_in_button.isVisible() and not detail.get_token_button.isVisible()
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record("Records").token is not None, timeout=10000)
    assert opened and opened[0].startswith(discogs.url("/oauth/authorize?oauth_token="))
    token = window.model.record("Records").token
    assert discogs.is_access_token_active(token.access_token.reveal()) and token.token_secret is not None
    qtbot.waitUntil(lambda: window.model.index(window.model.row_of("Records")).data(Role.STATE) == "valid", timeout=5000)
    assert token.expires_at is None  # never expires: nothing to renew
    first, second = copied_header(qtbot, detail), copied_header(qtbot, detail)
    assert first != second and 'oauth_signature_method="HMAC-SHA1"' in first
    with httpx.Client(trust_env=False, timeout=5) as client:
        for line in (first, second):
            name, _, value = line.partition(": ")
            answer = client.get(discogs.url("/oauth/identity"), headers={name: value, "User-Agent": USER_AGENT})
            assert answer.status_code == 200 and answer.json()["username"] == "sandbox-digger"
