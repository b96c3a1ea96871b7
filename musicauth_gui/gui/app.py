"""``musicauth-gui``: the desktop app on the Qt event loop through qasync.

Start-up order matters (``python -m benchmarks`` measures it): before the first paint only
PySide6 (without its import hook, ``pyside_import``) and the window's own modules are imported,
the first-instance lock is a file lock (``instance_lock``), no ``Qt.*`` enum is touched, and a
plain Qt event loop paints the window. The colour scheme, asyncio, qasync and the core come
after it, then the keyring is opened off the GUI thread; the profiles are listed into the list
alone, and the detail pane is built (and the profile to show selected) just after; the
single-instance server (a Unix socket, ``unix_server``) starts once the profiles are listed.
The HTTP stack, cryptography and PyJWT load when first needed (the scheduler warms the HTTP
stack up just before the first renewal). The cyclic GC rests until the profiles are listed
(``gc_policy``).

Benchmark hook: with ``MUSICAUTH_BENCH`` set, the app prints ``first-paint <t>`` when the window
has painted and ``ready <t>`` once the profiles are listed and the scheduler runs (``t`` is
``time.monotonic()``); with ``MUSICAUTH_BENCH=quit`` it then quits. Unset, it does nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from .. import APP_ID, APP_NAME, __version__

if TYPE_CHECKING:
    from .main_window import MainWindow

#: Longest wait for the first paint before loading the rest anyway (a platform that does not
#: expose the window, e.g. one started minimised, must not hold the app up).
FIRST_PAINT_WAIT_MS = 1000
#: How long a second instance knocks before giving up (the first one listens once its window is
#: usable, or LISTEN_AFTER_MS after its first paint).
ACTIVATION_WAIT = 5.0
#: Latest start of the single-instance server, after the first paint: opening the store may wait
#: on the vault file's passphrase dialog, and a second instance must find the window meanwhile.
LISTEN_AFTER_MS = 1000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="musicauth-gui", description="Tokens for music APIs, in a window.")
    parser.add_argument("--version", action="version", version=f"musicauth-gui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="sandbox providers on 127.0.0.1 and an in-memory store: click through every flow without an account",
    )
    parser.add_argument("--no-tray", action="store_true", help="no tray icon; closing the window quits")
    parser.add_argument(
        "--hidden",
        action="store_true",
        help="start in the tray without showing the window (start at login uses it); without a tray the window shows",
    )
    return parser.parse_args(argv)


def _install_excepthook(window_getter: Callable[[], MainWindow | None]) -> None:
    """Unexpected errors: logged (secrets scrubbed), one line in the status bar, no traceback dialog."""
    log = logging.getLogger("musicauth")

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        window = window_getter()
        if window is not None:
            from .messages import error_text

            window.statusBar().showMessage(error_text(exc), 15000)

    sys.excepthook = hook


def _wait_for_first_paint(window: MainWindow) -> None:
    """Run a plain Qt event loop until the window has painted (or FIRST_PAINT_WAIT_MS passed).

    qasync's loop cannot start before asyncio and qasync are imported; this one paints the
    window first, so the user sees it while the rest loads.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if window.painted:
        return
    loop = QEventLoop()
    window.first_painted.connect(loop.quit)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, loop.quit)
    loop.exec()
    window.first_painted.disconnect(loop.quit)


def main(argv: Sequence[str] | None = None) -> int:
    from .gc_policy import pause_during_startup, settle_after_startup

    pause_during_startup()
    args = parse_args(argv)
    from .pyside_import import import_pyside_widgets

    import_pyside_widgets()
    from PySide6.QtWidgets import QApplication

    logging.basicConfig(level=logging.DEBUG if os.environ.get("MUSICAUTH_DEBUG") else logging.WARNING)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)

    from .instance_lock import InstanceLock, instance_name

    instance_lock = InstanceLock(instance_name(args.demo))
    if not instance_lock.acquire():
        from .single_instance import activate_running

        if activate_running(instance_lock.name, wait=ACTIVATION_WAIT):
            print("musicauth-gui is already running; brought its window to the front", file=sys.stderr)
            return 0
        print(
            f"musicauth-gui is already running but did not answer within {ACTIVATION_WAIT:.0f} s;"
            " close it (or end its process) and start again",
            file=sys.stderr,
        )
        return 1

    from .icons import apply_initial_theme
    from .main_window import MainWindow
    from .settings import Preferences

    # Read before the paint (a fraction of a millisecond): the chosen theme and the window's
    # last geometry must be in the first paint, not corrected after it.
    preferences = Preferences.open(demo=args.demo)
    apply_initial_theme(app, preferences.theme)
    window = MainWindow(demo=args.demo, lazy=True, preferences=preferences)
    _install_excepthook(lambda: window)
    bench = os.environ.get("MUSICAUTH_BENCH", "")
    if bench:
        window.first_painted.connect(lambda: print(f"first-paint {time.monotonic():.6f}", flush=True))
    if not args.hidden:
        window.show()
        _wait_for_first_paint(window)

    # Everything below is not needed for the first paint.
    from PySide6.QtCore import QTimer

    from .icons import apply_theme

    apply_theme(app, preferences.theme)  # the colour scheme, now that the Qt namespace may be built

    listening = False

    def listen() -> None:
        """The single-instance server, once the window is usable (or LISTEN_AFTER_MS after the
        paint): it is not on the way to the listed profiles."""
        nonlocal listening
        if listening:
            return
        listening = True
        from .single_instance import SingleInstance

        instance = SingleInstance(instance_lock.name, parent=window)
        instance.activation_requested.connect(window.bring_to_front)

    QTimer.singleShot(LISTEN_AFTER_MS, listen)

    from ..core import asyncio_import

    asyncio_import.prepare()  # no OpenSSL until a connection needs it
    import asyncio

    import qasync

    from ..core.secret import install_log_scrubber

    # Installed only now (it costs ~10 ms of imports): until the store is opened below, the
    # process holds no secret a log line could carry.
    install_log_scrubber()

    window.complete_list()  # the rows; the panes once they are listed (below)
    quit_early = False

    def on_quit_before_loop() -> None:
        nonlocal quit_early
        quit_early = True

    window.quit_requested.connect(on_quit_before_loop)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        quit_requested: asyncio.Future[object] = loop.create_future()
        window.quit_requested.disconnect(on_quit_before_loop)

        def request_quit() -> None:
            if not quit_requested.done():
                quit_requested.set_result(None)

        window.quit_requested.connect(request_quit)
        if quit_early:  # closed while it was loading
            return
        if not args.no_tray:
            window.install_tray()
        if args.hidden and window.tray is None:
            window.show()  # no tray to live in (none yet at login, or --no-tray): never invisible
        # Never raises: a store that cannot be opened is the window's banner, with Retry. Raced
        # against Quit: the vault's passphrase dialog may wait for an answer that never comes.
        opening: asyncio.Future[object] = asyncio.ensure_future(window.open_store(panes=False))
        await asyncio.wait((opening, quit_requested), return_when=asyncio.FIRST_COMPLETED)
        if not quit_requested.done():
            if bench:
                print(f"ready {time.monotonic():.6f}", flush=True)
            listen()
            if bench == "quit":
                window.quit()
            # The detail pane and the panes beside it (their modules and widgets, and showing
            # the selected profile: ~15 ms) once the profiles are listed and auto-renew runs,
            # in an event-loop pass after the rows' first paint (both in one pass was the
            # longest stall of start-up, benchmarks/stall.py "attach").
            await asyncio.sleep(0)
            if not quit_requested.done():
                window.complete()
            settle_after_startup()  # frozen with the panes, the last of what start-up builds
            await quit_requested
        opening.cancel()  # a passphrase dialog still up is withdrawn with it
        if window.context is not None:  # opened now, or later by the banner's Retry
            await window.context.close()

    run_ended = False  # run() returned or raised: the loop ends because the app asked

    async def run_to_its_end() -> None:
        nonlocal run_ended
        try:
            await run()
        finally:
            run_ended = True

    def on_event_loop_end() -> None:
        if run_ended:
            return
        # The Qt event loop ended under run(), which Qt does on its own when the display goes
        # away (xcb: "The X11 connection broke", then QCoreApplication::exit(1)). Nothing can run
        # after it: Qt ends the loop again as soon as it starts, so asyncio cannot cancel the
        # tasks, and qasync's last processEvents would step them with no loop running (a
        # traceback each, then "Event loop stopped before Future completed"). One line, a
        # failure status, and out before that.
        logging.getLogger("musicauth").error("the display went away; musicauth-gui quits")
        if window.context is not None:
            # A keyring write already handed to the store's thread (a rotated refresh token,
            # say) finishes before the process ends; this only joins that thread.
            window.context.engine.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)

    app.aboutToQuit.connect(on_event_loop_end)

    def event_loop() -> qasync.QEventLoop:
        # The executor of run_in_executor(None) and to_thread (the engine's opening, file I/O):
        # a pool that starts a thread per job waiting, up to ten, not qasync's, which starts ten
        # QThreads (each with its event dispatcher) at the first job: 0.45 MB less at rest.
        from concurrent.futures import ThreadPoolExecutor

        loop = qasync.QEventLoop(app)
        loop.set_default_executor(ThreadPoolExecutor(max_workers=10, thread_name_prefix="musicauth-io"))
        return loop

    with asyncio.Runner(loop_factory=event_loop) as runner:
        runner.run(run_to_its_end())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
