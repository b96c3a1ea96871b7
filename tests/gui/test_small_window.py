"""Small windows: at 800x500 the list shows whole countdowns without scrolling sideways, the
detail pane wraps its buttons, and the profile editor fits a short screen by scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QPushButton

from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from tests.gui.conftest import run


@pytest.fixture
def small_window(qtbot, qloop, demo_context):  # type: ignore[no-untyped-def]
    win = MainWindow(demo=True)
    qtbot.addWidget(win)
    win.resize(800, 500)
    win.show()
    run(qtbot, qloop, win.attach(demo_context))
    yield win
    win._quitting = True


def test_at_800x500_the_list_does_not_scroll_sideways_and_every_countdown_fits_its_row(qtbot, small_window) -> None:  # type: ignore[no-untyped-def]
    window = small_window
    # The longest countdowns the demo has: a DevToken's "13d 23h 59m", a day's "23h 59m 59s".
    # (and a second visible row with one: auto-renew fetches the app tokens in no set order).
    for name in ("MusicAPI", "Groove app token", "Musixmatch app"):
        qtbot.waitUntil(lambda name=name: window.model.record(name).token is not None, timeout=10000)
    window.select("Musixmatch app")
    qtbot.waitUntil(lambda: window.detail.name == "Musixmatch app")
    assert window.width() == 800 and window.height() == 500
    view = window.list_view
    assert not view.horizontalScrollBar().isVisible()
    assert view.horizontalScrollBar().maximum() == 0
    delegate = view.itemDelegate()
    viewport = view.viewport().rect()
    shown = 0
    for row in range(window.proxy.rowCount()):
        index = window.proxy.index(row, 0)
        countdown = index.data(Role.COUNTDOWN)
        rect = view.visualRect(index)
        if not countdown or not rect.intersects(viewport):
            continue
        shown += 1
        area, font = delegate.countdown_area(rect, view.font())
        assert viewport.left() <= area.left() and area.right() <= viewport.right(), (countdown, area, viewport)
        assert QFontMetrics(font).horizontalAdvance(countdown) <= area.width(), countdown
    assert shown >= 2
    # The pane gets the rest, and its buttons wrap inside it rather than widen it.
    assert view.width() >= 200 and window.detail_stack.width() >= 400
    body = window.detail.findChild(object, "detailBody")
    for button in window.detail.findChildren(QPushButton):
        if button.isVisibleTo(window.detail):
            right = button.mapTo(body, button.rect().topRight()).x()
            assert right <= body.width(), button.objectName()


def test_the_window_can_be_made_800x500(qtbot, small_window) -> None:  # type: ignore[no-untyped-def]
    hint = small_window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 500


def test_the_editor_scrolls_its_fields_on_a_short_screen_with_the_buttons_in_view(qtbot, memory_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ProfileEditorDialog, "fitting_height", lambda self: 420)
    dialog = ProfileEditorDialog(memory_context, provider="oauth2")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_endpoints_expanded(True)
    error = "could not read the issuer's metadata: " + "the server answered 503 Service Unavailable; " * 4
    dialog._set_discovery_status(error, error=True)
    status = dialog.findChild(object, "discoveryStatus")
    # The whole error, wrapped, once the layout has settled (it did not: it was cut to a line).
    qtbot.waitUntil(lambda: dialog.height() > 300 and status.height() >= status.heightForWidth(status.width()) > 30)
    assert dialog.height() <= 420
    scroll = dialog.findChild(object, "editorScroll")
    assert scroll.verticalScrollBar().maximum() > 0  # the rest scrolls
    save = dialog.findChild(QPushButton, "saveButton")
    assert dialog.rect().contains(save.geometry())  # outside the scrolled part


def test_the_editor_grows_to_its_fields_where_the_screen_allows(qtbot, memory_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ProfileEditorDialog, "fitting_height", lambda self: 2000)
    dialog = ProfileEditorDialog(memory_context, provider="oauth2")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_endpoints_expanded(True)
    qtbot.waitUntil(lambda: dialog.findChild(object, "editorScroll").verticalScrollBar().maximum() == 0)
