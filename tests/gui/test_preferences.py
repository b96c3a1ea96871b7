"""Preferences that persist and apply: the window state after a restart, the clipboard delay of
the next copy, the theme switched live, the login entry written and removed, the tray hint once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from musicauth_gui import APP_ID
from musicauth_gui.gui import icons
from musicauth_gui.gui.dialogs.preferences import PreferencesDialog
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.settings import Preferences
from tests.gui.conftest import run
from tests.gui.test_main_window import select

#: Offscreen, a shown tray icon asks for a platform signal that is not there.
TRAY_WARNING = r"No such signal QPlatformNativeInterface::systemTrayWindowChanged"


@pytest.fixture
def system_theme_after(qapp):  # type: ignore[no-untyped-def]
    """The application is shared by the whole session: the theme goes back to the system's."""
    yield
    icons.apply_theme(qapp, "system")


def open_dialog(qtbot, window: MainWindow) -> PreferencesDialog:  # type: ignore[no-untyped-def]
    window.preferences_action.trigger()
    dialog = window.findChild(PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def window_color(app: QGuiApplication) -> str:
    return app.palette().color(QPalette.ColorRole.Window).name()


def test_window_state_comes_back_after_a_restart(qtbot, qloop, demo_context, _isolated_qsettings: Path) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow(demo=True)
    qtbot.addWidget(first)
    first.show()
    run(qtbot, qloop, first.attach(demo_context))
    first.setGeometry(10, 20, 780, 520)  # within the offscreen screen's 800x600 (restoring clamps to it)
    first._splitter.setSizes([240, 536])  # the list narrower than by default (not below one whole row)
    first.filter_edit.setText("s")  # Musixmatch, Spotify, SoundCloud app... stay listed
    select(qtbot, first, "Spotify")
    first.close()  # no tray: closing quits, and saves
    splitter_sizes = first._splitter.sizes()
    assert splitter_sizes[0] == 240
    assert (_isolated_qsettings / "musicauth" / "musicauth-demo.conf").is_file()

    # The next start: a new window, new preferences, the same file.
    second = MainWindow(demo=True, preferences=Preferences.open(demo=True))
    qtbot.addWidget(second)
    # Before it is shown (no jump). The position within a few pixels: the offscreen platform's
    # notional frame shifts it between closing and restoring.
    assert second.size() == first.size()
    assert abs(second.x() - 10) <= 8 and abs(second.y() - 20) <= 8
    assert second.filter_edit.text() == "s"
    second.show()
    assert second._splitter.sizes() == splitter_sizes
    run(qtbot, qloop, second.attach(demo_context))
    assert second.selected_name() == "Spotify"
    assert second.detail.name == "Spotify"
    second._quitting = True


def test_quit_from_the_tray_saves_too(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "MusicAPI")
    window.quit()  # the tray's Quit: no closeEvent
    assert Preferences.open(demo=True).selected_profile == "MusicAPI"


def test_the_clipboard_delay_applies_to_the_next_copy(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    # Auto-renew fetches the token by itself; wait for it (a click on Get token while that runs
    # is ignored: the action is disabled while the profile is busy).
    select(qtbot, window, "Groove app token")
    qtbot.waitUntil(lambda: bool(window.detail.token_field.text()) and window.detail.get_token_button.isEnabled(), timeout=10000)
    dialog = open_dialog(qtbot, window)
    clipboard = QGuiApplication.clipboard()
    dialog.clipboard_delay.setValue(1)
    assert window.preferences.clipboard_clear_seconds == 1
    window.detail.copy("token")
    qtbot.waitUntil(lambda: clipboard.text() != "", timeout=3000)
    assert "clears in 1 s" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)  # gone after one second

    dialog.clipboard_delay.setValue(0)
    assert dialog.clipboard_delay.text() == "Never"
    window.detail.copy("token")
    qtbot.waitUntil(lambda: clipboard.text() != "", timeout=3000)
    assert "until you copy something else or quit" in window.statusBar().currentMessage()
    qtbot.wait(1300)
    assert clipboard.text() != ""  # still there
    # ...and the next start reads it back.
    assert Preferences(QSettings(window.preferences.location, QSettings.Format.IniFormat)).clipboard_clear_seconds == 0


def test_the_theme_switches_live_and_back(qtbot, qapp, window, system_theme_after) -> None:  # type: ignore[no-untyped-def]
    system_color = window_color(qapp)
    assert not icons.is_dark(qapp)  # offscreen: a light palette, no colour scheme
    dialog = open_dialog(qtbot, window)
    assert dialog.theme.currentData() == "system"
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert window.preferences.theme == "dark"
    assert icons.is_dark(qapp) and window_color(qapp) == "#2b2b2b"
    assert qapp.styleSheet() == icons.stylesheet(dark=True)
    # The widgets follow: the list's base colour is the dark palette's.
    assert window.list_view.palette().color(QPalette.ColorRole.Base).name() == "#1e1e1e"
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    assert not icons.is_dark(qapp) and qapp.styleSheet() == icons.stylesheet(dark=False)
    dialog.theme.setCurrentIndex(dialog.theme.findData("system"))
    assert window_color(qapp) == system_color and qapp.property("_musicauthOwnPalette") is False


def test_a_chosen_theme_is_there_before_the_first_paint(qapp, system_theme_after) -> None:  # type: ignore[no-untyped-def]
    prefs = Preferences.open()
    prefs.theme = "dark"
    # What app.py does before showing the window, with the preferences of the next start.
    assert icons.apply_initial_theme(qapp, Preferences.open().theme) is True
    assert window_color(qapp) == "#2b2b2b" and qapp.styleSheet() == icons.stylesheet(dark=True)


def test_start_at_login_writes_and_removes_the_autostart_entry(qtbot, window, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    entry = isolated_dirs["config"] / "autostart" / f"{APP_ID}.desktop"
    dialog = PreferencesDialog(window.preferences, parent=window)  # not demo: it can be changed
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.start_at_login.isEnabled() and not dialog.start_at_login.isChecked()
    qtbot.mouseClick(dialog.start_at_login, Qt.MouseButton.LeftButton)
    assert entry.is_file() and dialog.start_at_login.isChecked()
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" --hidden")
    program = exec_line.removeprefix("Exec=").split(" ")[0]
    assert os.path.isabs(program)
    qtbot.mouseClick(dialog.start_at_login, Qt.MouseButton.LeftButton)
    assert not entry.exists() and not dialog.start_at_login.isChecked()


def test_the_checkbox_shows_what_is_on_disk(qtbot, window, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.autostart import XdgAutostart

    XdgAutostart().enable(["/usr/bin/musicauth-gui", "--hidden"])  # switched on elsewhere
    dialog = PreferencesDialog(window.preferences, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.start_at_login.isChecked()
    XdgAutostart().disable()  # and off again while the dialog was closed
    dialog.hide()
    dialog.show()
    assert not dialog.start_at_login.isChecked()


def test_a_login_entry_that_cannot_be_written_is_said_in_the_dialog(qtbot, window, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    (isolated_dirs["config"] / "autostart").write_text("a file where the folder should be")
    dialog = PreferencesDialog(window.preferences, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.start_at_login, Qt.MouseButton.LeftButton)
    assert not dialog.start_at_login.isChecked()  # as on disk: nothing
    assert dialog.autostart_error.isVisible()
    assert "could not write the login entry" in dialog.autostart_error.text()


def test_demo_mode_cannot_switch_start_at_login(qtbot, window, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window)
    assert not dialog.start_at_login.isEnabled()
    assert not (isolated_dirs["config"] / "autostart").exists()


def test_the_dialog_opens_once_and_shows_the_preferences(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.preferences.notifications = False
    dialog = open_dialog(qtbot, window)
    assert open_dialog(qtbot, window) is dialog  # raised, not a second one
    assert window.preferences_action.shortcut().toString() == "Ctrl+,"
    assert dialog.clipboard_delay.value() == 30 and not dialog.notifications.isChecked()
    dialog.notifications.setChecked(True)
    assert window.preferences.notifications is True


class Balloons:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def __call__(self, title: str, message: str, *args: object) -> None:
        self.shown.append(title)


def with_tray(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> Balloons:
    from musicauth_gui.gui.tray import TrayIcon

    window.tray = TrayIcon(show_window=window.bring_to_front, copy_token=window._copy_token_of, quit_app=window.quit, parent=window)
    window.tray.show()
    balloons = Balloons()
    monkeypatch.setattr(window.tray, "showMessage", balloons)
    return balloons


@pytest.mark.qt_log_ignore(TRAY_WARNING)
def test_the_tray_balloon_shows_on_the_first_close_only(qtbot, qloop, memory_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    run(qtbot, qloop, first.attach(memory_context))
    balloons = with_tray(first, monkeypatch)
    first.close()
    assert not first.isVisible() and balloons.shown == ["musicauth keeps running"]
    first.show()
    first.close()
    assert balloons.shown == ["musicauth keeps running"]  # not twice
    first._quitting = True
    # Nor after a restart.
    second = MainWindow(preferences=Preferences.open())
    qtbot.addWidget(second)
    second.show()
    again = with_tray(second, monkeypatch)
    second.close()
    assert not second.isVisible() and again.shown == []
    second._quitting = True


@pytest.mark.qt_log_ignore(TRAY_WARNING)
def test_no_tray_balloon_in_demo_mode_or_with_notifications_off(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    balloons = with_tray(window, monkeypatch)
    window.close()
    assert not window.isVisible() and balloons.shown == []
    assert Preferences.open(demo=True).tray_hint_shown is False

    quiet = MainWindow(preferences=Preferences.open())
    qtbot.addWidget(quiet)
    quiet.preferences.notifications = False
    quiet.show()
    balloons = with_tray(quiet, monkeypatch)
    quiet.close()
    assert balloons.shown == [] and quiet.preferences.tray_hint_shown is False  # kept for when they are on
    quiet._quitting = True


def test_hidden_without_a_tray_still_shows_the_window(tmp_path: Path) -> None:
    """``--hidden`` (what the login entry runs) never leaves the app invisible: with no tray to
    live in, the window shows after all. A real process, started as at login. (That it stays
    hidden with a tray needs a tray host: offscreen has none.)"""
    import subprocess
    import sys

    env = dict(os.environ, TMPDIR=str(tmp_path), MUSICAUTH_BENCH="quit", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "musicauth_gui", "--demo", "--hidden", "--no-tray"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == ["first-paint", "ready"]  # it was shown


def test_a_window_never_shown_keeps_the_saved_state(qtbot, qloop, memory_context) -> None:  # type: ignore[no-untyped-def]
    """Started hidden at login and quit from the tray: nothing remembered is lost."""
    from PySide6.QtCore import QByteArray

    prefs = Preferences.open()
    prefs.selected_profile = "Spotify"
    prefs.splitter_state = QByteArray(b"a splitter state")
    hidden = MainWindow(preferences=Preferences.open())
    qtbot.addWidget(hidden)
    run(qtbot, qloop, hidden.attach(memory_context))  # an empty store: nothing to select
    hidden.quit()
    again = Preferences.open()
    assert again.selected_profile == "Spotify"
    assert again.splitter_state == QByteArray(b"a splitter state")
