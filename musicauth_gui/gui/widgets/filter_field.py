"""The profile filter: a line edit that knows the two keys a filter box is expected to know.

- Esc clears it (and, already empty, hands the focus back to the list);
- Down (and Page Down) moves into the list, as in a browser's address bar or a launcher.

What "the list" is and how the focus gets there is the window's business: this only says
which key was pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class FilterField(QLineEdit):
    """Signals:
        leave_requested(): Down, Page Down, or Esc with nothing to clear: go to the list.
    """

    leave_requested = Signal()

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Qt imported here, not at the top: the field is built before the first paint, and the
        # Qt namespace's first use costs ~25 ms (main_window.py).
        from PySide6.QtCore import Qt

        key = event.key()
        mods = Qt.KeyboardModifier
        plain = not event.modifiers() & (mods.ShiftModifier | mods.ControlModifier | mods.AltModifier | mods.MetaModifier)
        if key == Qt.Key.Key_Escape and plain:
            if self.text():
                self.clear()
            else:
                self.leave_requested.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and plain:
            self.leave_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
