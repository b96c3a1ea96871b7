"""One running window per user (and per mode): a second ``musicauth-gui`` brings the first one
to the front instead of starting a rival renewal scheduler."""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from .. import APP_ID

_ACTIVATE = b"activate\n"


def server_name(demo: bool) -> str:
    user = hashlib.sha256(getpass.getuser().encode()).hexdigest()[:12]
    return f"{APP_ID}-{user}" + ("-demo" if demo else "")


def activate_running(name: str, timeout_ms: int = 500) -> bool:
    """True when another instance answered and was asked to come to the front."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(_ACTIVATE)
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later instances.

    Signals:
        activation_requested(): another instance started; show the window.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A stale socket file from a crashed instance (nobody answered activate_running).
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_ACTIVATE.strip()):
            self.activation_requested.emit()
        socket.disconnectFromServer()
