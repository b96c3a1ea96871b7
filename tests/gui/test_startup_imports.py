"""What the desktop app has loaded once it is usable with nothing due (benchmarks/README.md, "GUI").

A window whose tokens are all valid never makes a request, so the HTTP stack, PyJWT and
cryptography (~14 MB and tens of milliseconds of imports between them) must not be loaded on
the way to "ready": the scheduler warms the HTTP stack up 10 s before the first renewal, and the
key operations load when first used. A real process, started as ``benchmarks/startup.py`` starts
it (a fresh interpreter: this suite's own imports cannot mask a leak).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from tests.support.file_keyring import FileKeyring
from tests.support.tls import write_self_signed

#: Top-level packages a listed window at rest has no use for. filelock (~10 ms): the first-instance
#: and renewal locks take flock(2) themselves (core/lock_file.py), and the store's lock is
#: filelock's only when something is written.
NOT_AT_REST = ("httpx", "httpcore", "anyio", "h11", "certifi", "sniffio", "jwt", "cryptography", "filelock")

# Runs the app to "ready" (MUSICAUTH_BENCH=quit then quits it) and prints what it imported. A
# module stays in sys.modules once imported, so what is absent after the quit was absent at ready.
CHILD = """
import sys
from musicauth_gui.gui.app import main
status = main(["--no-tray"])
print("modules", " ".join(sorted(sys.modules)))
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
print("qt-classes", " ".join(sorted({*vars(PySide6.QtCore), *vars(PySide6.QtGui), *vars(PySide6.QtWidgets)})))
sys.exit(status)
"""
#: PySide classes (QtCore, QtGui, QtWidgets) the window is listed without: PySide builds a class
#: (and every enum in it) on its first use (benchmarks/README.md, "GUI"). QStyle's costs ~3.5 ms
#: (gui/widgets/profile_delegate.py paints the rows without it; the list's least width, which
#: asks the style, comes with the panes); QFile's with its bases' ~0.9 ms (gui/icons.py reads the
#: resources by QResource); QKeySequence's ~0.45 ms (gui/shortcuts.py); the event classes a
#: ``QEvent*`` handed to Python builds (~50, ~0.7 ms: the window hears font and style changes by
#: an event filter installed with the panes), QTabletEvent and QNativeGestureEvent among them.
NOT_BUILT_AT_READY = ("QStyle", "QFile", "QIODevice", "QKeySequence", "QTabletEvent", "QNativeGestureEvent")
#: Whether this PySide builds its classes on first use at all (6.8 and later): if not, there is
#: nothing to keep.
LAZY_CLASSES = "import PySide6.QtWidgets as w; print('QStyle' not in vars(w))"


def seed_valid_tokens(count: int) -> None:
    """``count`` client-credentials profiles whose tokens stay valid for 30 days."""
    now = time.time()
    names = [f"rest-{i:02d}" for i in range(count)]
    keyring = FileKeyring()
    for name in names:
        record = ProfileRecord(
            profile=Profile(
                name=name,
                provider="musixmatch",
                flow="client_credentials",
                client_id="cid",
                token_endpoint="http://127.0.0.1:9/token",  # unreachable: nothing may be fetched
            ),
            client_secret=Secret("secret"),
            token=TokenSet(access_token=Secret(f"token-{name}"), issued_at=now, expires_at=now + 30 * 86400),
        )
        keyring.set_password("musicauth", f"profile/{name}", json.dumps(record.to_json()))
    keyring.set_password("musicauth", "index", json.dumps({"v": 1, "profiles": names, "keys": []}))


def run_window(tmp_path: Path, child: str, bench: str) -> dict[str, str]:
    """``child`` run over five profiles with valid tokens (``MUSICAUTH_BENCH=bench``): its
    output lines as ``{first word: the rest}``."""
    seed_valid_tokens(5)
    env = dict(os.environ, TMPDIR=str(tmp_path), MUSICAUTH_BENCH=bench, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.partition(" ")[::2] for line in result.stdout.splitlines())


def builds_classes_lazily() -> bool:
    """Whether this PySide builds its classes on first use (``LAZY_CLASSES``)."""
    lazy = subprocess.run([sys.executable, "-c", LAZY_CLASSES], capture_output=True, text=True, timeout=60)
    return lazy.stdout.strip() == "True"


def test_a_window_at_rest_loads_no_http_stack_and_no_crypto(tmp_path: Path) -> None:
    lines = run_window(tmp_path, CHILD, "quit")
    assert "ready" in lines, lines  # listed, scheduler running
    modules = set(lines["modules"].split())
    # It cannot pass by importing nothing: the engine, the scheduler and the keyring are there.
    assert {"musicauth_gui.core.engine", "musicauth_gui.core.scheduler", "keyring", "qasync"} <= modules
    loaded = sorted(m for m in modules if m.split(".")[0] in NOT_AT_REST)
    assert loaded == []
    # Nor OpenSSL (~3.5 MB resident): asyncio's ssl is deferred (core/asyncio_import.py), and
    # nothing on the way hashes with hashlib (the test keyring neither, as the OS keyrings it
    # stands in for). These two are the modules that load libcrypto.
    assert {"_ssl", "_hashlib"}.isdisjoint(modules)
    # keyring imported without what core/stand_ins.py defers for it (store/keyring_import.py):
    # PySide's import hook, left in place, would read every module and load them (gui/pyside_import.py).
    assert {"http.client", "more_itertools.more"}.isdisjoint(modules)
    if hasattr(socket, "AF_UNIX"):
        # The single-instance server is listening (it starts at ready), on a Unix socket:
        # QtNetwork (~3 MB of peak RSS) only where there is none (gui/unix_server.py).
        assert "musicauth_gui.gui.unix_server" in modules
        assert "PySide6.QtNetwork" not in modules
    built = set(lines["qt-classes"].split())
    assert "QListView" in built  # it cannot pass by reading nothing
    if builds_classes_lazily():
        assert sorted(built.intersection(NOT_BUILT_AT_READY)) == []


# As CHILD, but it quits once the panes are built and the selected profile shown (the window at
# rest, as the benchmark reads its memory), not at ready.
CHILD_AT_REST = """
import os, sys
from PySide6.QtCore import QTimer
from musicauth_gui.gui import main_window
complete = main_window.MainWindow.complete
def count_threads_and_quit(window):
    if os.path.isdir("/proc/self/task"):
        print("threads", len(os.listdir("/proc/self/task")))
    window.quit()
def complete_then_quit(self):
    complete(self)
    QTimer.singleShot(200, lambda: count_threads_and_quit(self))
main_window.MainWindow.complete = complete_then_quit
from musicauth_gui.gui.app import main
status = main(["--no-tray"])
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
print("qt-classes", " ".join(sorted({*vars(PySide6.QtCore), *vars(PySide6.QtGui), *vars(PySide6.QtWidgets)})))
print("modules", " ".join(sorted(sys.modules)))
sys.exit(status)
"""
#: Modules a window at rest (panes built, a profile shown) does without: ``datetime`` (its
#: pure-Python module runs in full before the C one replaces it; gui/local_time.py formats with
#: ``time``), ``http`` (HTTPStatus's and HTTPMethod's enums: only a Try it answer's words), and
#: the panes and parts a window shows only when asked: the device sign-in's code box with its QR
#: view (the detail pane builds it at the first device sign-in it shows; with the answer tab's
#: view, made when first needed, ~0.35 MB at rest) and a damaged entry's pane.
NOT_IMPORTED_AT_REST = (
    "datetime",
    "http",
    "musicauth_gui.gui.widgets.device_code_box",
    "musicauth_gui.gui.widgets.qr_code",
    "musicauth_gui.gui.damaged_pane",
)
#: PySide classes a window at rest (panes built, a profile shown) does without: QStyle's class
#: and enums are ~0.5 MB of RSS (the badge is recoloured by a Polish event, gui/icons.py
#: ``recolour``; the list's least width reads its scroll bar's size hint); the ~53 event classes
#: the first plain QEvent handed to Python builds, ~0.6 MB (the window hears its font and style
#: changes through gui/widgets/change_probe.py).
NOT_BUILT_AT_REST = ("QStyle", "QTabletEvent", "QNativeGestureEvent")


#: Threads a window at rest may run (Linux, where /proc counts them all): the GUI's, the store's,
#: the loop's executor's one or two (gui/app.py gives it a pool that starts a thread per job
#: waiting; qasync's own started its ten QThreads, each with an event dispatcher, at the first
#: job: 0.45 MB of peak RSS at rest: 14 threads), Qt's own pool's two, and on X11 xcb's reader.
THREADS_AT_REST = 8


def test_a_window_at_rest_builds_no_qstyle_class_and_holds_no_idle_threads_or_unused_modules(tmp_path: Path) -> None:
    lines = run_window(tmp_path, CHILD_AT_REST, "stay")
    if "threads" in lines:
        assert int(lines["threads"]) <= THREADS_AT_REST
    modules = set(lines["modules"].split())
    assert "musicauth_gui.gui.detail_pane" in modules  # it cannot pass before the panes
    assert sorted(modules.intersection(NOT_IMPORTED_AT_REST)) == []
    built = set(lines["qt-classes"].split())
    # It cannot pass by reading nothing, nor before the panes: the detail pane's classes are there.
    assert {"QListView", "QPlainTextEdit", "QTabWidget"} <= built
    if builds_classes_lazily():
        assert sorted(built.intersection(NOT_BUILT_AT_REST)) == []


def test_the_detail_pane_loads_no_html_entity_tables() -> None:
    """``html`` imports ``html.entities`` (0.5 MB of RSS); only the device flow's link needs it."""
    child = (
        "import sys; from musicauth_gui.gui.pyside_import import import_pyside_widgets; import_pyside_widgets(); "
        "import musicauth_gui.gui.detail_pane, musicauth_gui.gui.main_window; print('html' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# asyncio imported as the window imports it (ssl and asyncio.sslproto deferred), then a TLS server
# and client on its own transports: the first read of either stand-in hands over the real module.
CHILD_TLS = """
import sys
from musicauth_gui.core import asyncio_import
cert, key = sys.argv[1:]
asyncio_import.prepare()
import asyncio, ssl
print("openssl-before", "_ssl" in sys.modules)

async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()

async def main():
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context(cafile=cert))
    writer.write(b"over tls\\n")
    print("echo", (await reader.readline()).decode().strip())
    print("cipher", writer.get_extra_info("cipher") is not None)
    writer.close()
    server.close()
    await server.wait_closed()

asyncio.run(main())
print("real", type(sys.modules["ssl"]).__name__, type(sys.modules["asyncio.sslproto"]).__name__)
"""


def test_asyncio_speaks_tls_after_its_ssl_was_deferred(tmp_path: Path) -> None:
    cert, key = write_self_signed(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", CHILD_TLS, str(cert), str(key)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.partition(" ")[::2] for line in result.stdout.splitlines())
    assert lines == {"openssl-before": "False", "echo": "over tls", "cipher": "True", "real": "module module"}
