"""core/paths.py's state folder found without platformdirs on Linux is platformdirs' own."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from musicauth_gui import APP_NAME
from musicauth_gui.core import paths


@pytest.mark.parametrize(
    ("xdg_state_home", "home"),
    [
        (None, "{tmp}/home"),
        (None, "{tmp}/home/"),
        ("{tmp}/state", "{tmp}/home"),
        ("", "{tmp}/home"),
        ("relative/state", "{tmp}/home"),
        (" {tmp}/state", "{tmp}/home"),
        (None, "relative-home"),
        (None, None),
    ],
)
def test_the_state_folder_is_platformdirs_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg_state_home: str | None, home: str | None
) -> None:
    for variable, value in (("XDG_STATE_HOME", xdg_state_home), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value.format(tmp=tmp_path))
    monkeypatch.chdir(tmp_path)  # a relative answer is made under tmp_path, never the checkout
    try:
        expected = Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
    except RuntimeError:  # no home at all: platformdirs cannot say, and neither may we differ
        pytest.skip("platformdirs finds no home here")
    assert paths.state_dir() == expected
