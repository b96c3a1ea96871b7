"""Take the README's screenshots of the demo app in real X11 windows.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python resources/screenshots/take.py

Runs the app in demo mode (sandbox providers on 127.0.0.1, in-memory store), signs in to the
Musixmatch sandbox with a scripted browser, and grabs the main window, the profile editor, the
key manager and the DevToken generator from the screen (``grabWindow``), as a user would see
them; then the main window at 800x500 and in the dark theme, and the first run's welcome over
an empty store. Writes ``main-window.png``, ``main-window-800x500.png``,
``main-window-dark.png``, ``profile-editor.png``, ``key-manager.png``, ``devtoken.png``,
``device-sign-in.png``, ``static-key.png`` and ``welcome.png`` next to this file.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def follow(url: str) -> None:
    """A scripted browser: follow the authorization redirects to the loopback listener."""
    with httpx.Client(follow_redirects=True, timeout=20) as client:
        client.get(url)


def grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    geometry = widget.frameGeometry()
    screen = QGuiApplication.primaryScreen()
    pixmap = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
    pixmap.save(str(HERE / name))
    print(f"wrote {HERE / name} ({pixmap.width()}x{pixmap.height()})")


async def pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def scenario(window) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.demo_world import start_demo
    from musicauth_gui.gui.context import AppContext
    from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog
    from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog
    from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog

    world = await start_demo(consent="approve")
    context = AppContext.for_engine(world.engine, demo=world, watch_outside=False)
    await window.attach(context)
    engine = context.engine
    await engine.keys.generate("apple-music-key")
    await engine.login("Musixmatch", open_browser=lambda url: threading.Thread(target=follow, args=(url,)).start())
    for name in ("Groove app token", "Musixmatch app", "SoundCloud app", "MusicAPI"):
        await engine.get_token(name)
    window.select("Musixmatch")
    await pause(0.3)
    window.detail.run_action("introspect")
    await pause(1.0)
    grab(window, "main-window.png")
    await small_and_dark(window)

    editor = ProfileEditorDialog(context, existing=await engine.store.load("Spotify"), parent=window)
    editor.show()
    await pause(1.0)
    grab(editor, "profile-editor.png")
    editor.reject()

    keys = KeyManagerDialog(context, parent=window)
    keys.show()
    await pause(1.0)
    grab(keys, "key-manager.png")
    keys.reject()

    devtoken = DevTokenDialog(context, profile="MusicAPI", parent=window)
    devtoken.show()
    await pause(0.8)
    devtoken.generate()
    await pause(1.2)
    grab(devtoken, "devtoken.png")
    devtoken.reject()
    await device_and_static_key(window)
    await context.close()
    await welcome()


async def device_and_static_key(window) -> None:  # type: ignore[no-untyped-def]
    """A device sign-in under way (the code, the link, its QR code, the time left), and a static
    API key profile after Try it."""
    from musicauth_gui.demo_world import DEMO_DEVICE_PROFILE

    window.select(DEMO_DEVICE_PROFILE)
    await pause(0.3)
    window.detail.open_browser = lambda url: None  # the phone has not scanned it yet
    window.detail.sign_in()
    await pause(1.2)
    grab(window, "device-sign-in.png")
    window.detail.cancel_sign_in()
    await pause(0.5)
    window.select("Musixmatch classic key")
    await pause(0.3)
    window.detail.run_action("get")
    await pause(0.5)
    window.detail.run_action("try")
    await pause(1.0)
    window.statusBar().clearMessage()
    grab(window, "static-key.png")


async def small_and_dark(window) -> None:  # type: ignore[no-untyped-def]
    """The same window at 800x500 (the smallest it is laid out for), and in the dark theme."""
    from PySide6.QtWidgets import QApplication

    from musicauth_gui.gui.icons import apply_theme

    size = window.size()
    window.resize(800, 500)
    await pause(0.8)
    grab(window, "main-window-800x500.png")
    window.resize(size)
    app = QApplication.instance()
    apply_theme(app, "dark")
    await pause(0.8)
    grab(window, "main-window-dark.png")
    apply_theme(app, "light")
    await pause(0.5)


async def welcome() -> None:
    """The first run: a window over an empty in-memory store shows the welcome."""
    from musicauth_gui.core.engine import TokenEngine
    from musicauth_gui.core.store.profile_store import ProfileStore
    from musicauth_gui.core.store.vault import MemoryVault
    from musicauth_gui.gui.context import AppContext
    from musicauth_gui.gui.main_window import MainWindow
    from musicauth_gui.gui.settings import Preferences

    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    context = AppContext.for_engine(engine, watch_outside=False)
    window = MainWindow(preferences=Preferences.open(demo=True))  # not the user's own settings
    window.resize(800, 500)
    window.move(0, 0)
    window.show()
    await window.attach(context)
    await pause(1.0)
    grab(window, "welcome.png")
    window._quitting = True
    window.close()
    await context.close()


def main() -> int:
    if not os.environ.get("DISPLAY"):
        print("run under Xvfb: xvfb-run -a -s '-screen 0 1280x800x24' python resources/screenshots/take.py", file=sys.stderr)
        return 2
    # A throwaway settings folder: the shots start from the defaults, and the window sizes they
    # set (800x500, dark) never become the user's saved window state.
    import tempfile

    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="musicauth-shots-")
    import qasync
    from PySide6.QtWidgets import QApplication

    from musicauth_gui.gui.icons import apply_theme
    from musicauth_gui.gui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    apply_theme(app)
    window = MainWindow(demo=True)
    window.move(0, 0)
    window.show()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(scenario(window))
    return 0


if __name__ == "__main__":
    sys.exit(main())
