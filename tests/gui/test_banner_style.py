"""The banner look (frame, tinted background) goes to the widgets that ask for it, and only to
them: the tool dialogs' status line carries a ``kind`` for its colour, and once showed as a blue
box because the style sheets' banner rule matched any QFrame (a QLabel is one) with a kind."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from musicauth_gui.core.errors import ConfigError
from musicauth_gui.gui import icons, palettes
from musicauth_gui.gui.dialogs.status_row import set_status, status_and_close
from musicauth_gui.gui.widgets.message_line import MessageLine


@pytest.fixture(params=[False, True], ids=["light", "dark"])
def themed(request, qapp):  # type: ignore[no-untyped-def]
    """The app in one theme's palette and style sheet, as ``apply_theme`` leaves it."""
    dark = request.param
    old_sheet, old_palette = qapp.styleSheet(), qapp.palette()
    qapp.setPalette(palettes.palette(dark))
    qapp.setStyleSheet(icons.stylesheet(dark))
    yield dark
    qapp.setStyleSheet(old_sheet)
    qapp.setPalette(old_palette)


def dialog_with_status(qtbot):  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    status, fixes, row = status_and_close(dialog)
    layout.addLayout(row)
    banner = MessageLine(object_name="someBanner", parent=dialog)
    layout.addWidget(banner)
    dialog.resize(420, 160)
    return dialog, status, fixes, banner


def colours_beside_text(image: QImage, label: QLabel) -> set[str]:
    """The colours in ``label``'s rectangle (``image`` is its window's) right of its words,
    where only a frame or a background of its own can paint anything."""
    rect = QRect(label.mapTo(label.window(), QPoint(0, 0)), label.size())
    text_end = rect.left() + label.fontMetrics().horizontalAdvance(label.text()) + 4
    return {image.pixelColor(x, y).name() for x in range(text_end, rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)}


def test_a_plain_status_line_has_no_frame_or_background(qtbot, themed) -> None:  # type: ignore[no-untyped-def]
    dialog, status, fixes, banner = dialog_with_status(qtbot)
    window = QColor((palettes.DARK if themed else palettes.LIGHT)[palettes.Role.Window]).name()
    set_status(status, fixes, "Loaded 3 keys.")
    banner.show_text("Signed with key 'demo-key'", kind="info")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert status.property("kind") == "info" and status.text() == "Loaded 3 keys."

    image = dialog.grab().toImage()
    assert colours_beside_text(image, status) == {window}
    # The same rule still frames what asks for it: a message line's tinted box.
    assert window not in colours_beside_text(image, banner.label) and banner.property("banner") is True

    set_status(status, fixes, "Import failed: ", error=ConfigError("the file is not TOML"))
    image = dialog.grab().toImage()
    assert status.property("kind") == "error"
    assert colours_beside_text(image, status) == {window}  # red words, still unframed
