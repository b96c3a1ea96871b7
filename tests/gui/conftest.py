"""Qt tests: offscreen, with a qasync loop on pytest-qt's QApplication (the pattern in
CONTRIBUTING.md that does not segfault), and an AppContext over the demo world or a memory store."""

from __future__ import annotations

import asyncio
import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _isolated_qsettings(isolated_dirs):  # type: ignore[no-untyped-def]
    """QSettings in this test's own config folder, never the user's.

    Qt reads XDG_CONFIG_HOME once per process (the first QSettings caches the path), so the
    per-test XDG_CONFIG_HOME of tests/conftest.py alone would leave every later test on the
    first test's folder: the path is set explicitly for each test.
    """
    from PySide6.QtCore import QSettings

    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(isolated_dirs["config"]))
    return isolated_dirs["config"]


@pytest.fixture(autouse=True)
def _clear_clipboard_after(qapp):  # type: ignore[no-untyped-def]
    """No copied secret outlives its test (a QMimeData left on the clipboard at exit crashes
    some PySide6 builds, and it would leak between tests anyway)."""
    yield
    qapp.clipboard().clear()
    qapp.processEvents()


@pytest.fixture
def qloop(qapp):  # type: ignore[no-untyped-def]
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    qapp.processEvents()  # let the cancellations run
    asyncio.events._set_running_loop(None)  # the running-loop marker is thread-global
    loop._QEventLoop__is_running = False  # qasync has no public detach; never loop.stop() here
    loop.close()
    asyncio.set_event_loop(None)
    del loop
    gc.collect()  # free qasync's QObjects on the GUI thread
    qapp.processEvents()


def run(qtbot, qloop, coro, timeout: int = 10000):  # type: ignore[no-untyped-def]
    """Run ``coro`` to completion on the qasync loop from a sync test, pumping Qt meanwhile."""
    task = qloop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def memory_context(qtbot, qloop):  # type: ignore[no-untyped-def]
    """An AppContext over an empty in-memory store (no emulators)."""
    from musicauth_gui.core.engine import TokenEngine
    from musicauth_gui.core.store.profile_store import ProfileStore
    from musicauth_gui.core.store.vault import MemoryVault
    from musicauth_gui.gui.context import AppContext

    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    context = AppContext.for_engine(engine, watch_outside=False)
    yield context
    run(qtbot, qloop, context.close())


@pytest.fixture
def demo_context(qtbot, qloop):  # type: ignore[no-untyped-def]
    """An AppContext over the demo world: every emulator running, demo profiles, a demo key."""
    from musicauth_gui.demo_world import start_demo
    from musicauth_gui.gui.context import AppContext

    world = run(qtbot, qloop, start_demo(consent="approve", short_lived=False))
    context = AppContext.for_engine(world.engine, demo=world, watch_outside=False)
    yield context
    run(qtbot, qloop, context.close())


@pytest.fixture
def window(qtbot, qloop, demo_context):  # type: ignore[no-untyped-def]
    """The main window attached to the demo world, shown (a test module may define its own)."""
    from musicauth_gui.gui.main_window import MainWindow

    win = MainWindow(demo=True)
    qtbot.addWidget(win)
    win.show()
    run(qtbot, qloop, win.attach(demo_context))
    yield win
    win._quitting = True


def record_window(qtbot, qloop, memory_context, record):  # type: ignore[no-untyped-def]
    """A window over ``memory_context`` with ``record`` stored and its profile selected, for a
    test module's ``window`` fixture (``yield from``)."""
    from musicauth_gui.gui.main_window import MainWindow

    name = record.profile.name
    run(qtbot, qloop, memory_context.engine.store.save(record))
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    run(qtbot, qloop, win.attach(memory_context))
    win.select(name)
    qtbot.waitUntil(lambda: win.detail.name == name)
    yield win
    win._quitting = True


def device_profile_window(qtbot, qloop, memory_context, device):  # type: ignore[no-untyped-def]
    """A window over ``memory_context`` with one device-flow profile, "TV", on ``device`` (a
    DeviceAuthorizationServer with the client ``public-device-app``), selected; for the device
    sign-in tests' ``window`` fixtures (``yield from``)."""
    from musicauth_gui.core.model import Profile, ProfileRecord

    profile = Profile(
        name="TV", provider="oauth2", flow="device", client_id="public-device-app", issuer=device.base_url, auto_renew=False
    )
    yield from record_window(qtbot, qloop, memory_context, ProfileRecord(profile=profile))
