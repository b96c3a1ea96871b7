"""The desktop app's Last.fm profile in the demo world: signing in through the stand-in browser
stores the session key, the pane says it never expires and names the Last.fm user, Copy header
is not offered (Last.fm takes no header), Copy token gives the session key, Copy curl a signed
user.getInfo call, and Try it makes that call."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.gui.profile_model import Role
from tests.gui.test_main_window import select, stand_in_browser

NAME = "Last.fm"


def test_sign_in_shows_a_session_that_never_expires_and_copies_signed_calls(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    detail, sandbox = window.detail, window.context.demo.sandbox
    select(qtbot, window, NAME)
    assert detail.sign_in_button.isVisible() and not detail.get_token_button.isVisible()
    assert detail.copy_header_button.isHidden() and detail.copy_curl_button.isVisible()
    opened: list[str] = []
    detail.open_browser = lambda url: (opened.append(url), stand_in_browser(url))  # type: ignore[func-returns-value]
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record(NAME).token is not None, timeout=15000)
    qtbot.waitUntil(lambda: detail.sign_in_banner.isHidden(), timeout=5000)
    assert urlsplit(opened[0]).path == "/api/auth/" and "cb=http%3A%2F%2F127.0.0.1%3A" in opened[0]
    session_key = window.model.record(NAME).token.access_token.reveal()
    assert sandbox.lastfm.is_session_active(session_key)
    # Never expires, and the Last.fm user is named.
    assert window.model.index(window.model.row_of(NAME)).data(Role.STATE) == "valid"
    assert detail.countdown.text() == "never expires" and detail.expires_label.text().startswith("never")
    assert detail.account_label.isVisible() and detail.account_label.text() == "sandbox-listener"
    assert detail.copy_header_button.isHidden() and not detail.renew_button.isEnabled()
    # Copy token: the session key; Copy curl: a user.getInfo call signed with the shared secret.
    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(detail.copy_token_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text() == session_key, timeout=5000)
    qtbot.mouseClick(detail.copy_curl_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text().startswith("curl "), timeout=5000)
    params = dict(parse_qsl(urlsplit(clipboard.text().split(" ", 1)[1].strip("'")).query))
    signed = f"api_keydemo-lastfmmethoduser.getInfosk{session_key}{sandbox.lastfm_secret}"
    assert params == {
        "method": "user.getInfo",
        "api_key": "demo-lastfm",
        "sk": session_key,
        "api_sig": hashlib.md5(signed.encode()).hexdigest(),
        "format": "json",
    }
    # Try it: the signed call, answered with the user.
    qtbot.mouseClick(detail.try_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sandbox-listener" in detail.answer_view.toPlainText(), timeout=10000)
    assert session_key not in detail.answer_view.toPlainText()
