"""At narrow widths the toolbar keeps every action reachable (icons alone, named and explained),
and each action has one wording everywhere it appears."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QToolButton

from musicauth_gui.gui.icons import icon

ICONS_ONLY, WORDS = Qt.ToolButtonStyle.ToolButtonIconOnly, Qt.ToolButtonStyle.ToolButtonTextBesideIcon


def assert_not_clipped(qtbot, toolbar) -> None:  # type: ignore[no-untyped-def]
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    # No » hiding actions, once the toolbar has laid itself out again (it does so on an event).
    qtbot.waitUntil(lambda: extension is None or not extension.isVisible(), timeout=2000)
    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        assert button.isVisible() and button.geometry().right() <= toolbar.width()
        assert button.accessibleName() == action.iconText() and action.toolTip()


@pytest.mark.parametrize("width", [800, 1280, 0], ids=["800", "1280", "minimum"])
@pytest.mark.parametrize("point_size", [0, 18], ids=["font", "large-font"])
def test_the_toolbar_is_never_clipped(qtbot, window, width, point_size) -> None:  # type: ignore[no-untyped-def]
    if point_size:  # a large desktop font: the words no longer fit at 800 px
        font = window.font()
        font.setPointSize(point_size)
        window.setFont(font)
    width = width or window.minimumSizeHint().width()
    window.resize(width, 500)
    qtbot.waitUntil(lambda: window.width() == width)
    expected = WORDS if window._toolbar_text_width <= width else ICONS_ONLY
    assert window.toolbar.toolButtonStyle() == expected
    if point_size and width == 800:
        assert expected == ICONS_ONLY  # the fallback was exercised
    if width == 1280 and not point_size:
        assert expected == WORDS
    assert_not_clipped(qtbot, window.toolbar)


def test_one_wording_for_each_action(window) -> None:  # type: ignore[no-untyped-def]
    actions = window.profile_actions
    detail = window.detail
    assert actions.copy_header.text().replace("&", "") == detail.copy_header_button.text().replace("&", "") == "Copy header"
    assert actions.copy_curl.text().replace("&", "") == detail.copy_curl_button.text().replace("&", "") == "Copy curl"
    assert window.keys_action.text().replace("&", "") == "Signing keys…"
    menu_texts = [a.text().replace("&", "") for a in window.row_menu.actions()]
    assert "Copy header" in menu_texts and not any("Authorization" in t for t in menu_texts)


def test_no_cancel_button_wears_the_trash_icon(window) -> None:  # type: ignore[no-untyped-def]
    trash = icon("delete").cacheKey()
    for button in window.findChildren(QPushButton):
        if "Cancel" in button.text():
            assert button.icon().isNull() or button.icon().cacheKey() != trash, button.objectName()


def test_a_font_or_style_change_measures_the_words_again(qtbot, qapp, window) -> None:  # type: ignore[no-untyped-def]
    measured = window._toolbar_text_width
    assert measured is not None
    font = window.font()
    font.setPointSize(font.pointSize() * 2)
    window.setFont(font)
    assert window._toolbar_text_width > measured  # FontChange
    window.setFont(font.__class__())  # back to the application's
    assert window._toolbar_text_width == measured
    sheet = qapp.styleSheet()
    try:
        qapp.setStyleSheet(sheet + "\nQToolBar QToolButton { padding: 0 40px; }")
        # StyleChange: measured once every widget has the new sheet (the next loop pass).
        qtbot.waitUntil(lambda: window._toolbar_text_width > measured, timeout=3000)
    finally:
        qapp.setStyleSheet(sheet)
    qtbot.waitUntil(lambda: window._toolbar_text_width == measured, timeout=3000)


def test_a_style_change_before_the_panes_is_measured_with_them(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    """The app's start: shown and measured, then the colour scheme's style sheet, then the
    panes (``complete()``), which hear the window's font and style changes from then on."""
    from musicauth_gui.gui.main_window import MainWindow

    win = MainWindow(demo=True, lazy=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    measured = win._toolbar_text_width
    assert measured is not None
    sheet = qapp.styleSheet()
    try:
        qapp.setStyleSheet(sheet + "\nQToolBar QToolButton { padding: 0 40px; }")
        win.complete()
        assert win._toolbar_text_width > measured
    finally:
        qapp.setStyleSheet(sheet)
    win._quitting = True
