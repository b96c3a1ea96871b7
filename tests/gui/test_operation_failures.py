"""What fails of what the user does from the window (save, remove, import, export) shows over the
pane they are looking at, with the error's actions as buttons, not only in the status bar.
Real failures: the test keyring refusing writes and deletes, an export to a folder that is not
there."""

from __future__ import annotations

from pathlib import Path

from musicauth_gui.core.errors import Action
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.gui.dialogs import profiles_io, prompts
from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog
from tests.gui.test_fault_window import click, mxm, open_window, profiles_text, seed  # noqa: F401 - fixtures

KEYRING_FAIL = "MUSICAUTH_TEST_KEYRING_FAIL"


def shown_failure(qtbot, window, start: str) -> str:  # type: ignore[no-untyped-def]
    """Wait for the window's message line, and return its words."""
    line = window.operation_line
    qtbot.waitUntil(lambda: line.isVisible() and line.text().startswith(start), timeout=10000)
    return str(line.text())


def test_an_export_that_cannot_be_written_offers_another_file(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers = [tmp_path / "no-such-folder" / "profiles.toml", tmp_path / "profiles.toml"]
    asked: list[Path] = []

    async def ask_save_path(parent, default_name="profiles.toml", **kw):  # type: ignore[no-untyped-def]
        asked.append(answers[len(asked)])
        return str(asked[-1])

    monkeypatch.setattr(profiles_io, "ask_save_path", ask_save_path)
    window.export_profiles()
    text = shown_failure(qtbot, window, "Nothing was exported: ")
    assert "cannot write" in text and "no-such-folder" in text
    assert "cannot write" in window.statusBar().currentMessage()  # the status bar still says it too
    assert window.operation_line.isVisibleTo(window) and window.detail.isVisibleTo(window)  # over the pane

    click(qtbot, window.operation_line.button(Action.CHOOSE_ANOTHER_FILE))
    qtbot.waitUntil(lambda: answers[1].exists(), timeout=10000)
    assert asked == answers
    assert window.operation_line.isHidden()  # the new attempt cleared it, and it worked


def test_a_save_the_keyring_refuses_can_be_retried(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    seed(mxm, "one")
    window = open_window()
    new = parse_profiles_text(profiles_text(mxm, "two"))[0]
    monkeypatch.setattr(ProfileEditorDialog, "ask", classmethod(lambda cls, parent, context, **kw: new))
    monkeypatch.setenv(KEYRING_FAIL, "set")
    window.new_profile(provider="musixmatch")
    text = shown_failure(qtbot, window, "The profile was not saved: ")
    assert "keyring" in text
    assert window.model.record("two") is None
    retry = window.operation_line.button(Action.RETRY)

    monkeypatch.delenv(KEYRING_FAIL)
    click(qtbot, retry)
    qtbot.waitUntil(lambda: window.model.record("two") is not None, timeout=10000)
    assert window.operation_line.isHidden() and window.selected_name() == "two"


def test_a_removal_the_keyring_refuses_is_shown_with_its_actions(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    seed(mxm, "one", "two")
    window = open_window()
    window.select("two")
    qtbot.waitUntil(lambda: window.detail.name == "two")
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: True)
    monkeypatch.setenv(KEYRING_FAIL, "delete")
    window.remove_profile()
    text = shown_failure(qtbot, window, "The profile was not removed: ")
    assert "keyring" in text and window.operation_line.buttons()  # something to click
    assert "two" in window.model.names()

    window.select("one")  # the user moves on: the line goes
    qtbot.waitUntil(lambda: window.operation_line.isHidden())
