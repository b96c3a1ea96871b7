"""The single-instance server on POSIX: a Unix socket watched by QtCore, without QtNetwork.

QLocalServer is a Unix socket too, but it lives in QtNetwork, whose libraries (with the
Kerberos and GSSAPI ones it links) added about 3 MB to the resting window's peak RSS
(``benchmarks/startup.py``) for a server that reads one line. This one is the same socket at
the same path, made the way Qt 6 makes it for ``UserAccessOption`` (``qlocalserver_unix.cpp``):
bound in a private folder beside the final path, made owner-only, then renamed into place (a
stale socket of a crashed instance is replaced; the instance lock says this process is the
first). So a ``QLocalSocket`` knocking at ``name`` (``single_instance.activate_running``, or an
older or newer musicauth-gui) finds it. Windows has named pipes instead: QLocalServer there.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile

from PySide6.QtCore import QDir, QObject, QSocketNotifier, QTimer, Signal

#: Qt's own backlog for a local server.
BACKLOG = 50
#: How long a failed accept (out of file descriptors) waits before listening again.
RETRY_ACCEPT_MS = 500
#: More than a knock ever sends: what comes after it is not read.
READ_SIZE = 256


def available() -> bool:
    """Whether this platform has Unix sockets (Windows' Python has none)."""
    return hasattr(socket, "AF_UNIX")


def server_path(name: str) -> str:
    """Where QLocalServer and QLocalSocket put ``name``: in Qt's temp folder unless absolute."""
    if name.startswith("/"):
        return name
    return f"{QDir.cleanPath(QDir.tempPath())}/{name}"


class UnixServer(QObject):
    """Listens at ``server_path(name)``; each connection's first bytes are ``received``.

    Raises:
        OSError: the socket could not be made (the caller falls back to QLocalServer).

    Signals:
        received(bytes): what a connection sent first (empty when it closed without a word).
    """

    received = Signal(bytes)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = server_path(name)
        self._socket = _bind_owner_only(self.path)
        self._socket.setblocking(False)
        self._notifier = QSocketNotifier(self._socket.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        self._connections: dict[int, tuple[socket.socket, QSocketNotifier]] = {}
        # As QLocalServer's destructor does: the socket file goes with the window that owns it.
        sock, path = self._socket, self.path
        self.destroyed.connect(lambda *_: _close_and_remove(sock, path))

    def close(self) -> None:
        """Stop listening and remove the socket file (QLocalServer.close does both)."""
        self._notifier.setEnabled(False)
        for fd in list(self._connections):
            self._drop(fd)
        _close_and_remove(self._socket, self.path)

    def _accept(self, *_: object) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # closed meanwhile, or out of descriptors: the knock is lost, not the app
                # The knock stays queued and the socket readable: listening on at once would
                # spin (out of descriptors); listen again a little later, as descriptors free up.
                self._notifier.setEnabled(False)
                QTimer.singleShot(RETRY_ACCEPT_MS, self._listen_again)
                return
            conn.setblocking(False)
            notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, self)
            fd = conn.fileno()
            notifier.activated.connect(lambda *_, fd=fd: self._read(fd))
            self._connections[fd] = (conn, notifier)

    def _listen_again(self) -> None:
        if self._socket.fileno() != -1:  # not closed meanwhile
            self._notifier.setEnabled(True)

    def _read(self, fd: int) -> None:
        conn, _ = self._connections[fd]
        try:
            data = conn.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        self._drop(fd)
        self.received.emit(data)

    def _drop(self, fd: int) -> None:
        conn, notifier = self._connections.pop(fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        conn.close()


def _bind_owner_only(path: str) -> socket.socket:
    """A listening socket at ``path`` that only its owner can connect to, put there atomically."""
    folder = tempfile.mkdtemp(dir=os.path.dirname(path) or None)  # 0700
    temporary = os.path.join(folder, "s")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(temporary)
        sock.listen(BACKLOG)
        os.chmod(temporary, 0o700)
        os.replace(temporary, path)
    except BaseException:
        sock.close()
        _remove(temporary)
        raise
    finally:
        with contextlib.suppress(OSError):  # an empty folder left in the temp folder harms nothing
            os.rmdir(folder)
    return sock


def _close_and_remove(sock: socket.socket, path: str) -> None:
    if sock.fileno() == -1:  # closed already
        return
    sock.close()
    _remove(path)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
