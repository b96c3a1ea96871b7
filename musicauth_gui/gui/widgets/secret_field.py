"""A read-only (or editable) field for a secret: masked by default, with a reveal toggle."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget

from ..icons import icon

REVEAL_SHORTCUT = "Ctrl+H"


class SecretField(QLineEdit):
    """Masked text with an eye action to reveal it; overwrites its text before clearing.

    Args:
        read_only: show-only (tokens) or editable (client secrets).
        placeholder: text shown while empty.
    """

    def __init__(self, *, read_only: bool = False, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(read_only)
        self.setPlaceholderText(placeholder)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self._reveal = QAction(icon("reveal"), "Show", self)
        self._reveal.setCheckable(True)
        self._reveal.setObjectName("reveal")
        # Ctrl+H while the field (or its eye) has the focus, as in KeePassXC; not window-wide,
        # where a dialog's field and the window's would both answer it.
        self._reveal.setShortcut(QKeySequence(REVEAL_SHORTCUT))
        self._reveal.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._reveal.setToolTip(f"Show or hide the value ({REVEAL_SHORTCUT})")
        self._reveal.toggled.connect(self.set_revealed)
        self.addAction(self._reveal, QLineEdit.ActionPosition.TrailingPosition)
        # The eye's button takes no focus in Qt: by Tab it could not be reached at all.
        self.reveal_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.reveal_button.setAccessibleName("Show or hide the value")

    @property
    def reveal_action(self) -> QAction:
        return self._reveal

    @property
    def reveal_button(self) -> QToolButton:
        """The eye: the button Qt made for the reveal action."""
        button = next(b for b in self.findChildren(QToolButton) if b.defaultAction() is self._reveal)
        return button

    def is_revealed(self) -> bool:
        return self.echoMode() == QLineEdit.EchoMode.Normal

    def set_revealed(self, revealed: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if revealed else QLineEdit.EchoMode.Password)
        self._reveal.setIcon(icon("hide" if revealed else "reveal"))
        self._reveal.setText("Hide" if revealed else "Show")
        if self._reveal.isChecked() != revealed:
            self._reveal.setChecked(revealed)

    def clear_secret(self) -> None:
        """Overwrite, then clear: the old buffer does not keep the secret (best effort)."""
        self.setText("\0" * len(self.text()))
        self.clear()
        self.set_revealed(False)
