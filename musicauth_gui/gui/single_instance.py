"""One running window per user (and per mode): a second ``musicauth-gui`` brings the first one
to the front instead of starting a rival renewal scheduler.

Who is first is settled by ``instance_lock`` before any window shows; this module is the
conversation (a local socket named by ``instance_lock.instance_name``), loaded only when needed:
by the first instance once its window is usable, by a second one to knock. The first listens
through ``unix_server`` where there are Unix sockets (QLocalServer's, without loading QtNetwork)
and through QLocalServer elsewhere; the second knocks with QLocalSocket, which finds either.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    from .unix_server import UnixServer

log = logging.getLogger(__name__)

_ACTIVATE = b"activate\n"


def activate_running(name: str, timeout_ms: int = 500, *, wait: float = 0.0) -> bool:
    """True when another instance answered and was asked to come to the front.

    Args:
        wait: keep knocking this many seconds: the first instance opens its server only once
            its window is usable, so a second one started at the same moment may find none yet.
    """
    from PySide6.QtNetwork import QLocalSocket

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
        self.server: UnixServer | QLocalServer
        from . import unix_server

        if unix_server.available():
            try:
                self.server = unix_server.UnixServer(name, self)
            except OSError as exc:
                log.debug("no Unix socket for the single-instance server (%s): QLocalServer instead", exc)
            else:
                self.server.received.connect(self._on_received)
                return
        self._listen_locally(name)

    def _listen_locally(self, name: str) -> None:
        from PySide6.QtNetwork import QLocalServer

        self.server = server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            # A stale socket file from a crashed instance (nobody answered activate_running).
            QLocalServer.removeServer(name)
            server.listen(name)
        server.newConnection.connect(lambda: self._on_connection(server))

    def _on_connection(self, server: QLocalServer) -> None:
        while server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.readyRead.connect(lambda s=connection: self._read(s))

    def _read(self, connection: QLocalSocket) -> None:
        self._on_received(bytes(connection.readAll().data()))
        connection.disconnectFromServer()

    def _on_received(self, data: bytes) -> None:
        if data.startswith(_ACTIVATE.strip()):
            self.activation_requested.emit()
