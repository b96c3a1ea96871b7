"""The strip above the profile list that names a keyring problem, with Retry and Unlock.

Built before the first paint (it is part of the window's layout), so only the frame and its
label exist until a problem is shown; the buttons are made then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPushButton


class StoreBanner(QFrame):
    """A hidden-by-default banner (``QFrame#banner``, styled by its ``kind`` property).

    Signals:
        retry_clicked(): the user asked to read the keyring again.
        unlock_clicked(): the user asked for the keyring's unlock prompt.
    """

    retry_clicked = Signal()
    unlock_clicked = Signal()

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "error")
        self._layout = QHBoxLayout(self)
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self._layout.addWidget(self.text, 1)
        self.retry_button: QPushButton | None = None
        self.unlock_button: QPushButton | None = None
        self.hide()

    def show_problem(self, message: str, *, kind: str = "error", retry: bool = True, unlock: bool = False) -> None:
        """Show ``message``; ``kind`` is error | warning | info (the stylesheet's colours)."""
        from .. import icons

        if self.retry_button is None:
            self.unlock_button = self._button("&Unlock…", "unlockButton", self.unlock_clicked.emit)
            self.retry_button = self._button("Re&try", "retryButton", self.retry_clicked.emit)
        assert self.unlock_button is not None
        self.text.setText(message)
        self.setProperty("kind", kind)
        icons.repolish(self)
        self.retry_button.setVisible(retry)
        self.unlock_button.setVisible(unlock)
        self.set_busy(False)
        self.show()

    def set_busy(self, busy: bool) -> None:
        """Grey the buttons out while a retry or an unlock runs (one at a time)."""
        for button in (self.retry_button, self.unlock_button):
            if button is not None:
                button.setEnabled(not busy)

    def clear(self) -> None:
        self.text.clear()
        self.hide()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        from PySide6.QtWidgets import QPushButton  # not before the first paint: no problem yet

        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        self._layout.addWidget(button)
        return button
