"""The first run: a welcome in the empty pane with a new profile (live providers first), an
import and the demo; it goes with the first profile and comes back with the last one's removal."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QProcess, Qt

from musicauth_gui.core.presets import PRESETS
from musicauth_gui.core.profiles_file import parse_profile
from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog
from musicauth_gui.gui.main_window import MainWindow
from tests.gui.conftest import run


@pytest.fixture
def empty_window(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    run(qtbot, qloop, win.attach(memory_context))
    yield win
    win._quitting = True


def test_an_empty_store_shows_the_welcome_with_the_live_providers_first(qtbot, empty_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    welcome = window.welcome
    assert welcome is not None and window.detail_stack.currentWidget() is welcome and welcome.isVisible()
    assert "keyring" in welcome.findChild(object, "welcomeText").text() and "musicauth" in welcome.findChild(object, "welcomeTitle").text()
    assert welcome.providers() == list(PRESETS)  # the one order (tests/core/test_preset_order.py)
    assert welcome.providers()[0] == "spotify" and welcome.providers()[-2:] == ["groove", "groove-user"]
    assert welcome.demo_button.isVisible() and welcome.import_button.isVisible()

    asked: list[str | None] = []
    def ask(cls, parent, context, existing=None, provider=None):  # type: ignore[no-untyped-def]
        asked.append(provider)

    monkeypatch.setattr(ProfileEditorDialog, "ask", classmethod(ask))
    welcome.provider_menu.actions()[0].trigger()
    assert asked == ["spotify"]

    imported: list[bool] = []
    monkeypatch.setattr(window, "import_profiles", lambda: imported.append(True))
    qtbot.mouseClick(welcome.import_button, Qt.MouseButton.LeftButton)
    assert imported == [True]

    started: list[list[str]] = []
    monkeypatch.setattr(QProcess, "startDetached", lambda program, arguments: started.append(list(arguments)) or (True, 4242))
    qtbot.mouseClick(welcome.demo_button, Qt.MouseButton.LeftButton)
    assert len(started) == 1 and started[0][-1] == "--demo"


def test_the_welcome_goes_with_the_first_profile_and_comes_back_with_the_last(qtbot, qloop, empty_window, memory_context) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    engine = memory_context.engine
    profile = parse_profile("one", {"provider": "musixmatch", "flow": "client_credentials", "client_id": "c", "client_secret": "s"})
    run(qtbot, qloop, engine.import_profiles([profile]))
    qtbot.waitUntil(lambda: window.model.names() == ["one"])
    window.select("one")
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.detail and window.detail.name == "one")
    assert not window.welcome.isVisible()
    run(qtbot, qloop, engine.remove_profile("one"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.welcome)


def test_a_start_with_profiles_never_builds_the_welcome(qtbot, qloop, demo_context) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(demo=True)
    qtbot.addWidget(window)
    window.show()
    run(qtbot, qloop, window.attach(demo_context))
    assert window.welcome is None
    window._quitting = True
