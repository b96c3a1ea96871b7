"""The strip above the profile list that names a keyring problem, with Retry and Unlock, and a
button for any other action the problem suggests ("Use the vault file…", "Show damaged entry").

Built before the first paint (it is part of the window's layout), so only the frame and its
label exist until a problem is shown; the buttons are made then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        #: The buttons of the problem shown besides Retry and Unlock, by object name.
        self.extra_buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_problem(
        self,
        message: str,
        *,
        kind: str = "error",
        retry: bool = True,
        unlock: bool = False,
        extra: Sequence[tuple[str, str, Callable[[], object]]] = (),
    ) -> None:
        """Show ``message``; ``kind`` is error | warning | info (the stylesheet's colours);
        ``extra``: more buttons, as (words, object name, what a click does)."""
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
        self._remove_extra()
        for text, name, slot in extra:
            self.extra_buttons[name] = self._button(text, name, slot, before=self.unlock_button)
        self.set_busy(False)
        self.show()

    def set_busy(self, busy: bool) -> None:
        """Grey the buttons out while a retry or an unlock runs (one at a time)."""
        for button in (self.retry_button, self.unlock_button, *self.extra_buttons.values()):
            if button is not None:
                button.setEnabled(not busy)

    def clear(self) -> None:
        self.text.clear()
        self._remove_extra()
        self.hide()

    def _remove_extra(self) -> None:
        for button in self.extra_buttons.values():
            self._layout.removeWidget(button)
            button.hide()
            button.deleteLater()  # not at once: the click that cleared the banner may be its own
        self.extra_buttons.clear()

    def _button(self, text: str, name: str, slot: Callable[[], object], *, before: QPushButton | None = None) -> QPushButton:
        from PySide6.QtWidgets import QPushButton  # not before the first paint: no problem yet

        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        if before is None:
            self._layout.addWidget(button)
        else:
            self._layout.insertWidget(self._layout.indexOf(before), button)
        return button
