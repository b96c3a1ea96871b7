"""Start at login: the XDG autostart entry written and removed for real (in this test's
XDG_CONFIG_HOME), the LaunchAgent's content, and the Windows Run value against a stand-in registry."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from musicauth_gui import APP_ID, APP_NAME
from musicauth_gui.core import autostart
from musicauth_gui.core.autostart import (
    AutostartError,
    MacLaunchAgent,
    WindowsRunKey,
    XdgAutostart,
    desktop_exec,
    launch_agent_plist,
)

COMMAND = ["/opt/music auth/bin/musicauth-gui", "--hidden"]


def test_the_xdg_entry_is_written_with_the_hidden_exec_line_and_removed(isolated_dirs: dict[str, Path]) -> None:
    entry = XdgAutostart()
    path = isolated_dirs["config"] / "autostart" / f"{APP_ID}.desktop"
    assert entry.path == path
    assert not entry.is_enabled()
    entry.enable(COMMAND)
    assert entry.is_enabled()
    lines = path.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert 'Exec="/opt/music auth/bin/musicauth-gui" --hidden' in lines
    assert f"Icon={APP_ID}" in lines and "Type=Application" in lines
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    entry.disable()
    assert not path.exists() and not entry.is_enabled()
    entry.disable()  # twice is fine


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_xdg_entry_passes_desktop_file_validate(isolated_dirs: dict[str, Path]) -> None:
    XdgAutostart().enable(['/tmp/a "quoted" $path/with\\backslash', "--hidden"])
    path = isolated_dirs["config"] / "autostart" / f"{APP_ID}.desktop"
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_exec_quoting_follows_the_desktop_entry_spec() -> None:
    assert desktop_exec(["/usr/bin/musicauth-gui", "--hidden"]) == "/usr/bin/musicauth-gui --hidden"
    assert desktop_exec(["/a b/app"]) == '"/a b/app"'
    # Inside quotes " ` $ \ take a backslash; the file format's escape then doubles each backslash.
    assert desktop_exec(['/x/"$HOME"\\y']) == '"/x/\\\\"\\\\$HOME\\\\"\\\\\\\\y"'
    assert desktop_exec(["/100%/app"]) == "/100%%/app"  # %-codes are field codes


def test_an_entry_switched_off_by_the_session_counts_as_off(isolated_dirs: dict[str, Path]) -> None:
    entry = XdgAutostart()
    entry.enable(COMMAND)
    text = entry.path.read_text()
    entry.path.write_text(text.replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"))
    assert not entry.is_enabled()
    entry.path.write_text(text + "Hidden=true\n")
    assert not entry.is_enabled()
    entry.enable(COMMAND)  # switching it on again replaces the edited entry
    assert entry.is_enabled()


def test_a_relative_xdg_config_home_is_ignored(isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert XdgAutostart().path == isolated_dirs["home"] / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_a_folder_that_cannot_be_written_is_an_error_with_the_path(isolated_dirs: dict[str, Path]) -> None:
    (isolated_dirs["config"] / "autostart").write_text("a file where the folder should be")
    with pytest.raises(AutostartError, match=r"could not write the login entry .*autostart"):
        XdgAutostart().enable(COMMAND)


def test_the_launch_agent_runs_the_command_once_at_login(isolated_dirs: dict[str, Path]) -> None:
    agent = plistlib.loads(launch_agent_plist(COMMAND))
    assert agent["Label"] == APP_ID
    assert agent["ProgramArguments"] == COMMAND
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] is False
    mac = MacLaunchAgent()
    assert mac.path == isolated_dirs["home"] / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    assert not mac.is_enabled()
    mac.enable(COMMAND)
    assert mac.is_enabled() and plistlib.loads(mac.path.read_bytes()) == agent
    mac.disable()
    assert not mac.path.exists() and not mac.is_enabled()


class StandInRegistry:
    """The part of ``winreg`` the Run key uses (winreg's own names), over a dict: {key path: {value name: value}}."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_READ = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}

    def OpenKey(self, root: str, path: str, reserved: int, access: int) -> Handle:
        if f"{root}\\{path}" not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._handle(root, path)

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> Handle:
        self.keys.setdefault(f"{root}\\{path}", {})
        return self._handle(root, path)

    def QueryValueEx(self, key: Handle, name: str) -> tuple[str, int]:
        values = self.keys[key.path]
        if name not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return values[name], self.REG_SZ

    def SetValueEx(self, key: Handle, name: str, reserved: int, kind: int, value: str) -> None:
        assert kind == self.REG_SZ
        self.keys[key.path][name] = value

    def DeleteValue(self, key: Handle, name: str) -> None:
        if name not in self.keys[key.path]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del self.keys[key.path][name]

    def _handle(self, root: str, path: str) -> Handle:
        return Handle(f"{root}\\{path}")


class Handle(SimpleNamespace):
    """An open key: a context manager, as winreg's PyHKEY is."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path)

    def __enter__(self) -> Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_windows_run_value_holds_the_quoted_command() -> None:
    registry = StandInRegistry()
    run_key = WindowsRunKey(registry)  # type: ignore[arg-type]
    assert not run_key.is_enabled()
    run_key.enable([r"C:\Program Files\musicauth\musicauth-gui.exe", "--hidden"])
    run = registry.keys[r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"]
    assert run == {APP_NAME: r'"C:\Program Files\musicauth\musicauth-gui.exe" --hidden'}
    assert run_key.is_enabled()
    run_key.disable()
    assert run == {} and not run_key.is_enabled()
    run_key.disable()  # twice is fine


@pytest.mark.skipif(sys.platform != "win32", reason="the real registry exists on Windows only")
def test_the_real_registry_on_windows() -> None:  # pragma: no cover - not run on Linux CI
    run_key = WindowsRunKey()
    was = run_key.is_enabled()
    try:
        run_key.enable(autostart.launch_command())
        assert run_key.is_enabled()
    finally:
        if not was:
            run_key.disable()


def test_each_platform_gets_its_own_backend() -> None:
    assert isinstance(autostart.for_platform("linux"), XdgAutostart)
    assert isinstance(autostart.for_platform("freebsd14"), XdgAutostart)
    assert isinstance(autostart.for_platform("win32"), WindowsRunKey)
    assert isinstance(autostart.for_platform("darwin"), MacLaunchAgent)
    assert isinstance(autostart.for_platform(), XdgAutostart if sys.platform not in ("win32", "darwin") else object)


def test_the_launch_command_is_absolute_and_starts_hidden() -> None:
    command = autostart.launch_command()
    assert Path(command[0]).is_absolute()
    assert command[-1] == "--hidden"
