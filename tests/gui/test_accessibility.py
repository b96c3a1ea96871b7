"""Accessibility: every focusable control has a name assistive technology can read, the painted
rows say their state and time left, the reveal eye is reachable by keyboard, and the validation
red meets WCAG AA on both themes."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget

from musicauth_gui.gui import palettes
from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog
from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog
from musicauth_gui.gui.dialogs.preferences import PreferencesDialog
from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog
from musicauth_gui.gui.icons import stylesheet
from musicauth_gui.gui.widgets.secret_field import SecretField
from tests.support.wcag import contrast


@pytest.fixture
def window(qtbot, window):  # type: ignore[no-untyped-def]
    """conftest's demo window, once MusicAPI's DevToken is there."""
    qtbot.waitUntil(lambda: window.model.record("MusicAPI").token is not None, timeout=10000)
    return window


def unnamed(root: QWidget) -> list[str]:
    """The focusable controls shown in ``root`` whose accessible name is empty."""
    missing = []
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(root):
            continue
        parent = widget.parentWidget()
        if parent is not None and (parent.focusProxy() is widget or isinstance(parent, QAbstractSpinBox)):
            continue  # a spin box's or editable combo's inner line edit: Qt exposes the outer one
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__}#{widget.objectName()}")
    return missing


def shown(qtbot, dialog: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_every_focusable_control_has_an_accessible_name(qtbot, window, demo_context) -> None:  # type: ignore[no-untyped-def]
    window.select("MusicAPI")
    qtbot.waitUntil(lambda: window.detail.name == "MusicAPI")
    assert unnamed(window) == []
    for provider in ("oauth2", "apple-music", "spotify"):
        editor = shown(qtbot, ProfileEditorDialog(demo_context, provider=provider, parent=window))
        editor.set_endpoints_expanded(True)
        qtbot.waitUntil(editor.choices_task.done)
        assert unnamed(editor) == [], provider
        editor.reject()
    keys = shown(qtbot, KeyManagerDialog(demo_context, parent=window))
    qtbot.waitUntil(lambda: keys.table.rowCount() == 1)  # loaded: the demo's key listed
    assert unnamed(keys) == []
    keys.reject()
    devtoken = DevTokenDialog(demo_context, profile="MusicAPI", parent=window)
    with qtbot.waitSignal(devtoken.loaded, timeout=10000):
        shown(qtbot, devtoken)
    assert unnamed(devtoken) == []
    devtoken.reject()
    preferences = shown(qtbot, PreferencesDialog(window.preferences, demo=True, parent=window))
    assert unnamed(preferences) == []
    preferences.reject()


def test_the_rows_tell_their_state_and_time_left(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    model = window.model
    index = model.index(model.row_of("MusicAPI"))
    text = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert text.startswith("MusicAPI, valid, 13d 23h") and text.endswith("left")
    assert index.data(Qt.ItemDataRole.AccessibleDescriptionRole).startswith("MusicAPI · devtoken · valid")
    user = model.index(model.row_of("Groove user"))
    assert user.data(Qt.ItemDataRole.AccessibleTextRole) == "Groove user, needs sign-in"
    # What a screen reader gets: the list's cell for the row, through QAccessible.
    view = QAccessible.queryAccessibleInterface(window.list_view)
    row = window.proxy.mapFromSource(index).row()
    cells = [view.child(i) for i in range(view.childCount())]
    names = [cell.text(QAccessible.Text.Name) for cell in cells if cell is not None]
    assert any(name.startswith("MusicAPI, valid, 13d 23h") for name in names), names
    assert names.count(text) <= 1 and row >= 0


def test_the_reveal_eye_is_reached_by_tab_and_toggled_by_ctrl_h(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    field = SecretField(parent=host)
    field.setText("s3cret")
    host.show()
    host.activateWindow()
    qtbot.waitActive(host)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is field.reveal_button
    qtbot.keyClick(field.reveal_button, Qt.Key.Key_Space)
    assert field.is_revealed()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert not field.is_revealed()
    assert "Ctrl+H" in field.reveal_action.toolTip()


def test_contrast_figures_match_wcag() -> None:
    assert round(contrast("#c62828", "#2b2b2b"), 1) == 2.5  # the issue measured 2.3 on its dark base
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_validation_red_meets_wcag_aa_on_its_theme(dark: bool) -> None:
    sheet = stylesheet(dark)  # what ships: the compiled resource
    rule = re.search(r"QLabel#validationMessage[^{]*\{\s*color:\s*(#[0-9a-fA-F]{6})", sheet)
    assert rule is not None
    red = rule.group(1)
    colours = palettes.DARK if dark else palettes.LIGHT
    for role in (palettes.Role.Window, palettes.Role.Base):
        assert contrast(red, colours[role]) >= 4.5, (red, colours[role])
    border = re.search(r"QLineEdit\[invalid=\"true\"\][^{]*\{[^}]*border:\s*1px solid (#[0-9a-fA-F]{6})", sheet)
    assert border is not None and contrast(border.group(1), colours[palettes.Role.Base]) >= 3.0  # WCAG 1.4.11
