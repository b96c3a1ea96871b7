"""The profile editor's Redirect URI row: the field, and under it the exact URI to register with
the provider with a copy button (as Postman shows its callback URL), and what sign-in will do.

What to register is the core's rule (``core.oauth.loopback.redirect_to_register``); whether the
provider takes any port on a loopback URI is its preset's (``Preset.loopback_any_port``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from ...core.errors import ConfigError
from ...core.oauth.loopback import redirect_to_register
from ...core.presets import Preset
from ..icons import icon

#: The example of a fixed port, in the words under the field.
PINNED_EXAMPLE = "http://127.0.0.1:8765/callback"


class RedirectHint(QWidget):
    """The field (given) with the register line and a note under it.

    Args:
        field: the Redirect URI line edit (placed first).
        copy: puts a URI on the clipboard (public: no concealment, no clearing).
    """

    def __init__(self, field: QLineEdit, *, copy: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._copy = copy
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        line = QHBoxLayout()
        line.setContentsMargins(3, 0, 0, 0)  # under the line edit's text
        self._lead = QLabel("Register:")
        self.uri_label = QLabel()
        self.uri_label.setObjectName("redirectToRegister")
        self.uri_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.uri_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton()
        self.copy_button.setObjectName("copyRedirectUriButton")
        self.copy_button.setIcon(icon("copy"))
        # Alt+Y, not a Tab stop: the form's Tab order stays field to field. (Ke&y id shares the
        # letter, but a DevToken form has no redirect URI and a sign-in form no key id.)
        self.copy_button.setText("Cop&y")
        self.copy_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setToolTip("Copy the redirect URI to register with the provider (Alt+Y)")
        self.copy_button.clicked.connect(lambda: self._copy(self.uri_label.text()))
        line.addWidget(self._lead)
        line.addWidget(self.uri_label, 1)
        line.addWidget(self.copy_button)
        column.addLayout(line)
        self.note = QLabel()
        self.note.setObjectName("redirectNote")
        self.note.setWordWrap(True)
        self.note.setContentsMargins(3, 0, 0, 0)
        self.note.setMinimumWidth(380)  # a wrapped label's height is honest at this width
        column.addWidget(self.note)

    def show_for(self, preset: Preset, text: str) -> None:
        """Say what to register for ``text`` (the field's value, "" when unset) with ``preset``."""
        try:
            shown = redirect_to_register(text or None)
        except ConfigError:
            # The editor marks the field and says why; there is nothing right to register.
            for widget in (self._lead, self.uri_label, self.copy_button, self.note):
                widget.setVisible(False)
            return
        for widget in (self._lead, self.uri_label, self.copy_button, self.note):
            widget.setVisible(True)
        self.uri_label.setText(shown.register)
        who = preset.label if not preset.issuer_required else "the provider"
        if shown.pinned:
            note = f"Sign-in listens on exactly this port: register this exact URI with {who}."
        elif preset.loopback_any_port:
            note = (
                f"Sign-in listens on {shown.listening}, the port chosen then; {who} accepts any port "
                "on a loopback URI registered without one (RFC 8252 §7.3)."
            )
        else:
            note = (
                f"Sign-in listens on {shown.listening}, the port chosen then. Any port works where the "
                f"provider follows RFC 8252 §7.3 (Spotify does); if {who} wants the exact URI, give a "
                f"fixed port above ({PINNED_EXAMPLE}) and register that."
            )
        self.note.setText(note)
