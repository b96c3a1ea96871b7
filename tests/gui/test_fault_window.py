"""The window against a keyring that is locked, raises, or holds a damaged entry; and resuming
from sleep. The keyring is the shared test backend (tests/support/file_keyring.py), faulted
through its environment switches, and the profiles renew against a Musixmatch emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault
from musicauth_gui.gui.context import AppContext
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from musicauth_gui.sandbox import MusixmatchServer
from tests.gui.conftest import run
from tests.support.file_keyring import FileKeyring


@pytest.fixture
def mxm():  # type: ignore[no-untyped-def]
    with MusixmatchServer() as server:
        server.register_client("cid", "csecret")
        yield server


def profiles_text(mxm, *names: str) -> str:  # type: ignore[no-untyped-def]
    return "".join(
        f'[profiles.{name}]\nprovider = "musixmatch"\nflow = "client_credentials"\nclient_id = "cid"\n'
        f'client_secret = "csecret"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\n'
        for name in names
    )


def seed(mxm, *names: str, damaged: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Store client-credentials profiles in the test keyring, then damage some entries."""
    import asyncio

    async def work() -> None:
        store = ProfileStore(KeyringVault(FileKeyring()))
        await TokenEngine(store).import_profiles(parse_profiles_text(profiles_text(mxm, *names, *damaged)))
        store.close()

    # On a thread of its own: under pytest-qt the qasync loop counts as running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work()).result()
    for name in damaged:
        FileKeyring().set_password("musicauth", f"profile/{name}", "garbage")


@pytest.fixture
def open_window(qtbot, qloop):  # type: ignore[no-untyped-def]
    """``open_window()``: a window attached to the test keyring, as the app attaches it."""
    contexts: list[AppContext] = []
    windows: list[MainWindow] = []

    def open_window() -> MainWindow:
        context = AppContext.for_engine(TokenEngine(ProfileStore(KeyringVault(FileKeyring()))), watch_outside=False)
        contexts.append(context)
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        run(qtbot, qloop, window.attach(context))  # must return, whatever the keyring does
        return window

    yield open_window
    for window in windows:
        window._quitting = True
    for context in contexts:
        os.environ.pop("MUSICAUTH_TEST_KEYRING_LOCKED", None)
        os.environ.pop("MUSICAUTH_TEST_KEYRING_FAIL", None)
        run(qtbot, qloop, context.close())


def state_of(window: MainWindow, name: str) -> str:
    return window.model.index(window.model.row_of(name)).data(Role.STATE)


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button is not None and button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- under pytest-qt --------------------------------------------------------------------------------


def test_a_locked_keyring_is_a_banner_and_retry_lists_and_renews(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seed(mxm, "one", "two")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_LOCKED", "1")
    window = open_window()
    assert window.isVisible() and window.banner.isVisible()
    assert "keyring is locked" in window.banner_text.text()
    assert window.banner.property("kind") == "error"
    assert window.banner.retry_button.isVisible()
    assert not window.banner.unlock_button.isVisible()  # the test backend has no unlock prompt
    assert window.model.rowCount() == 0 and window.context.scheduler.watched == set()
    assert "unlock it, then Retry" in window.empty_label.text()

    click(qtbot, window.banner.retry_button)  # still locked: still a banner, still a window
    qtbot.waitUntil(lambda: window.banner.retry_button.isEnabled())
    assert window.banner.isVisible() and "locked" in window.banner_text.text()

    monkeypatch.delenv("MUSICAUTH_TEST_KEYRING_LOCKED")  # the user unlocked gnome-keyring
    click(qtbot, window.banner.retry_button)
    qtbot.waitUntil(lambda: window.model.names() == ["one", "two"], timeout=5000)
    assert window.banner.isHidden() and window.empty_label.isHidden()
    assert window.context.scheduler.watched == {"one", "two"}
    # Auto-renew started: both fetched their token from the emulator.
    qtbot.waitUntil(lambda: all(window.model.record(n).token is not None for n in ("one", "two")), timeout=10000)
    assert state_of(window, "one") == "valid" and mxm.issued_count("client_credentials") == 2


def test_unlock_asks_for_the_prompt_off_the_gui_thread_then_lists(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On the Secret Service the banner offers Unlock; the prompt (here a stand-in that the
    user answers) runs on the store's keyring thread, and the profiles follow."""
    import threading

    from musicauth_gui.core.store import unlock

    seed(mxm, "one")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_LOCKED", "1")
    monkeypatch.setattr(unlock, "can_prompt_unlock", lambda vault: True)
    prompted_on: list[str] = []

    def prompt_unlock() -> None:
        prompted_on.append(threading.current_thread().name)
        os.environ.pop("MUSICAUTH_TEST_KEYRING_LOCKED")  # the user typed the password

    monkeypatch.setattr(unlock, "prompt_unlock", prompt_unlock)
    window = open_window()
    click(qtbot, window.banner.unlock_button)
    qtbot.waitUntil(lambda: window.model.names() == ["one"], timeout=5000)
    assert prompted_on and prompted_on[0].startswith("musicauth-keyring")
    assert window.banner.isHidden()


def test_a_raising_keyring_is_a_banner_and_retry_recovers(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seed(mxm, "one")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL", "get")
    window = open_window()
    assert window.banner.isVisible()
    assert "the keyring failed: BackendFailure: org.freedesktop.DBus.Error.NoReply" in window.banner_text.text()
    assert "Traceback" not in window.banner_text.text()
    monkeypatch.delenv("MUSICAUTH_TEST_KEYRING_FAIL")
    click(qtbot, window.banner.retry_button)
    qtbot.waitUntil(lambda: window.model.names() == ["one"], timeout=5000)
    assert window.banner.isHidden()


def test_a_damaged_entry_is_its_own_row_and_the_others_work(qtbot, open_window, mxm, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed(mxm, "good", "other", damaged=("broken",))
    window = open_window()
    assert window.model.all_names() == ["good", "other", "broken"]
    assert window.model.names() == ["good", "other"]  # nothing to copy or export from "broken"
    assert state_of(window, "broken") == "damaged"
    assert window.banner.isVisible() and window.banner.property("kind") == "warning"
    assert "'broken'" in window.banner_text.text()
    # The readable ones renew; the damaged one is not watched.
    qtbot.waitUntil(lambda: state_of(window, "good") == "valid" and state_of(window, "other") == "valid", timeout=10000)
    assert window.context.scheduler.watched == {"good", "other"}

    window.select("broken")
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.damaged_pane)
    pane = window.damaged_pane
    assert pane.title.text() == "broken" and pane.badge.text() == "damaged"
    assert pane.reason_label.text() == "the keyring entry 'profile/broken' is damaged (not JSON)"
    assert window.detail.name is None  # Ctrl+C has nothing of another profile to copy
    window.select("good")
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.detail and window.detail.name == "good")

    # Re-import: the import flow brings it back from a profiles file.
    from musicauth_gui.gui.dialogs import profiles_io

    path = tmp_path / "broken.toml"
    path.write_text(profiles_text(mxm, "broken"))

    async def ask_open_path(parent, **kw):  # type: ignore[no-untyped-def]
        return str(path)

    monkeypatch.setattr(profiles_io, "ask_open_path", ask_open_path)
    window.select("broken")
    click(qtbot, pane.reimport_button)
    qtbot.waitUntil(lambda: window.model.names() == ["good", "other", "broken"], timeout=5000)
    assert window.model.damaged_names() == [] and window.banner.isHidden()
    qtbot.waitUntil(lambda: state_of(window, "broken") == "valid", timeout=10000)  # watched again


def test_remove_deletes_a_damaged_entry(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.gui.dialogs import prompts

    seed(mxm, "good", damaged=("broken",))
    window = open_window()
    asked: list[str] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: asked.append(kw["text"] + kw["informative"]) or True)
    window.select("broken")
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.damaged_pane)
    click(qtbot, window.damaged_pane.remove_button)
    qtbot.waitUntil(lambda: window.model.all_names() == ["good"], timeout=5000)
    assert "broken" in asked[0]
    assert FileKeyring().get_password("musicauth", "profile/broken") is None
    assert window.banner.isHidden()


def test_keyring_errors_later_show_in_the_window(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A save, a renewal, an export and the DevToken dialog's listing, each with a failing
    keyring: a line in the window each time, never an exit."""
    seed(mxm, "one")
    window = open_window()
    qtbot.waitUntil(lambda: state_of(window, "one") == "valid", timeout=10000)
    window.select("one")
    qtbot.waitUntil(lambda: window.detail.name == "one")

    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL", "set")
    window.detail.run_action("renew")  # a new token that cannot be written
    qtbot.waitUntil(lambda: "the keyring failed" in window.statusBar().currentMessage(), timeout=10000)
    assert window.detail.error_label.isVisible() and "BackendFailure" in window.detail.error_label.text()

    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_LOCKED", "1")
    from musicauth_gui.gui.dialogs import profiles_io

    async def ask_save_path(parent, default_name="profiles.toml", **kw):  # type: ignore[no-untyped-def]
        return str(Path(os.environ["HOME"]) / "out.toml")

    monkeypatch.setattr(profiles_io, "ask_save_path", ask_save_path)
    window.statusBar().clearMessage()
    window.export_profiles()
    qtbot.waitUntil(lambda: "keyring is locked" in window.statusBar().currentMessage(), timeout=5000)

    from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog

    dialog = DevTokenDialog(window.context, parent=window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "keyring is locked" in dialog.status.text(), timeout=5000)
    assert window.isVisible()


def test_a_wake_up_is_noticed_on_the_tick_and_wakes_the_scheduler(qtbot, open_window, mxm, monkeypatch, fake_clock) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.clock_jump import ClockJumpDetector

    seed(mxm, "one")
    window = open_window()
    woken: list[float] = []
    monkeypatch.setattr(window.context.scheduler, "wake", lambda: woken.append(time.monotonic()))
    window.wake_watcher.detector = ClockJumpDetector(clock=fake_clock)
    with qtbot.waitSignal(window.model.ticked, timeout=3000):
        pass
    assert woken == []
    fake_clock.suspend(3 * 3600)  # the machine slept three hours
    slept_at = time.monotonic()
    qtbot.waitUntil(lambda: bool(woken), timeout=3000)  # on the next 1 s tick
    assert woken[0] - slept_at < 2.0 and "Resumed" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.model.ticked, timeout=3000):
        pass
    assert len(woken) == 1  # said once


def test_logind_is_asked_only_once_the_tick_rests(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While the window shows, the tick's clock comparison notices a wake-up (above); logind
    (QtDBus, 1.2 MB of the resting window's peak RSS) is subscribed when the window hides."""
    from musicauth_gui.gui.sleep_watch import WakeWatcher

    asked: list[bool] = []
    monkeypatch.setattr(WakeWatcher, "listen_to_logind", lambda self, *a, **k: asked.append(True) or False)
    seed(mxm, "one")
    window = open_window()
    qtbot.waitUntil(lambda: window._complete)
    assert asked == []
    window.hide()
    assert asked == [True]
    window.show()
    window.hide()
    assert len(asked) == 2  # asked again: the last answer was "no bus"


def test_logind_prepare_for_sleep_false_wakes_the_scheduler(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A private bus stands in for the system bus; dbus-send plays logind."""
    import shutil

    from PySide6.QtDBus import QDBusConnection

    from musicauth_gui.gui.sleep_watch import WakeWatcher

    if not (shutil.which("dbus-daemon") and shutil.which("dbus-send")):
        pytest.skip("dbus-daemon and dbus-send are needed (Debian: dbus, dbus-bin)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", f"--address=unix:dir={tmp_path}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # "Failed to set fd limit" as non-root-ish: not ours
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        bus = QDBusConnection.connectToBus(address, "musicauth-test-logind")
        watcher = WakeWatcher()
        assert watcher.listen_to_logind(bus, service="")  # dbus-send owns no well-known name

        def prepare_for_sleep(going: str) -> None:
            subprocess.run(
                ["dbus-send", f"--bus={address}", "--type=signal", "/org/freedesktop/login1",
                 "org.freedesktop.login1.Manager.PrepareForSleep", f"boolean:{going}"],
                check=True,
            )

        woke: list[str] = []
        watcher.woke.connect(woke.append)
        prepare_for_sleep("true")  # going to sleep: nothing to do yet
        with qtbot.waitSignal(watcher.woke, timeout=5000):
            prepare_for_sleep("false")
        assert woke == ["logind"]
        QDBusConnection.disconnectFromBus("musicauth-test-logind")
    finally:
        daemon.terminate()
        daemon.communicate(timeout=10)


def test_without_a_system_bus_logind_is_skipped_quietly(qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtDBus import QDBusConnection

    from musicauth_gui.gui.sleep_watch import WakeWatcher

    if QDBusConnection.systemBus().isConnected():
        pytest.skip("this machine has a system bus")
    watcher = WakeWatcher()
    assert watcher.listen_to_logind() is False and not watcher.listening_to_logind
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


# -- a real musicauth-gui process -------------------------------------------------------------------


def store_token_with_nan_expiry(name: str) -> None:
    """Give ``name`` a token whose times are NaN, written as raw JSON the way an older version's
    ``json.dumps`` wrote them (the record that made every start segfault in the row painter)."""
    entry = json.loads(FileKeyring().get_password("musicauth", f"profile/{name}") or "{}")
    text = json.dumps({**entry, "token": "@@token@@"}).replace(
        '"@@token@@"', '{"access_token": "tok", "token_type": "Bearer", "issued_at": NaN, "expires_at": NaN}'
    )
    FileKeyring().set_password("musicauth", f"profile/{name}", text)


@pytest.mark.parametrize("fault", ["locked", "fail-get", "damaged", "nan-expiry"])
def test_the_real_app_stays_up(fault: str, tmp_path: Path, mxm) -> None:  # type: ignore[no-untyped-def]
    seed(mxm, "one", damaged=("broken",) if fault == "damaged" else ())
    if fault == "nan-expiry":
        store_token_with_nan_expiry("one")
    env = dict(os.environ, TMPDIR=str(tmp_path), MUSICAUTH_BENCH="stay", QT_QPA_PLATFORM="offscreen")
    if fault == "locked":
        env["MUSICAUTH_TEST_KEYRING_LOCKED"] = "1"
    elif fault == "fail-get":
        env["MUSICAUTH_TEST_KEYRING_FAIL"] = "get"
    app = subprocess.Popen(
        [sys.executable, "-m", "musicauth_gui", "--no-tray"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert app.stdout is not None
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and not ready:
            line = app.stdout.readline()
            if not line:
                break  # exited
            ready = line.startswith("ready")
        assert ready, f"exited with {app.poll()}"
        time.sleep(1.5)  # the old app was gone within 0.6 s
        assert app.poll() is None
    finally:
        app.terminate()
        _, stderr = app.communicate(timeout=30)
    assert app.returncode == -15  # ended by our SIGTERM, not by itself
    assert "Traceback" not in stderr, stderr
