"""``musicauth-gui``: the desktop app on the Qt event loop through qasync.

Start-up order matters (see the benchmarks issue): the window is shown and painted first; the
keyring (whose backend discovery alone costs about 0.4 s) and the rest of the core load after.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from types import TracebackType

from .. import APP_ID, APP_NAME, __version__


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="musicauth-gui", description="Tokens for music APIs, in a window.")
    parser.add_argument("--version", action="version", version=f"musicauth-gui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="sandbox providers on 127.0.0.1 and an in-memory store: click through every flow without an account",
    )
    parser.add_argument("--no-tray", action="store_true", help="no tray icon; closing the window quits")
    return parser.parse_args(argv)


def _install_excepthook(window_getter: object) -> None:
    """Unexpected errors: logged (secrets scrubbed), one line in the status bar, no traceback dialog."""
    log = logging.getLogger("musicauth")

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        window = window_getter()  # type: ignore[operator]
        if window is not None:
            from .messages import error_text

            window.statusBar().showMessage(error_text(exc), 15000)

    sys.excepthook = hook


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from ..core.secret import install_log_scrubber

    logging.basicConfig(level=logging.DEBUG if os.environ.get("MUSICAUTH_DEBUG") else logging.WARNING)
    install_log_scrubber()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)

    from .single_instance import SingleInstance, activate_running, server_name

    name = server_name(args.demo)
    if activate_running(name):
        print("musicauth-gui is already running; brought its window to the front", file=sys.stderr)
        return 0

    import qasync

    from .icons import apply_theme
    from .main_window import MainWindow

    apply_theme(app)
    window = MainWindow(demo=args.demo)
    instance = SingleInstance(name, parent=window)
    instance.activation_requested.connect(window.bring_to_front)
    _install_excepthook(lambda: window)

    async def run() -> None:
        from .context import AppContext
        from .messages import error_text

        loop = asyncio.get_running_loop()
        quit_requested = loop.create_future()
        window.quit_requested.connect(lambda: quit_requested.done() or quit_requested.set_result(None))
        window.show()
        if not args.no_tray:
            window.install_tray()
        context = None
        try:
            context = await AppContext.open(demo=args.demo)
        except Exception as exc:  # noqa: BLE001 - a missing keyring is a message, not a crash
            window.show_store_error(error_text(exc))
        if context is not None:
            await window.attach(context)
        await quit_requested
        if context is not None:
            await context.close()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
