"""The bottom row the tool dialogs (keys, DevTokens) share: a status line and a Close button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel


def status_and_close(dialog: QDialog) -> tuple[QLabel, QHBoxLayout]:
    """A selectable, word-wrapped status label (object name ``status``) and the row that holds
    it beside a Close button; Close rejects the dialog and is not the default button (Enter
    belongs to the dialog's own fields)."""
    status = QLabel(dialog)
    status.setObjectName("status")
    status.setWordWrap(True)
    status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    status.setAccessibleName("Status")  # selectable, hence focusable; empty until something happens
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    close.rejected.connect(dialog.reject)
    close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
    row = QHBoxLayout()
    row.addWidget(status, 1)
    row.addWidget(close, 0, Qt.AlignmentFlag.AlignBottom)
    return status, row
