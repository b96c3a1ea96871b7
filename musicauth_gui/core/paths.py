"""The folders the app writes to. None of them ever holds a secret in plaintext.

- runtime: lock files (and, in the desktop app, change stamps); per session, cleaned by the OS.
- cache: discovery metadata, which is public.
- state: in-flight refresh markers (profile name, time, pid), which must outlive a reboot.
- data: the encrypted vault file, only when the user chose it (``MUSICAUTH_STORE=file``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

from .. import APP_NAME

# platformdirs (~2-4 ms) is imported by the functions that ask it: `musicauth token`'s lean path
# imports this module (through the store) and asks none of them, and a runtime folder from
# XDG_RUNTIME_DIR needs none (benchmarks/README.md, "Start-up").


def runtime_dir() -> Path:
    """A private per-user folder for lock files: XDG_RUNTIME_DIR where there is one."""
    last_error: OSError | None = None
    for path in _runtime_candidates():
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            return path
        except OSError as exc:
            last_error = exc
    raise OSError(f"no writable runtime folder: {last_error}")


def _runtime_candidates() -> Iterator[Path]:
    if os.name == "posix" and os.environ.get("XDG_RUNTIME_DIR"):
        yield Path(os.environ["XDG_RUNTIME_DIR"]) / APP_NAME
    # Without XDG_RUNTIME_DIR (root in a container, macOS, Windows) the cache folder serves:
    # it is per user and survives nothing we care about.
    import platformdirs

    yield Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "run"


def cache_dir() -> Path:
    import platformdirs

    path = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def state_dir() -> Path:
    """A per-user folder for small records that must survive a reboot (XDG_STATE_HOME)."""
    home = _linux_state_home()
    if home is not None:
        path = Path(home) / APP_NAME
    else:
        import platformdirs

        path = Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _linux_state_home() -> str | None:
    """platformdirs' user state folder on desktop Linux, without importing it (~1.7 ms of every
    `musicauth refresh` before its request, for the in-flight marker): ``$XDG_STATE_HOME`` if it
    is an absolute path, else ``~/.local/state`` with an absolute ``$HOME``. None elsewhere
    (macOS, Windows, Android, a relative or missing HOME), where platformdirs answers;
    ``tests/core/test_paths.py`` holds the two to the same folder."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or os.environ.get("ANDROID_ROOT"):
        return None
    if os.path.isabs(xdg := os.environ.get("XDG_STATE_HOME", "")):
        return xdg
    if os.path.isabs(os.environ.get("HOME", "")):
        return os.path.expanduser("~/.local/state")
    return None


def data_dir() -> Path:
    """A per-user folder for data the user keeps (XDG_DATA_HOME): the default vault file's home."""
    import platformdirs

    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
