"""An Apple Music user token in the window (the demo's profile, its emulator on 127.0.0.1): signed
in through the MusicKit page, it shows its age instead of a countdown and offers Sign in again
instead of a renewal; a copy gives both headers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.gui.detail_pane import NO_KNOWN_EXPIRY
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from tests.gui.conftest import run
from tests.gui.test_main_window import select, stand_in_browser

NAME = "Apple Music user"


def test_a_user_token_shows_its_age_and_sign_in_again(qtbot, qloop, demo_context, fake_clock) -> None:  # type: ignore[no-untyped-def]
    demo_context.engine.clock = fake_clock
    window = MainWindow(demo=True, clock=fake_clock.now)
    qtbot.addWidget(window)
    window.show()
    run(qtbot, qloop, window.attach(demo_context))
    select(qtbot, window, NAME)
    detail = window.detail
    assert detail.sign_in_button.isVisible() and detail.sign_in_button.text() == "&Sign in"
    assert not detail.get_token_button.isVisible()

    # The stand-in browser drives the MusicKit page against the emulator's stand-in script.
    detail.open_browser = stand_in_browser
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record(NAME).token is not None, timeout=10000)
    qtbot.waitUntil(lambda: not window.running.entries(NAME), timeout=5000)
    user_token = window.model.record(NAME).token.access_token.reveal()
    assert user_token in demo_context.demo.sandbox.apple_music.user_tokens()

    # No countdown: its age, no expiry, and a new sign-in as the only renewal.
    fake_clock.advance(3 * 86400 + 4 * 3600 + 5 * 60)
    with qtbot.waitSignal(window.model.ticked, timeout=3000):
        pass
    assert detail.countdown.text() == "obtained 3d 4h 05m ago"
    row = window.model.index(window.model.row_of(NAME))
    assert row.data(Role.COUNTDOWN) == "obtained 3d 4h 05m ago"
    assert detail.expires_label.text() == NO_KNOWN_EXPIRY
    assert detail.sign_in_button.text() == "&Sign in again" and detail.sign_in_button.isEnabled()
    assert not detail.renew_button.isEnabled()

    # Copy header: the fresh developer token's Authorization, then the user token.
    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(detail.copy_header_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text().endswith(f"\nMusic-User-Token: {user_token}"), timeout=5000)
    first, second = clipboard.text().split("\n")
    assert first.startswith("Authorization: Bearer ey") and second == f"Music-User-Token: {user_token}"
    assert bytes(clipboard.mimeData().data("x-kde-passwordManagerHint")) == b"secret"
    window._quitting = True
