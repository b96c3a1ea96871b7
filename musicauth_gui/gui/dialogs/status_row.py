"""The bottom row the tool dialogs (keys, DevTokens) share: a status line, the buttons of the
actions an error in it suggests, and a Close button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel

from ..error_actions import ErrorActions
from ..icons import repolish
from ..messages import message_text
from ..widgets.message_line import MessageLine


def status_and_close(dialog: QDialog) -> tuple[QLabel, MessageLine, QHBoxLayout]:
    """A selectable, word-wrapped status label (object name ``status``), the buttons of its
    error's actions (``statusActions``, ``set_status``) and the row that holds them beside a
    Close button; Close rejects the dialog and is not the default button (Enter belongs to the
    dialog's own fields)."""
    status = QLabel(dialog)
    status.setObjectName("status")
    status.setWordWrap(True)
    status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    status.setAccessibleName("Status")  # selectable, hence focusable; empty until something happens
    fixes = MessageLine(object_name="statusActions", parent=dialog)
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    close.rejected.connect(dialog.reject)
    close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
    row = QHBoxLayout()
    row.addWidget(status, 1)
    row.addWidget(fixes, 0, Qt.AlignmentFlag.AlignBottom)
    row.addWidget(close, 0, Qt.AlignmentFlag.AlignBottom)
    return status, fixes, row


def set_status(
    status: QLabel,
    fixes: MessageLine,
    text: str,
    *,
    error: bool | BaseException = False,
    actions: ErrorActions | None = None,
) -> None:
    """Show ``text`` on one line, in the themed validation red when ``error`` (the style
    sheets' ``QLabel#status[kind="error"]``); an exception as ``error`` is worded here and its
    actions become buttons that ``actions`` carries out."""
    if isinstance(error, BaseException):
        text = f"{text}{message_text(error)}"
        fixes.show_error(error, actions, kind="plain", text="")
    else:
        fixes.clear()
    # One line: the core's messages are single lines already; this guards the rest.
    status.setText(" ".join(text.split()))
    status.setProperty("kind", "error" if error is not False else "info")
    repolish(status)
