"""Running the real ``musicauth`` command line in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.file_keyring import FileKeyring

FAKE_BROWSER = Path(__file__).with_name("fake_browser.py")


def musicauth(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "musicauth_gui.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def browser_env(**extra: str) -> dict[str, str]:
    """$BROWSER pointing at the stand-in browser (webbrowser substitutes %s)."""
    return {"BROWSER": f"{sys.executable} {FAKE_BROWSER} %s", **extra}


def stored_record(name: str) -> dict[str, Any]:
    """The profile's keyring entry as the test keyring holds it (for white-box assertions)."""
    raw = FileKeyring().get_password("musicauth", f"profile/{name}")
    assert raw is not None, f"no keyring entry for {name}"
    return json.loads(raw)


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *must_contain: str) -> str:
    """A failed command: non-zero exit, one error line on stderr (the last), no traceback.

    ``login`` prints its progress (the sign-in URL) before waiting; only error lines start with
    ``musicauth:``.
    """
    assert result.returncode != 0, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("musicauth:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert "Traceback" not in result.stderr
    for text in must_contain:
        assert text in errors[0], errors[0]
    return errors[0]
