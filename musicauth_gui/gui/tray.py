"""The system tray icon: a menu with each profile's state and "Copy token", and the notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from .icons import app_icon, icon, provider_icon, tray_icon


@dataclass(frozen=True)
class TrayEntry:
    """One profile in the tray menu.

    Attributes:
        name: the profile.
        provider: its provider id (for the icon).
        state_text: its state in a few words ("valid, 59m 12s left"; ``profile_model.state_summary``).
        can_copy: whether a token can be had without a sign-in (``profile_action_rules.token_obtainable``).
    """

    name: str
    provider: str
    state_text: str
    can_copy: bool

    @property
    def text(self) -> str:
        return f"{self.name} — {self.state_text}"


class TrayIcon(QSystemTrayIcon):
    """Args:
        show_window: brings the main window up.
        copy_token: copies a profile's token (by name).
        quit_app: ends the app (the window's close only hides it while the tray is there).

    Signals: those of QSystemTrayIcon; ``menu.aboutToShow`` is when the entries' times are
    worth refreshing (the window connects it).
    """

    def __init__(
        self,
        *,
        show_window: Callable[[], None],
        copy_token: Callable[[str], None],
        quit_app: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tray_icon(), parent)
        self.setToolTip("musicauth")
        self._show_window = show_window
        self._copy_token = copy_token
        self._quit = quit_app
        self._shown: list[tuple[str, str]] = []  # (name, provider) of each entry, as built
        self._copy: dict[str, QAction] = {}
        self.menu = QMenu()
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        self._rebuild([])

    def set_profiles(self, entries: list[TrayEntry]) -> None:
        """Show ``entries``. The menu is rebuilt only when the profiles themselves change (every
        renewal calls this); otherwise each entry's text and enabled state change in place."""
        shown = [(entry.name, entry.provider) for entry in entries]
        if shown != self._shown:
            self._rebuild(entries)
            return
        for entry in entries:
            self.update_entry(entry)

    def update_entry(self, entry: TrayEntry) -> bool:
        """Show one profile's new state in place; False when that takes a rebuild (a profile
        without an entry, or whose provider, and so icon, changed)."""
        action = self._copy.get(entry.name)
        if action is None or (entry.name, entry.provider) not in self._shown:
            return False
        action.setText(_menu_text(entry.text))
        action.setEnabled(entry.can_copy)
        return True

    def _rebuild(self, entries: list[TrayEntry]) -> None:
        self.menu.clear()
        self._copy.clear()
        self._shown = [(entry.name, entry.provider) for entry in entries]
        show = self.menu.addAction(app_icon(), "Show musicauth")
        show.triggered.connect(self._show_window)
        self.menu.addSeparator()
        if entries:
            header = self.menu.addAction("Copy token")
            header.setEnabled(False)
            for entry in entries:
                action = QAction(provider_icon(entry.provider), _menu_text(entry.text), self.menu)
                action.setObjectName(f"copy:{entry.name}")
                action.setData(entry.name)
                action.setEnabled(entry.can_copy)
                action.triggered.connect(lambda _=False, n=entry.name: self._copy_token(n))
                self.menu.addAction(action)
                self._copy[entry.name] = action
            self.menu.addSeparator()
        quit_action = self.menu.addAction(icon("sign-out"), "Quit")
        quit_action.triggered.connect(self._quit)

    def copy_actions(self) -> list[QAction]:
        """The per-profile "Copy token" entries; each one's ``data()`` is its profile's name."""
        return [a for a in self.menu.actions() if a.objectName().startswith("copy:")]

    def notify(self, title: str, message: str, *, warning: bool = False) -> bool:
        """A balloon or desktop notification; whether the platform could show one."""
        kind = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
        if not (self.isVisible() and QSystemTrayIcon.supportsMessages()):
            return False
        self.showMessage(title, message, kind, 8000)
        return True

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._show_window()


def _menu_text(text: str) -> str:
    # A profile name is the user's text: an "&" in it is a letter, not a mnemonic.
    return text.replace("&", "&&")
