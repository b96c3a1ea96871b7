"""Preferences over QSettings: defaults, typed values, a file that survives the process."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from musicauth_gui.gui.settings import Preferences


def test_defaults_live_in_this_tests_config_folder(_isolated_qsettings: Path) -> None:
    prefs = Preferences.open()
    assert Path(prefs.location) == _isolated_qsettings / "musicauth" / "musicauth.conf"
    assert prefs.clipboard_clear_seconds == 30
    assert prefs.notifications is True
    assert prefs.theme == "system"
    assert prefs.tray_hint_shown is False
    assert prefs.window_geometry is None and prefs.splitter_state is None
    assert prefs.selected_profile is None and prefs.filter_text == ""


def test_values_are_written_to_disk_and_read_back_typed(_isolated_qsettings: Path) -> None:
    prefs = Preferences.open()
    changes: list[str] = []
    prefs.changed.connect(changes.append)
    prefs.clipboard_clear_seconds = 12
    prefs.notifications = False
    prefs.theme = "dark"
    assert changes == ["clipboard_clear_seconds", "notifications", "theme"]
    prefs.tray_hint_shown = True
    prefs.selected_profile = "Spotify"
    prefs.filter_text = "spo"
    prefs.window_geometry = QByteArray(b"\x01\x02geometry")
    prefs.sync()
    text = (_isolated_qsettings / "musicauth" / "musicauth.conf").read_text()
    assert "clearSeconds=12" in text and "theme=dark" in text
    # Another QSettings on the same file reads from disk, as the next start does.
    again = Preferences(QSettings(prefs.location, QSettings.Format.IniFormat))
    assert again.clipboard_clear_seconds == 12
    assert again.notifications is False
    assert again.theme == "dark"
    assert again.tray_hint_shown is True
    assert again.selected_profile == "Spotify" and again.filter_text == "spo"
    assert again.window_geometry == QByteArray(b"\x01\x02geometry")


def test_setting_the_same_value_again_says_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    prefs = Preferences.open()
    with qtbot.assertNotEmitted(prefs.changed):
        prefs.clipboard_clear_seconds = 30
        prefs.notifications = True
        prefs.theme = "system"


def test_a_hand_edited_file_falls_back_to_the_defaults(_isolated_qsettings: Path) -> None:
    folder = _isolated_qsettings / "musicauth"
    folder.mkdir()
    (folder / "musicauth.conf").write_text(
        "[clipboard]\nclearSeconds=soon\n[notifications]\nenabled=maybe\n[appearance]\ntheme=purple\n"
        "[window]\ngeometry=12\n"
    )
    prefs = Preferences.open()
    assert prefs.clipboard_clear_seconds == 30
    assert prefs.notifications is True
    assert prefs.theme == "system"
    assert prefs.window_geometry is None


def test_the_clipboard_delay_is_kept_within_its_range() -> None:
    prefs = Preferences.open()
    prefs.clipboard_clear_seconds = -5
    assert prefs.clipboard_clear_seconds == 0  # never
    prefs.clipboard_clear_seconds = 10**6
    assert prefs.clipboard_clear_seconds == 600
    with pytest.raises(ValueError):
        prefs.theme = "purple"  # type: ignore[assignment]


def test_demo_mode_keeps_its_own_file() -> None:
    real, demo = Preferences.open(), Preferences.open(demo=True)
    demo.selected_profile = "Spotify"
    assert real.location != demo.location
    assert real.selected_profile is None
