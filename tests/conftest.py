"""Suite-wide isolation: every test gets its own config, cache, runtime and keyring folders, so
nothing touches the user's real keyring or files, and nothing leaks between tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from musicauth_gui.core.clock import FakeClock

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
TEST_BACKEND = "tests.support.file_keyring.FileKeyring"

# A log record at WARNING or above that the test does not declare fails it (see the module).
pytest_plugins = ["tests.support.logfail"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every folder the app may write to at tmp_path, and the keyring at a test backend."""
    dirs = {
        "home": tmp_path / "home",
        "config": tmp_path / "config",
        "cache": tmp_path / "cache",
        "data": tmp_path / "data",
        "runtime": tmp_path / "runtime",
        "state": tmp_path / "state",
        "keyring": tmp_path / "keyring",
    }
    for path in dirs.values():
        path.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(dirs["runtime"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_DIR", str(dirs["keyring"]))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", TEST_BACKEND)
    # No real browser, ever, unless a test asks for one (browser_env, the Chromium test): with
    # Chromium installed, webbrowser and xdg-open would otherwise start it. `false` fails as
    # "no browser could be started" did before any browser was installed.
    monkeypatch.setenv("BROWSER", "false")
    monkeypatch.delenv("MUSICAUTH_TEST_KEYRING_LOCKED", raising=False)
    for fault in ("DELAY", "FAIL", "FAIL_TIMES", "WRITE_DELAY"):
        monkeypatch.delenv(f"MUSICAUTH_TEST_KEYRING_{fault}", raising=False)
    # Subprocesses (the real CLI) must find tests.support.file_keyring.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    import keyring

    keyring.set_keyring(_load_test_backend())
    return dirs


def _load_test_backend():  # type: ignore[no-untyped-def]
    from tests.support.file_keyring import FileKeyring

    return FileKeyring()


@pytest.fixture
def app_written_dirs(isolated_dirs: dict[str, Path]) -> list[Path]:
    """The folders the app itself writes (not the stand-in keyring, which holds secrets by design)."""
    return [isolated_dirs[k] for k in ("home", "config", "cache", "data", "runtime", "state")]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)




@pytest.fixture
def fake_clock() -> FakeClock:
    """Clocks that move only when the test says so (``advance``, ``set``, ``suspend``).

    The wall clock starts at the real time, so that the emulators, which read the real clock,
    agree with it until the test moves it.
    """
    return FakeClock()
