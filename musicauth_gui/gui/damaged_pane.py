"""What the detail side shows for a damaged keyring entry: what is wrong, Remove and Re-import.

A damaged entry has no readable record (no provider, no secret, no token), so it gets its own
small pane instead of the profile pane with everything greyed out.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core.state import DamagedEntry
from .icons import icon, repolish, state_icon
from .profile_model import STATE_LABELS
from .widgets.pane_header import pane_header


class DamagedEntryPane(QWidget):
    """Shows one ``DamagedEntry``.

    Signals:
        remove_requested(str): the user chose Remove for this profile name.
        reimport_requested(str): the user chose Re-import for this profile name.
    """

    remove_requested = Signal(str)
    reimport_requested = Signal(str)

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        head = pane_header(title_object_name="damagedTitle")
        self.icon_label, self.title, self.badge = head.icon, head.title, head.badge
        self.icon_label.setPixmap(state_icon("damaged").pixmap(40, 40))
        head.subtitle.setText("Damaged keyring entry")
        self.badge.setText(STATE_LABELS["damaged"])
        self.badge.setProperty("state", "error")  # the stylesheet's red pill
        outer.addLayout(head.layout)

        self.reason_label = QLabel()
        self.reason_label.setObjectName("damagedReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setProperty("banner", True)  # framed, coloured by kind (the style sheets)
        self.reason_label.setProperty("kind", "error")
        outer.addWidget(self.reason_label)

        self.help_label = QLabel()
        self.help_label.setObjectName("damagedHelp")
        self.help_label.setWordWrap(True)
        outer.addWidget(self.help_label)

        buttons = QHBoxLayout()
        self.remove_button = QPushButton(icon("delete"), "&Remove entry…")
        self.remove_button.setObjectName("removeDamagedButton")
        self.remove_button.clicked.connect(lambda _=False: self.name and self.remove_requested.emit(self.name))
        self.reimport_button = QPushButton(icon("import"), "Re-&import…")
        self.reimport_button.setObjectName("reimportDamagedButton")
        self.reimport_button.clicked.connect(lambda _=False: self.name and self.reimport_requested.emit(self.name))
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.reimport_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        outer.addStretch(1)
        repolish(self.badge)

    def show_entry(self, entry: DamagedEntry) -> None:
        self.name = entry.name
        self.title.setText(entry.name)
        self.reason_label.setText(entry.reason)
        self.help_label.setText(
            f"Its definition, client secret and tokens cannot be read back, so it cannot be used or "
            f"renewed; the other profiles are not affected. Re-import a profiles file that defines "
            f"{entry.name!r} (or save a new profile with that name) to replace it, or remove the entry. "
            f"A token it held is lost either way: sign in again afterwards."
        )
