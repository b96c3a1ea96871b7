"""The system tray icon: a menu with "Copy token" per profile, and the notifications."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from .icons import app_icon, icon, provider_icon, tray_icon


class TrayIcon(QSystemTrayIcon):
    """Args:
        show_window: brings the main window up.
        copy_token: copies a profile's token (by name).
        quit_app: ends the app (the window's close only hides it while the tray is there).
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
        self.menu = QMenu()
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        self.set_profiles([])

    def set_profiles(self, profiles: list[tuple[str, str]]) -> None:
        """Rebuild the menu for ``(name, provider)`` pairs."""
        self.menu.clear()
        show = self.menu.addAction(app_icon(), "Show musicauth")
        show.triggered.connect(self._show_window)
        self.menu.addSeparator()
        if profiles:
            header = self.menu.addAction("Copy token")
            header.setEnabled(False)
            for name, provider in profiles:
                action = QAction(provider_icon(provider), name, self.menu)
                action.setObjectName(f"copy:{name}")
                action.triggered.connect(lambda _=False, n=name: self._copy_token(n))
                self.menu.addAction(action)
            self.menu.addSeparator()
        quit_action = self.menu.addAction(icon("sign-out"), "Quit")
        quit_action.triggered.connect(self._quit)

    def copy_actions(self) -> list[QAction]:
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
