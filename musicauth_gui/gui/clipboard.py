"""Copying secrets the way password managers do (KeePassXC's Clipboard.cpp), which no API
client does:

- the copy is marked so that clipboard-history tools skip it: ``x-kde-passwordManagerHint:
  secret`` (KDE Klipper and others on Linux), ``ExcludeClipboardContentFromMonitorProcessing``
  plus ``CanIncludeInClipboardHistory`` = 0 and ``CanUploadToCloudClipboard`` = 0 (Windows),
  ``org.nspasteboard.ConcealedType`` (macOS pasteboard managers);
- it is cleared after N seconds (30 by default, a preference; 0: never), but only if the
  clipboard still holds it: a user who copied something else meanwhile keeps it. Whatever the
  delay, it is cleared when the app quits.
"""

from __future__ import annotations

import struct
import sys

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

DEFAULT_CLEAR_SECONDS = 30


def concealed_mime(text: str) -> QMimeData:
    """QMimeData with ``text`` and every platform's "this is a secret" marker."""
    mime = QMimeData()
    mime.setText(text)
    # WORKAROUND: each platform's managers read a different marker; setting all of them is
    # harmless (unknown formats are ignored), and the clipboard may cross to another OS through
    # remote desktops.
    mime.setData("x-kde-passwordManagerHint", b"secret")
    zero_dword = struct.pack("<I", 0)
    if sys.platform == "win32":
        mime.setData('application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"', b"")
        mime.setData('application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"', zero_dword)
        mime.setData('application/x-qt-windows-mime;value="CanUploadToCloudClipboard"', zero_dword)
    else:
        mime.setData("ExcludeClipboardContentFromMonitorProcessing", b"")
        mime.setData("CanIncludeInClipboardHistory", zero_dword)
        mime.setData("CanUploadToCloudClipboard", zero_dword)
    mime.setData("org.nspasteboard.ConcealedType", text.encode("utf-8"))
    return mime


class SecretClipboard(QObject):
    """Copies secrets with concealment markers and clears them after a while.

    Signals:
        copied(str): a description of what was copied ("token", "header", ...), for a status line.
    """

    copied = Signal(str)

    def __init__(self, *, clear_after: float = DEFAULT_CLEAR_SECONDS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clear_after = clear_after
        self._last: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._clear_if_unchanged)
        app = QGuiApplication.instance()
        if app is not None:
            # Leave no secret behind when the app ends (KeePassXC does the same).
            app.aboutToQuit.connect(self.clear_now)

    @property
    def clipboard(self) -> QClipboard:
        return QGuiApplication.clipboard()

    def copy_secret(self, text: str, *, what: str = "secret") -> None:
        """Copy ``text`` concealed; clear it after ``clear_after`` seconds if still there."""
        self.clipboard.setMimeData(concealed_mime(text), QClipboard.Mode.Clipboard)
        self._last = text
        if self.clear_after > 0:
            self._timer.start(int(self.clear_after * 1000))
        self.copied.emit(what)

    def clear_note(self) -> str:
        """When a copy goes away, for a status line: "the clipboard clears in 30 s"."""
        if self.clear_after > 0:
            return f"the clipboard clears in {self.clear_after:g} s"
        return "the clipboard keeps it until you copy something else or quit musicauth"

    def copy_plain(self, text: str, *, what: str = "text") -> None:
        """Copy something public (a public key): no markers, no clearing."""
        self.clipboard.setText(text, QClipboard.Mode.Clipboard)
        self.copied.emit(what)

    def clear_now(self) -> None:
        self._clear_if_unchanged()

    def _clear_if_unchanged(self) -> None:
        self._timer.stop()
        if self._last is not None and self.clipboard.text(QClipboard.Mode.Clipboard) == self._last:
            self.clipboard.clear(QClipboard.Mode.Clipboard)
        self._last = None
