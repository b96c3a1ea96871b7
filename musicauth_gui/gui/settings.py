"""The desktop app's preferences and remembered window state, kept with QSettings.

One typed accessor per value, each with its default, so no other module spells a key or
converts a QSettings value (an INI file hands back strings; a hand-edited one anything at all:
a value that cannot be read is its default).

Where they live: ``QSettings(ORG_NAME, APP_NAME)``, that is
``$XDG_CONFIG_HOME/musicauth/musicauth.conf`` on Linux, the registry under
``HKCU\\Software\\musicauth`` on Windows, a plist on macOS. Demo mode keeps its own file
(``musicauth-demo``): exploring the sandbox never moves the real window, its selection or its
filter. Start at login is not kept here: what is on disk (``core/autostart.py``) is the truth.

Nothing here is a secret; profile names and the filter text are not either.
"""

from __future__ import annotations

from typing import Literal, get_args

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from .. import APP_NAME, ORG_NAME

Theme = Literal["system", "light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)

DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30
#: Longest clipboard delay offered (ten minutes); 0 means "never" (still cleared at quit).
MAX_CLIPBOARD_CLEAR_SECONDS = 600


class Preferences(QObject):
    """Typed access to the preferences; every change is written through at once.

    Args:
        store: the QSettings to read and write (tests give one on a file of their own).

    Signals:
        changed(str): a preference changed, by its name: ``clipboard_clear_seconds``,
            ``notifications`` or ``theme`` (the remembered window state sends nothing).
    """

    changed = Signal(str)

    def __init__(self, store: QSettings, *, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    @classmethod
    def open(cls, *, demo: bool = False, parent: QObject | None = None) -> Preferences:
        """The user's preferences (demo mode's own when ``demo``)."""
        application = f"{APP_NAME}-demo" if demo else APP_NAME
        store = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORG_NAME, application)
        return cls(store, parent=parent)

    @property
    def location(self) -> str:
        """The file (or registry key) they are kept in."""
        return self._store.fileName()

    def sync(self) -> None:
        """Write pending changes now (QSettings otherwise writes them a moment later, or at exit)."""
        self._store.sync()

    # -- preferences (the Preferences dialog) -----------------------------------------------------

    @property
    def clipboard_clear_seconds(self) -> int:
        """Seconds before a copied secret is cleared from the clipboard; 0: never."""
        value = _as_int(self._store.value("clipboard/clearSeconds"), DEFAULT_CLIPBOARD_CLEAR_SECONDS)
        return min(max(value, 0), MAX_CLIPBOARD_CLEAR_SECONDS)

    @clipboard_clear_seconds.setter
    def clipboard_clear_seconds(self, seconds: int) -> None:
        seconds = min(max(int(seconds), 0), MAX_CLIPBOARD_CLEAR_SECONDS)
        self._set("clipboard/clearSeconds", seconds, "clipboard_clear_seconds", seconds != self.clipboard_clear_seconds)

    @property
    def notifications(self) -> bool:
        """Whether tray notifications (failed renewals, expiring tokens, tray copies) are shown."""
        return _as_bool(self._store.value("notifications/enabled"), True)

    @notifications.setter
    def notifications(self, enabled: bool) -> None:
        self._set("notifications/enabled", bool(enabled), "notifications", bool(enabled) != self.notifications)

    @property
    def theme(self) -> Theme:
        """``system`` follows the desktop's colour scheme; ``light`` and ``dark`` override it."""
        value = self._store.value("appearance/theme")
        for theme in THEMES:
            if value == theme:
                return theme
        return "system"

    @theme.setter
    def theme(self, theme: Theme) -> None:
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}")
        self._set("appearance/theme", theme, "theme", theme != self.theme)

    # -- remembered state -------------------------------------------------------------------------

    @property
    def tray_hint_shown(self) -> bool:
        """Whether "musicauth keeps running in the tray" was shown once already."""
        return _as_bool(self._store.value("tray/hintShown"), False)

    @tray_hint_shown.setter
    def tray_hint_shown(self, shown: bool) -> None:
        self._store.setValue("tray/hintShown", bool(shown))

    @property
    def window_geometry(self) -> QByteArray | None:
        """``QWidget.saveGeometry()`` of the main window, or None before the first save."""
        return _as_bytes(self._store.value("window/geometry"))

    @window_geometry.setter
    def window_geometry(self, geometry: QByteArray) -> None:
        self._store.setValue("window/geometry", geometry)

    @property
    def splitter_state(self) -> QByteArray | None:
        """``QSplitter.saveState()`` of the list / detail splitter, or None."""
        return _as_bytes(self._store.value("window/splitter"))

    @splitter_state.setter
    def splitter_state(self, state: QByteArray) -> None:
        self._store.setValue("window/splitter", state)

    @property
    def selected_profile(self) -> str | None:
        """The profile selected when the window was last closed."""
        value = self._store.value("window/selectedProfile")
        return value if isinstance(value, str) and value else None

    @selected_profile.setter
    def selected_profile(self, name: str | None) -> None:
        if name:
            self._store.setValue("window/selectedProfile", name)
        else:
            self._store.remove("window/selectedProfile")

    @property
    def filter_text(self) -> str:
        value = self._store.value("window/filter")
        return value if isinstance(value, str) else ""

    @filter_text.setter
    def filter_text(self, text: str) -> None:
        self._store.setValue("window/filter", text)

    def last_folder(self, purpose: str) -> str | None:
        """The folder a file of ``purpose`` (``file_folders.py``) was last opened from or saved to."""
        value = self._store.value(f"folders/{purpose}")
        return value if isinstance(value, str) and value else None

    def set_last_folder(self, purpose: str, folder: str) -> None:
        self._store.setValue(f"folders/{purpose}", folder)

    def _set(self, key: str, value: object, name: str, differs: bool) -> None:
        self._store.setValue(key, value)
        if differs:
            self.changed.emit(name)


def _as_int(value: object, default: int) -> int:
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


def _as_bool(value: object, default: bool) -> bool:
    # The INI format stores booleans as "true"/"false"; the registry and plists as typed values.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int):
        return value != 0
    return default


def _as_bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes) and value:
        return QByteArray(value)
    return None
