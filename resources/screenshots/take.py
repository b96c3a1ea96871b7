"""Take the README's screenshots of the demo app in real X11 windows.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python resources/screenshots/take.py

Runs the app in demo mode (sandbox providers on 127.0.0.1, in-memory store), signs in to the
Musixmatch and Spotify sandboxes with a scripted browser, and grabs from the screen
(``grabWindow``), as a user would see them: the main window at 1280x800 and at 800x500, each in
the light and the dark theme; a renewal the sandbox refused, retried while the token still
works; a sign-in under way while another profile is shown; the Preferences, the profile editor,
the key manager and the DevToken generator; a device sign-in and a static key; and the first
run's welcome over an empty store. Writes ``main-window.png``, ``main-window-dark.png``,
``main-window-800x500.png``, ``main-window-800x500-dark.png``, ``retrying.png``,
``signing-in.png``, ``preferences.png``, ``profile-editor.png``, ``key-manager.png``,
``devtoken.png``, ``device-sign-in.png``, ``static-key.png`` and ``welcome.png`` next to this
file.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
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
    pixmap.save(str(HERE / name), "PNG", 0)  # 0: zlib's strongest level, the smallest files
    shrink(HERE / name)
    print(f"wrote {HERE / name} ({pixmap.width()}x{pixmap.height()})")


#: ImageMagick (Debian's imagemagick), by its full path: ``convert`` alone may be another tool.
CONVERT = Path("/usr/bin/convert")


def shrink(path: Path) -> None:
    """To 256 colours, undithered: a window's flat colours survive it unchanged to the eye, and
    the file is about a third of the size. Skipped where ImageMagick is not installed."""
    if CONVERT.exists():
        subprocess.run([str(CONVERT), str(path), "-dither", "None", "-colors", "256", f"PNG8:{path}"], check=True)


async def pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def scenario(window) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.demo_world import start_demo
    from musicauth_gui.gui.context import AppContext
    from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog
    from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog
    from musicauth_gui.gui.dialogs.preferences import PreferencesDialog
    from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog

    world = await start_demo(consent="approve")
    # A Spotify token renewed half a minute after the sign-in (a short token renews at half its
    # life): the renewal the sandbox then refuses is retried while the token still works.
    world.sandbox.spotify.access_token_ttl = 60
    context = AppContext.for_engine(world.engine, demo=world, watch_outside=False)
    await window.attach(context)
    engine = context.engine
    await engine.keys.generate("apple-music-key")
    browser = lambda url: threading.Thread(target=follow, args=(url,)).start()  # noqa: E731
    await engine.login("Musixmatch", open_browser=browser)
    for name in ("Groove app token", "Musixmatch app", "SoundCloud app", "TIDAL app", "MusicAPI"):
        await engine.get_token(name)
    window.select("Musixmatch")
    await pause(0.3)
    window.detail.run_action("introspect")
    await pause(1.0)
    await sizes_and_themes(window)
    await retrying(window, world, browser)
    await signing_in(window)

    preferences = PreferencesDialog(window.preferences, demo=True, parent=window)
    preferences.show()
    await pause(0.8)
    grab(preferences, "preferences.png")
    preferences.reject()

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
    window.statusBar().clearMessage()
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


async def sizes_and_themes(window) -> None:  # type: ignore[no-untyped-def]
    """The window at 1280x800 (the screen) and at 800x500 (the smallest it is laid out for),
    light and dark, as Preferences applies them."""
    from PySide6.QtWidgets import QApplication

    from musicauth_gui.gui.icons import apply_theme

    size = window.size()
    app = QApplication.instance()
    for theme, suffix in (("light", ""), ("dark", "-dark")):
        apply_theme(app, theme)
        window.resize(1280, 800)
        await pause(0.8)
        grab(window, f"main-window{suffix}.png")
        window.resize(800, 500)
        await pause(0.8)
        grab(window, f"main-window-800x500{suffix}.png")
    apply_theme(app, "light")
    window.resize(size)
    await pause(0.5)


async def retrying(window, world, browser) -> None:  # type: ignore[no-untyped-def]
    """Spotify signed in, then its token endpoint down for the automatic renewal: the row and
    the pane say "retrying at HH:MM:SS", the token still usable meanwhile."""
    from musicauth_gui.gui.profile_model import Role

    await window.context.engine.login("Spotify", open_browser=browser)
    window.context.scheduler.watch("Spotify")  # as the window's own sign-in does
    world.sandbox.spotify.fail_next("/api/token", "503", times=20)
    window.select("Spotify")
    for _ in range(200):  # the renewal is due 30 s after the sign-in
        if window.model.index(window.model.row_of("Spotify")).data(Role.STATE) == "retrying":
            break
        await pause(0.3)
    await pause(0.5)
    window.statusBar().clearMessage()
    grab(window, "retrying.png")
    window.context.scheduler.unwatch("Spotify")  # no more retries in the status bar of later shots


async def signing_in(window) -> None:  # type: ignore[no-untyped-def]
    """A browser sign-in to TIDAL under way (the browser not yet back) while the user looks at
    another profile: the TIDAL row says so, the pane shows the other one."""
    window.select("TIDAL")
    await pause(0.3)
    window.detail.open_browser = lambda url: None  # the user has not finished in the browser yet
    window.detail.sign_in()
    await pause(1.0)
    window.select("MusicAPI")
    await pause(1.0)
    window.statusBar().clearMessage()
    grab(window, "signing-in.png")
    window.select("TIDAL")
    await pause(0.3)
    window.detail.cancel_sign_in()
    await pause(1.5)  # the cancelled sign-in's line in the status bar comes once it has ended
    window.statusBar().clearMessage()


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
