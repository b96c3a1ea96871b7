"""A message with its actions as buttons: what went wrong, and a click that does something about it.

The desktop app never sends anyone to the command line or to a file: each action an error
suggests (``core/errors.py``, ``Action``) is a button here, worded by ``messages.button_label``
and carried out by ``error_actions.ErrorActions``. An action that cannot be carried out where the
message is shown (no profile to sign in to, nothing to retry) has no button; the words beside
the buttons say only what no button can do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.errors import Action, MusicAuthError
from ..error_actions import ErrorActions
from ..icons import repolish
from ..messages import button_label, message_text
from .flow_layout import FlowLayout


def action_object_name(action: Action) -> str:
    """The button's object name, for tests and accessibility tools: ``action_sign_in``."""
    return f"action_{action.value}"


class MessageLine(QFrame):
    """A hidden-by-default line (styled by its ``kind``: error | warning | info) with a row of
    action buttons under it, which wraps at narrow widths.

    Args:
        object_name: the frame's; the label is ``<object_name>Text``.

    A ``kind`` the style sheets do not know ("plain") draws no frame: the buttons of a message
    shown by a label of its own (the profile editor's validation line).
    """

    def __init__(self, *, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("banner", True)  # the style sheets' framed look, coloured by kind
        self.setProperty("kind", "error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName(f"{object_name}Text")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self._row = FlowLayout(spacing=6)
        layout.addLayout(self._row)
        self._buttons: dict[Action, QPushButton] = {}
        #: What is shown, to leave its buttons alone when the same message is shown again
        #: (the pane shows its profile again at every change of it).
        self._shown: tuple[object, ...] | None = None
        self.clear()

    def show_error(
        self,
        exc: BaseException,
        actions: ErrorActions | None,
        *,
        kind: str = "error",
        text: str | None = None,
        skip: Collection[Action] = (),
    ) -> None:
        """Show ``exc`` (``text``: other words for it) and a button for each of its actions
        that ``actions`` can carry out here (but those in ``skip``)."""
        text = text if text is not None else message_text(exc)
        about = (text, kind, type(exc), getattr(exc, "profile", None), getattr(exc, "actions", ()), actions is None, tuple(skip))
        if about == self._shown:
            return
        self._set(text, kind)
        self._shown = about
        if isinstance(exc, MusicAuthError) and actions is not None:
            for action in exc.actions:
                if action in skip:
                    continue
                run = actions.handler(action, exc)
                if run is not None and action not in self._buttons:
                    self._add_button(action, button_label(action, exc), run)
        self.setVisible(bool(text or self._buttons))

    def show_text(self, text: str, *, kind: str = "info") -> None:
        """A message with no action to offer ("Signed with key 'x'")."""
        self._set(text, kind)

    def clear(self) -> None:
        self._remove_buttons()
        self._shown = None
        self.label.clear()
        self.label.hide()
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def buttons(self) -> dict[Action, QPushButton]:
        """The buttons shown, by action."""
        return dict(self._buttons)

    def button(self, action: Action) -> QPushButton | None:
        return self._buttons.get(action)

    def _set(self, text: str, kind: str) -> None:
        self._remove_buttons()
        self._shown = None
        self.label.setText(text)
        self.label.setVisible(bool(text))  # none: the buttons alone, beside words shown elsewhere
        if self.property("kind") != kind:
            self.setProperty("kind", kind)
            repolish(self)
            repolish(self.label)
        self.setVisible(bool(text))

    def _add_button(self, action: Action, label: str, run: Callable[[], object]) -> None:
        button = QPushButton(label)
        button.setObjectName(action_object_name(action))
        button.setAutoDefault(False)  # Enter belongs to the dialog's own fields
        button.clicked.connect(lambda _=False: run())
        self._buttons[action] = button
        self._row.addWidget(button)
        button.show()  # now, not queued (a layout shows a new child of a shown parent later)

    def _remove_buttons(self) -> None:
        for button in self._buttons.values():
            self._row.removeWidget(button)
            button.hide()
            button.deleteLater()  # not at once: the click that cleared this line may be its own
        self._buttons.clear()
