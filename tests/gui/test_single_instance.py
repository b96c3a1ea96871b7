"""One window per user and mode: the first-instance lock (before any window) and the knock that
brings the running window to the front (a Unix socket, or QLocalServer, after the first paint)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from musicauth_gui.gui import unix_server
from musicauth_gui.gui.instance_lock import InstanceLock, instance_name
from musicauth_gui.gui.single_instance import SingleInstance, activate_running

HOLD = (
    "import sys, time; from musicauth_gui.gui.instance_lock import InstanceLock; "
    "l = InstanceLock(sys.argv[1], sys.argv[2]); print(l.acquire(), flush=True); time.sleep(60)"
)


def test_names_differ_by_mode_and_hide_the_user() -> None:
    real, demo = instance_name(False), instance_name(True)
    assert real != demo and demo == real + "-demo"
    user_part = real.rsplit("-", 1)[-1]
    assert len(user_part) == 8 and int(user_part, 16) >= 0  # a hash, not the user's name or uid


def test_the_lock_has_one_holder_and_dies_with_it(tmp_path: Path) -> None:
    name = "musicauth-test-lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, name, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert not InstanceLock(name, str(tmp_path)).acquire()
    finally:
        holder.kill()  # a crash, not a tidy exit: the OS must drop the lock anyway
        holder.communicate()
    mine = InstanceLock(name, str(tmp_path))
    assert mine.acquire()
    mine.release()


def test_the_lock_excludes_and_is_excluded_by_filelocks_on_the_same_file(tmp_path: Path) -> None:
    """flock(2) taken directly (core/lock_file.py) is the lock filelock takes: an older
    musicauth-gui, which held it through filelock, and this one keep each other out."""
    name = "musicauth-test-lock"
    path = tmp_path / f"{name}.lock"
    hold = "import sys, time, filelock; l = filelock.FileLock(sys.argv[1]); l.acquire(); print(True, flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert not InstanceLock(name, str(tmp_path)).acquire()
    finally:
        holder.kill()
        holder.communicate()
    mine = InstanceLock(name, str(tmp_path))
    assert mine.acquire()
    attempt = "import sys, filelock; l = filelock.FileLock(sys.argv[1]); print(l.acquire(timeout=0.1) is not None)"
    try:
        other = subprocess.run([sys.executable, "-c", attempt, str(path)], capture_output=True, text=True, timeout=30)
        assert "Timeout" in other.stderr and other.stdout.strip() == ""
    finally:
        mine.release()


def test_an_unwritable_temp_folder_does_not_keep_the_app_from_starting(tmp_path: Path) -> None:
    assert InstanceLock("x", str(tmp_path / "missing" / "folder")).acquire()


def test_a_temp_folder_that_cannot_hold_a_file_does_not_keep_the_app_from_starting(tmp_path: Path) -> None:
    # filelock creates a missing folder; a file where the folder should be refuses even root.
    (tmp_path / "a-file").write_text("")
    assert InstanceLock("x", str(tmp_path / "a-file")).acquire()


def test_second_instance_activates_the_first(qtbot) -> None:  # type: ignore[no-untyped-def]
    name = instance_name(False) + "-test"
    instance = SingleInstance(name)
    with qtbot.waitSignal(instance.activation_requested, timeout=3000):
        assert activate_running(name)
    instance.server.close()
    assert not activate_running(name)


def test_a_second_app_knocks_and_leaves(tmp_path: Path) -> None:
    """Two real ``musicauth-gui`` processes: the second one brings the first forward and exits."""
    env = dict(os.environ, TMPDIR=str(tmp_path), MUSICAUTH_BENCH="stay", QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen(
        [sys.executable, "-m", "musicauth_gui", "--no-tray"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # listening once its profiles are listed
            if first.stdout.readline().startswith("first-paint"):  # knocks until then
                break
        second = subprocess.run(
            [sys.executable, "-m", "musicauth_gui", "--no-tray"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0, second.stderr
        assert "already running; brought its window to the front" in second.stderr
        assert first.poll() is None  # the first one goes on
    finally:
        first.terminate()
        first.communicate(timeout=30)


@pytest.mark.skipif(not unix_server.available(), reason="no Unix sockets (Windows): QLocalServer listens there")
def test_the_unix_server_is_where_qt_looks_and_only_its_owner_may_knock(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "sockets"
    folder.mkdir()
    path = folder / "musicauth-test"
    path.write_text("")  # a stale file of a crashed instance: replaced
    instance = SingleInstance(str(path))
    assert isinstance(instance.server, unix_server.UnixServer)
    assert stat.S_ISSOCK(path.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    assert [p.name for p in folder.iterdir()] == ["musicauth-test"]  # no private folder left behind
    with qtbot.waitSignal(instance.activation_requested, timeout=3000):
        assert activate_running(str(path))  # QLocalSocket, as a second instance knocks
    instance.server.close()
    assert not path.exists()
    assert not activate_running(str(path))


@pytest.mark.skipif(not unix_server.available(), reason="no Unix sockets (Windows)")
def test_the_unix_server_ignores_anything_but_a_knock(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = SingleInstance(str(tmp_path / "s"))
    seen: list[bytes] = []
    assert isinstance(instance.server, unix_server.UnixServer)
    instance.server.received.connect(seen.append)
    activations: list[None] = []
    instance.activation_requested.connect(lambda: activations.append(None))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stray:
        stray.connect(str(tmp_path / "s"))
        stray.sendall(b"hello\n")
        qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert seen == [b"hello\n"] and activations == []
    instance.server.close()


def test_a_relative_name_lives_in_qts_temp_folder() -> None:
    from PySide6.QtCore import QDir

    assert unix_server.server_path("x") == QDir.cleanPath(QDir.tempPath()) + "/x"
    assert unix_server.server_path("/run/x") == "/run/x"


@pytest.mark.skipif(not unix_server.available(), reason="no Unix sockets (Windows)")
def test_out_of_descriptors_the_server_waits_instead_of_spinning(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A failed accept leaves the knock queued and the socket readable: listening on at once
    would call accept in a loop at full CPU; the server listens again a little later."""
    import errno

    instance = SingleInstance(str(tmp_path / "s"))
    server = instance.server
    assert isinstance(server, unix_server.UnixServer)
    real = server._socket
    accepts: list[str] = []

    until = time.monotonic() + 0.2  # out of descriptors for a while, then some are freed

    class OutOfDescriptorsAwhile:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def accept(self) -> tuple[socket.socket, object]:
            if time.monotonic() < until:
                accepts.append("EMFILE")
                raise OSError(errno.EMFILE, "Too many open files")
            accepts.append("ok")
            return real.accept()

    server._socket = OutOfDescriptorsAwhile()  # type: ignore[assignment]
    seen: list[bytes] = []
    server.received.connect(seen.append)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
        knock.connect(str(tmp_path / "s"))
        knock.sendall(b"x")
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [b"x"]
    assert accepts[:2] == ["EMFILE", "ok"] and len(accepts) <= 3  # not a retry at every loop pass meanwhile
    server._socket = real
    server.close()
