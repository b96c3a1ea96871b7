"""A second, informational floor: the bare window (``floor_window``) plus the third-party
modules the app cannot run without (asyncio and qasync for the loop, QtNetwork for the single
instance, QtSvg for the icons, httpx with its anyio backend, cryptography, PyJWT, keyring with
its backend, platformdirs, filelock), imported after the first paint as the app does. Whatever
the app needs above this is its own code and data; below it, only dropping a feature helps.

With ``MUSICAUTH_BENCH_AT_REST=1``, only what a window at rest cannot do without (``AT_REST``),
imported as the app imports it: the modules it defers until read are deferred here too, with the
app's own stand-ins (the one piece of app code a floor runs: it is how those libraries load).
"""

import builtins
import os
import sys
import time

# As the app does (musicauth_gui/gui/pyside_import.py): without PySide's import hook, which would
# read every later module's source into linecache. Not imported from the app: this floor must
# stay a standalone process whose imports are the measurement.
_import = builtins.__import__
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

builtins.__import__ = _import

#: The libraries in groups, in the order the breakdown adds them (each group's share is what it
#: adds on top of the ones before, so shared dependencies count once).
GROUPS = (
    ("asyncio+ssl", ("asyncio", "ssl")),
    ("qasync", ("qasync",)),
    # with what httpx's first request imports (the app loads it at start-up)
    ("httpx+anyio", ("httpx", "anyio._backends._asyncio", "httpcore._backends.anyio")),
    ("cryptography", ("cryptography.hazmat.primitives.asymmetric.ec",)),
    ("PyJWT", ("jwt",)),
    ("keyring", ("keyring",)),  # and its backend, below
    ("QtNetwork+QtSvg", ("PySide6.QtNetwork", "PySide6.QtSvg")),
    ("platformdirs+filelock", ("platformdirs", "filelock")),
)
LIBRARIES = tuple(name for _, names in GROUPS for name in names)
#: What a window at rest (profiles listed, auto-renew waiting, no dialog, nothing due) cannot do
#: without: the event loop, the keyring, the icons; not the HTTP stack, cryptography or PyJWT
#: (loaded when first used), QtNetwork (the single-instance server), platformdirs (the folders,
#: found when first asked) nor filelock (the store's lock is flock itself). ``MUSICAUTH_BENCH_AT_REST=1``
#: imports only these, as the app imports them (``_defer_as_the_app_does``), and builds PySide's
#: Qt namespace (whatever touches a ``Qt.*`` enum first pays for it, and the window's rows do).
AT_REST = ("asyncio", "qasync", "keyring", "PySide6.QtSvg")


def _defer_as_the_app_does() -> None:
    """What the app imports these libraries without until something reads it: asyncio's ssl
    (``core/asyncio_import.py``: OpenSSL) and what keyring imports for calls the store never
    makes (``core/store/keyring_import.py``). A window at rest reads none of them, so neither
    does the floor of what it cannot do without; the same stand-ins (``core/stand_ins.py``).
    """
    from musicauth_gui.core import asyncio_import
    from musicauth_gui.core.store import keyring_import

    asyncio_import.prepare()
    keyring_import.prepare()


def import_libraries() -> None:
    """Import ``_libraries()`` (as the app does at rest, with ``MUSICAUTH_BENCH_AT_REST``) and
    make keyring's backend (``PYTHON_KEYRING_BACKEND`` in the benchmark) when keyring is among them."""
    import importlib

    names = _libraries()
    if os.environ.get("MUSICAUTH_BENCH_AT_REST"):
        _defer_as_the_app_does()
    for name in names:
        importlib.import_module(name)
    if "keyring" in names:
        import keyring

        keyring.get_keyring()  # the backend the app uses (PYTHON_KEYRING_BACKEND in the benchmark)


def _libraries() -> tuple[str, ...]:
    """All of them, or the first N groups with ``MUSICAUTH_BENCH_GROUPS=N`` (the breakdown)."""
    if os.environ.get("MUSICAUTH_BENCH_AT_REST"):
        return AT_REST
    count = os.environ.get("MUSICAUTH_BENCH_GROUPS")
    if count is None:
        return LIBRARIES
    return tuple(name for _, names in GROUPS[: int(count)] for name in names)


class Window(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self._painted = False

    def paintEvent(self, event):  # type: ignore[no-untyped-def]
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._report)

    def _report(self) -> None:
        print(f"first-paint {time.monotonic():.6f}", flush=True)
        import_libraries()
        if os.environ.get("MUSICAUTH_BENCH_AT_REST"):
            from PySide6.QtCore import Qt

            Qt.AlignmentFlag.AlignLeft  # noqa: B018 - builds the Qt namespace
        print(f"ready {time.monotonic():.6f}", flush=True)
        if not os.environ.get("MUSICAUTH_BENCH_STAY"):  # the parent reads /proc, then ends it
            QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window()
    window.resize(1040, 680)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
