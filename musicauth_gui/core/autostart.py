"""Start at login: the desktop app, started hidden in the tray when the user logs in.

One backend per platform, each writing the platform's own record, so that the system's own
settings (GNOME's Startup Applications, Windows' Startup apps, macOS' Login Items) show it
and can switch it off:

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/<APP_ID>.desktop`` (the XDG
  Autostart specification); an entry with ``Hidden=true`` or ``X-GNOME-Autostart-enabled=false``
  counts as off, as the session manager treats it.
- Windows: a value named ``APP_NAME`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/<APP_ID>.plist`` with ``RunAtLoad``.

The record itself is the truth (no copy in the preferences), so a switch made elsewhere shows
in the Preferences dialog. Qt-free: nothing here needs a window.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol

from .. import APP_ID, APP_NAME
from .errors import MusicAuthError

#: What the app is started with at login: the window stays in the tray.
HIDDEN_FLAG = "--hidden"
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


class AutostartError(MusicAuthError):
    """The login entry could not be written or removed (a read-only folder, a policy)."""


class Autostart(Protocol):
    """A platform's start-at-login record."""

    def is_enabled(self) -> bool: ...

    def enable(self, command: Sequence[str]) -> None:
        """Write the record so that ``command`` (argv) runs at login; replaces an older one."""

    def disable(self) -> None:
        """Remove the record; nothing happens when there is none."""


def launch_command(flag: str = HIDDEN_FLAG) -> list[str]:
    """The argv that starts this installation of the desktop app with ``flag``: by default
    hidden in the tray (at login); the window's "Try the demo" passes ``--demo``.

    An absolute path, since the login session's PATH may lack a virtualenv's or ``~/.local/bin``:
    the bundle's own executable (PyInstaller), else the ``musicauth-gui`` script installed next
    to this interpreter, else this interpreter running the package.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, flag]
    scripts = Path(sys.executable).parent
    for name in ("musicauth-gui", "musicauth-gui.exe"):
        if (scripts / name).is_file():
            return [str(scripts / name), flag]
    found = shutil.which("musicauth-gui")
    if found:
        return [found, flag]
    return [sys.executable, "-m", "musicauth_gui", flag]


def for_platform(platform: str = sys.platform) -> Autostart:
    """The backend for ``platform`` (``sys.platform``'s values)."""
    if platform == "win32":
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()


# -- Linux and other XDG desktops -------------------------------------------------------------------


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/<APP_ID>.desktop`` (read from the environment at each call)."""

    @property
    def path(self) -> Path:
        config = os.environ.get("XDG_CONFIG_HOME") or ""
        # The spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
        base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
        return base / "autostart" / f"{APP_ID}.desktop"

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        except (OSError, UnicodeDecodeError):
            return False  # unreadable: the session manager cannot start it either
        entry = _desktop_entry_keys(text)
        return entry.get("Hidden", "").lower() != "true" and entry.get("X-GNOME-Autostart-enabled", "").lower() != "false"

    def enable(self, command: Sequence[str]) -> None:
        _write_entry(self.path, desktop_entry(command).encode("utf-8"))

    def disable(self) -> None:
        _remove_entry(self.path)


def _write_entry(path: Path, content: bytes) -> None:
    """Write a login entry file whole: never a half-written entry for the session to read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, path)
    except OSError as exc:
        raise AutostartError(f"could not write the login entry {path}: {exc.strerror or exc}") from exc


def _remove_entry(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AutostartError(f"could not remove the login entry {path}: {exc.strerror or exc}") from exc


def desktop_entry(command: Sequence[str]) -> str:
    """The autostart ``.desktop`` file's text for ``command``."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Keeps music API tokens renewed, in the tray\n"
        f"Icon={APP_ID}\n"
        f"Exec={desktop_exec(command)}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def desktop_exec(command: Sequence[str]) -> str:
    """``command`` as an ``Exec`` value (Desktop Entry spec, "The Exec key").

    Arguments with reserved characters are double-quoted, with ``"`` `` ` `` ``$`` and ``\\``
    escaped by a backslash; ``%`` is doubled, since ``%f`` and friends are field codes. Then
    the string escapes of the file format apply (a backslash is written twice).
    """
    reserved = set(' \t\n"\'\\><~|&;$*?#()`')
    parts = []
    for argument in command:
        argument = argument.replace("%", "%%")
        if any(c in reserved for c in argument):
            escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
            argument = f'"{escaped}"'
        parts.append(argument)
    return " ".join(parts).replace("\\", "\\\\")


def _desktop_entry_keys(text: str) -> dict[str, str]:
    """The ``[Desktop Entry]`` group's keys (enough for Hidden and the enabled flag)."""
    keys: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif group == "Desktop Entry" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip()
    return keys


# -- Windows ---------------------------------------------------------------------------------------


class WindowsRunKey:
    """The ``APP_NAME`` value under ``HKCU\\...\\CurrentVersion\\Run``.

    Args:
        registry: the ``winreg`` module (a test may give a stand-in); imported when first used.
    """

    def __init__(self, registry: ModuleType | None = None) -> None:
        self._registry = registry

    @property
    def winreg(self) -> ModuleType:
        if self._registry is None:
            import winreg  # only on Windows

            self._registry = winreg
        return self._registry

    def is_enabled(self) -> bool:
        reg = self.winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, reg.KEY_READ) as key:
                value, _kind = reg.QueryValueEx(key, APP_NAME)
        except OSError:  # FileNotFoundError: no such value (or key)
            return False
        return bool(value)

    def enable(self, command: Sequence[str]) -> None:
        reg = self.winreg
        try:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, APP_NAME, 0, reg.REG_SZ, windows_command_line(command))
        except OSError as exc:
            raise AutostartError(f"could not write the login entry in the registry: {exc.strerror or exc}") from exc

    def disable(self) -> None:
        reg = self.winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, APP_NAME)
        except FileNotFoundError:
            return  # already gone
        except OSError as exc:
            raise AutostartError(f"could not remove the login entry from the registry: {exc.strerror or exc}") from exc


def windows_command_line(command: Sequence[str]) -> str:
    """``command`` quoted as Windows' CreateProcess parses it (the Run value is one string)."""
    import subprocess

    return subprocess.list2cmdline(list(command))


# -- macOS -----------------------------------------------------------------------------------------


class MacLaunchAgent:
    """``~/Library/LaunchAgents/<APP_ID>.plist``, loaded by launchd at the next login."""

    @property
    def path(self) -> Path:
        return Path.home() / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    def is_enabled(self) -> bool:
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return isinstance(agent, dict) and bool(agent.get("RunAtLoad")) and not agent.get("Disabled", False)

    def enable(self, command: Sequence[str]) -> None:
        _write_entry(self.path, launch_agent_plist(command))

    def disable(self) -> None:
        _remove_entry(self.path)


def launch_agent_plist(command: Sequence[str]) -> bytes:
    """The LaunchAgent's XML plist: run ``command`` once at login, as a GUI process."""
    agent = {
        "Label": APP_ID,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        # Once at login, not relaunched on exit: Quit must stay quit.
        "KeepAlive": False,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",  # a graphical login, not an ssh session
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML)
