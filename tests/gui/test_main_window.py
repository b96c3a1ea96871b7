"""The main window against the demo world (real emulators on 127.0.0.1, in-memory store)."""

from __future__ import annotations

import subprocess
import sys
import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.core.errors import ProviderUnreachable
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from tests.gui.conftest import run
from tests.support.cli import FAKE_BROWSER


def stand_in_browser(url: str) -> None:
    """What $BROWSER does in the CLI tests: follow the URL in another process, off the GUI thread."""
    threading.Thread(target=subprocess.run, args=([sys.executable, str(FAKE_BROWSER), url],), daemon=True).start()


def select(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    window.select(name)
    qtbot.waitUntil(lambda: window.detail.name == name)


def get_token(qtbot, window: MainWindow, name: str) -> str:  # type: ignore[no-untyped-def]
    select(qtbot, window, name)
    qtbot.mouseClick(window.detail.get_token_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.detail.token_field.text()), timeout=10000)
    # The token shows as it is stored; the Get token action ends a few loop passes later, and
    # until then what would start another renewal is greyed out.
    qtbot.waitUntil(lambda: not window.running.entries(name), timeout=5000)
    return window.detail.token_field.text()


def test_lists_every_demo_profile_with_state_and_countdown(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert window.model.names() == [
        "Musixmatch", "Musixmatch app", "Spotify", "SoundCloud app",
        "TIDAL", "TIDAL app", "MusicBrainz", "Genius", "Deezer", "Discogs", "Last.fm", "MusicAPI", "Apple Music user",
        "TV app (device)", "API key (header)", "Musixmatch classic key", "Genius client token",
        "Groove app token", "Groove user",  # discontinued: last
    ]
    # Auto-renew fetched the client-credentials tokens and signed the DevToken by itself.
    qtbot.waitUntil(lambda: window.model.record("Groove app token").token is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.model.record("MusicAPI").token is not None, timeout=10000)
    index = window.model.index(window.model.row_of("Groove app token"))
    assert index.data(Role.STATE) == "valid"
    assert index.data(Role.COUNTDOWN).startswith("23h 59m")
    user = window.model.index(window.model.row_of("Groove user"))
    assert user.data(Role.STATE) == "needs-sign-in" and user.data(Role.COUNTDOWN) == ""


def test_app_start_lists_before_the_panes_then_selects(qtbot, qloop, demo_context) -> None:  # type: ignore[no-untyped-def]
    """What gui/app.py does: the rows are listed and auto-renew runs before the detail pane
    exists; complete() then builds it and selects the remembered profile (here a click before
    it, which wins)."""
    win = MainWindow(demo=True, lazy=True)
    qtbot.addWidget(win)
    win.show()
    win.complete_list()
    win.preferences.selected_profile = "Spotify"
    run(qtbot, qloop, win.attach(demo_context, panes=False))
    assert not hasattr(win, "detail") and win.model.rowCount() == 19
    assert win.selected_name() is None and win.empty_label.isHidden()
    assert "Groove app token" in demo_context.scheduler.watched  # auto-renew runs
    # A click on a row before the panes exist is remembered, not lost.
    win.list_view.setCurrentIndex(win.proxy.index(win.proxy.mapFromSource(win.model.index(win.model.row_of("TIDAL"))).row(), 0))
    win.complete()
    assert win.selected_name() == "TIDAL"
    qtbot.waitUntil(lambda: win.detail.name == "TIDAL")
    win.complete()  # idempotent
    win._quitting = True


def test_countdown_follows_one_ticker(qtbot, qloop, demo_context, fake_clock) -> None:  # type: ignore[no-untyped-def]
    demo_context.engine.clock = fake_clock  # the DevToken is signed on the same frozen clock
    win = MainWindow(demo=True, clock=fake_clock.now)
    qtbot.addWidget(win)
    run(qtbot, qloop, win.attach(demo_context))
    qtbot.waitUntil(lambda: win.model.record("MusicAPI").token is not None, timeout=10000)
    select(qtbot, win, "MusicAPI")
    assert win.detail.countdown.text().startswith("13d 23h")
    expires_at = win.model.record("MusicAPI").token.expires_at
    fake_clock.set(expires_at - 90)
    with qtbot.waitSignal(win.model.ticked, timeout=3000):
        pass
    index = win.model.index(win.model.row_of("MusicAPI"))
    assert index.data(Role.COUNTDOWN) == "1m 30s"
    assert win.detail.countdown.text() == "1m 30s"
    # There is one timer for all rows, not one per row.
    from PySide6.QtCore import QTimer

    assert len(win.model.findChildren(QTimer)) == 1
    win._quitting = True


def test_copy_buttons_fill_the_clipboard_concealed(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    token = get_token(qtbot, window, "SoundCloud app")
    assert window.detail.token_field.echoMode() != window.detail.token_field.EchoMode.Normal  # masked
    clipboard = QGuiApplication.clipboard()
    # A copy goes through the engine (renewed first when due), so it lands a loop pass later.
    qtbot.mouseClick(window.detail.copy_token_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text() == token)
    assert bytes(clipboard.mimeData().data("x-kde-passwordManagerHint")) == b"secret"
    qtbot.mouseClick(window.detail.copy_header_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text() == f"Authorization: OAuth {token}")  # SoundCloud's own scheme
    qtbot.mouseClick(window.detail.copy_curl_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text().startswith("curl -H 'Authorization: OAuth "))
    assert clipboard.text().endswith("/me")
    # Ctrl+C in the list copies the selected profile's token.
    window.list_view.setFocus()
    clipboard.setText("something else")
    qtbot.keyClick(window.list_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: clipboard.text() == token)


def test_copying_an_expired_token_renews_it_first(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    old = get_token(qtbot, window, "SoundCloud app")
    engine = window.context.engine
    expired_at = engine.clock.now() - 1

    def expire(record):  # type: ignore[no-untyped-def]
        return dataclasses.replace(record, token=dataclasses.replace(record.token, expires_at=expired_at))

    run(qtbot, qloop, engine.store.update("SoundCloud app", expire))  # as stored: expired
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    qtbot.mouseClick(window.detail.copy_token_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text() != "", timeout=10000)
    assert clipboard.text() != old  # a fresh token, not the expired one as stored
    assert window.context.demo.sandbox.soundcloud.is_access_token_active(clipboard.text())


def test_clipboard_is_cleared_only_if_unchanged(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    get_token(qtbot, window, "Groove app token")
    clipboard = QGuiApplication.clipboard()
    window.context.clipboard.clear_after = 0.3
    window.detail.copy("token")
    qtbot.waitUntil(lambda: clipboard.text() != "", timeout=3000)  # copied (a loop pass later)
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)
    window.detail.copy("token")
    qtbot.waitUntil(lambda: clipboard.text() != "", timeout=3000)
    clipboard.setText("the user's own text")
    qtbot.wait(600)
    assert clipboard.text() == "the user's own text"


def test_two_profiles_wait_for_the_browser_and_cancel_ends_the_shown_one(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    engine = window.context.engine
    window.detail.open_browser = lambda url: None  # nobody answers: both keep waiting
    for name in ("Musixmatch", "Spotify"):
        select(qtbot, window, name)
        qtbot.mouseClick(window.detail.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.detail.sign_in_banner.isVisible(), timeout=5000)
    assert engine.signing_in("Musixmatch") is not None and engine.signing_in("Spotify") is not None
    assert window.model.index(window.model.row_of("Musixmatch")).data(Role.STATE) == "signing-in"
    qtbot.mouseClick(window.detail.cancel_button, Qt.MouseButton.LeftButton)  # Spotify's, shown
    qtbot.waitUntil(lambda: engine.signing_in("Spotify") is None, timeout=5000)
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isHidden())
    assert engine.signing_in("Musixmatch") is not None  # still waiting
    select(qtbot, window, "Musixmatch")
    assert window.detail.sign_in_banner.isVisible() and not window.detail.sign_in_button.isEnabled()
    qtbot.mouseClick(window.detail.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: engine.signing_in("Musixmatch") is None, timeout=5000)
    assert window.model.index(window.model.row_of("Musixmatch")).data(Role.STATE) == "needs-sign-in"


def test_sign_in_end_to_end_with_a_stand_in_browser(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "Musixmatch")
    assert window.detail.sign_in_button.isVisible() and not window.detail.get_token_button.isVisible()
    opened: list[str] = []
    window.detail.open_browser = lambda url: (opened.append(url), stand_in_browser(url))  # type: ignore[func-returns-value]
    qtbot.mouseClick(window.detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record("Musixmatch").token is not None, timeout=15000)
    assert opened and "code_challenge_method=S256" in opened[0]
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isHidden())
    index = window.model.index(window.model.row_of("Musixmatch"))
    assert index.data(Role.STATE) == "valid"
    # Introspection shows the Musixmatch user id.
    qtbot.mouseClick(window.detail.introspect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "mxm-user" in window.detail.answer_view.toPlainText(), timeout=10000)


def test_sign_in_can_be_cancelled_and_the_url_copied(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "Spotify")
    window.detail.open_browser = lambda url: None  # the user never finishes in the browser
    qtbot.mouseClick(window.detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isVisible(), timeout=5000)
    qtbot.mouseClick(window.detail.copy_url_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith(window.context.demo.sandbox.spotify.url("/authorize"))
    qtbot.mouseClick(window.detail.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: "cancelled" in window.detail.error_label.text(), timeout=5000)
    assert window.model.record("Spotify").token is None


def test_auto_renew_fires_before_expiry(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    server = window.context.demo.sandbox.soundcloud
    server.access_token_ttl = 2  # renewed when half of it is left: every second
    run(qtbot, qloop, window.context.engine.refresh("SoundCloud app"))
    window.context.scheduler.watch("SoundCloud app")
    seen: set[str] = set()

    def renewed_twice() -> bool:
        record = window.model.record("SoundCloud app")
        if record is not None and record.token is not None:
            token = record.token.access_token.reveal()
            assert server.is_access_token_active(token) or record.token.expires_at < window.model.clock() + 0.5
            seen.add(token)
        return len(seen) >= 3

    qtbot.waitUntil(renewed_twice, timeout=8000)


def test_renewal_failure_shows_in_the_list(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    get_token(qtbot, window, "Musixmatch app")
    window.context.demo.sandbox.musixmatch.fail_next("/oauth/token", "500")
    # Auto-renew's first look at the profile (due: it had no token) may still be ending, and
    # greys Renew out meanwhile; a user clicks it once it is enabled again.
    qtbot.waitUntil(window.detail.renew_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.detail.renew_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "server error (500)" in window.detail.error_label.text(), timeout=10000)
    assert "Traceback" not in window.statusBar().currentMessage()
    failed = []
    window.context.bridge.renewal_failed.connect(lambda n, m, r: failed.append((n, m, r)))
    window.context.bridge.renewal_failed.emit("Musixmatch app", ProviderUnreachable("the provider is down"), 5.0)
    index = window.model.index(window.model.row_of("Musixmatch app"))
    # Retried while the token still works: "retrying", not a fatal-looking error (issue 12 item 4).
    assert index.data(Role.STATE) == "retrying" and index.data(Role.MESSAGE).startswith("the provider is down — ")  # + GUI words


def test_filter_and_keyboard(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_edit.hasFocus()
    qtbot.keyClicks(window.filter_edit, "groove")
    assert window.proxy.rowCount() == 2
    window.filter_edit.clear()
    assert window.proxy.rowCount() == len(window.model.names())  # every demo profile again
    asked = []
    from musicauth_gui.gui.dialogs import profile_editor

    def fake_ask(cls, parent, context, existing=None, provider=None):  # type: ignore[no-untyped-def]
        asked.append(existing)
        return None

    import unittest.mock

    with unittest.mock.patch.object(profile_editor.ProfileEditorDialog, "ask", classmethod(fake_ask)):
        window.new_action.trigger()
    assert asked == [None]
    assert window.new_action.shortcut().toString() == "Ctrl+N"


def test_tray_menu_copies_tokens(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.gui.tray import TrayIcon

    tray = TrayIcon(show_window=window.bring_to_front, copy_token=window._copy_token_of, quit_app=window.quit, parent=window)
    window.tray = tray
    window._refresh_tray()
    # Each entry is keyed by its profile's name (its text adds the state: "Spotify — needs sign-in").
    actions = {a.data(): a for a in tray.copy_actions()}
    assert set(actions) == set(window.model.names())
    assert all(a.text().startswith(f"{name} — ") for name, a in actions.items())
    actions["Groove app token"].trigger()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("Eg"), timeout=10000)


def test_store_error_is_a_banner_not_a_crash(qtbot) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.show_store_error("no usable keyring (OS secret store) was found; start or unlock a Secret Service")
    assert win.banner.isVisible() and "Secret Service" in win.banner_text.text()
    assert not win.new_action.isEnabled()
    win._quitting = True


def test_countdowns_rest_while_the_window_is_hidden(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.hide()
    assert not window.model._timer.isActive()
    window.show()
    assert window.model._timer.isActive()
