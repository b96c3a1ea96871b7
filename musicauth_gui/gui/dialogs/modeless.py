"""Modeless tool windows (keys, DevTokens, preferences): shown beside the main window, deleted
when closed, and one at a time per parent where that is what the user expects."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

D = TypeVar("D", bound=QDialog)


def show_modeless(dialog: D) -> D:
    """Show ``dialog`` in front, deleted when it closes."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def open_once(parent: QWidget | None, kind: type[D], make: Callable[[], D]) -> D:
    """The ``kind`` dialog already open on ``parent``, brought to the front, or a new one from
    ``make`` shown modeless."""
    if parent is not None:
        for existing in parent.findChildren(kind):
            if existing.isVisible():
                existing.raise_()
                existing.activateWindow()
                return existing
    return show_modeless(make())
