"""The Preferences dialog: clipboard delay, notifications, start at login, theme.

Every change applies at once (written to the preferences, which the window follows: the next
copy uses the new delay, the theme switches live), so there is no OK/Apply, only Close, as in
GNOME and macOS preference windows.

The clipboard delay's 0 is "Never": the copy then stays until something else is copied or
musicauth quits (it is still cleared at quit, if unchanged). Start at login is not a stored
preference: the checkbox shows whether the platform's login entry exists (``core/autostart.py``)
and writes or removes it when clicked; in demo mode it is shown but cannot be changed, since the
entry would start the real app.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import autostart as autostart_module
from ...core.autostart import Autostart, AutostartError
from ..icons import repolish
from ..messages import error_text
from ..settings import MAX_CLIPBOARD_CLEAR_SECONDS, THEMES, Preferences
from .modeless import open_once

THEME_LABELS = {"system": "Same as the system", "light": "Light", "dark": "Dark"}


class PreferencesDialog(QDialog):
    """Args:
        preferences: what the controls read and write.
        autostart: the platform's login entry (``core.autostart.for_platform()`` unless given).
        command: the argv the login entry runs (``core.autostart.launch_command()`` unless given).
        demo: start at login cannot be changed (the entry would start the real app).
        parent: the owning window.
    """

    def __init__(
        self,
        preferences: Preferences,
        *,
        autostart: Autostart | None = None,
        command: Sequence[str] | None = None,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._autostart = autostart if autostart is not None else autostart_module.for_platform()
        self._command = list(command) if command is not None else None
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(520)  # the notes under the fields read as lines, not columns

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.clipboard_delay = QSpinBox(self)
        self.clipboard_delay.setObjectName("clipboardDelay")
        self.clipboard_delay.setRange(0, MAX_CLIPBOARD_CLEAR_SECONDS)
        self.clipboard_delay.setSuffix(" s")
        self.clipboard_delay.setSpecialValueText("Never")  # shown for 0
        self.clipboard_delay.setAccessibleName("Clear copied tokens after, in seconds (0: never)")
        self.clipboard_delay.setValue(preferences.clipboard_clear_seconds)
        self.clipboard_delay.valueChanged.connect(self._set_clipboard_delay)
        form.addRow("Clear copied tokens after:", self.clipboard_delay)
        form.addRow("", _note("Only if the clipboard still holds the copy; always when musicauth quits.", self))

        self.notifications = QCheckBox("Show notifications from the tray", self)
        self.notifications.setObjectName("notifications")
        self.notifications.setChecked(preferences.notifications)
        self.notifications.toggled.connect(self._set_notifications)
        form.addRow("Notifications:", self.notifications)
        form.addRow("", _note("A renewal that failed, a token about to expire, a copy from the tray menu.", self))

        self.start_at_login = QCheckBox("Start musicauth in the tray when I log in", self)
        self.start_at_login.setObjectName("startAtLogin")
        self.start_at_login.toggled.connect(self._set_start_at_login)
        if demo:
            self.start_at_login.setEnabled(False)
            self.start_at_login.setToolTip("Not in demo mode: the login entry would start the real app.")
        form.addRow("Start at login:", self.start_at_login)
        self.autostart_error = QLabel(self)
        self.autostart_error.setObjectName("autostartError")
        self.autostart_error.setWordWrap(True)
        self.autostart_error.setProperty("banner", True)  # framed, coloured by kind (the style sheets)
        self.autostart_error.setProperty("kind", "error")
        self.autostart_error.hide()
        form.addRow("", self.autostart_error)

        self.theme = QComboBox(self)
        self.theme.setObjectName("theme")
        for theme in THEMES:
            self.theme.addItem(THEME_LABELS[theme], theme)
        self.theme.setCurrentIndex(THEMES.index(preferences.theme))
        self.theme.currentIndexChanged.connect(self._set_theme)
        form.addRow("Theme:", self.theme)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show_start_at_login()

    @classmethod
    def open_for(cls, parent: QWidget | None, preferences: Preferences, *, demo: bool = False) -> PreferencesDialog:
        """Show the dialog modeless, owned by ``parent`` (raising the one already open there)."""
        return open_once(parent, cls, lambda: cls(preferences, demo=demo, parent=parent))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_start_at_login()  # switched in the system's settings meanwhile, perhaps

    # -- what the controls do -------------------------------------------------------------------------

    def _set_clipboard_delay(self, seconds: int) -> None:
        self._preferences.clipboard_clear_seconds = seconds

    def _set_notifications(self, enabled: bool) -> None:
        self._preferences.notifications = enabled

    def _set_theme(self, index: int) -> None:
        self._preferences.theme = THEMES[index]

    def _set_start_at_login(self, enabled: bool) -> None:
        try:
            if enabled:
                command = self._command if self._command is not None else autostart_module.launch_command()
                self._autostart.enable(command)
            else:
                self._autostart.disable()
        except AutostartError as exc:
            self.autostart_error.setText(error_text(exc))
            self.autostart_error.show()
            repolish(self.autostart_error)
        else:
            self.autostart_error.hide()
        self._show_start_at_login()

    def _show_start_at_login(self) -> None:
        """The checkbox as the login entry on disk is (after a failed write too)."""
        self.start_at_login.blockSignals(True)
        try:
            self.start_at_login.setChecked(self._autostart.is_enabled())
        finally:
            self.start_at_login.blockSignals(False)


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label
