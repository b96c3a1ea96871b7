"""One running window per user (and per mode): a second ``musicauth-gui`` brings the first one
to the front instead of starting a rival renewal scheduler.

Who is first is settled by ``instance_lock`` before any window shows; this module is the
conversation (a QLocalServer named by ``instance_lock.instance_name``), loaded only when needed:
by the first instance once its window is usable, by a second one to knock.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_ACTIVATE = b"activate\n"


def activate_running(name: str, timeout_ms: int = 500, *, wait: float = 0.0) -> bool:
    """True when another instance answered and was asked to come to the front.

    Args:
        wait: keep knocking this many seconds: the first instance opens its server only once
            its window is usable, so a second one started at the same moment may find none yet.
    """
    deadline = time.monotonic() + wait
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(timeout_ms):
            socket.write(_ACTIVATE)
            socket.waitForBytesWritten(timeout_ms)
            socket.disconnectFromServer()
            return True
        if time.monotonic() >= deadline:
            return False
        QThread.msleep(100)


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
