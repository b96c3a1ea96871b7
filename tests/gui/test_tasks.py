"""Background tasks from Qt slots: their errors reach the user in the app's own words."""

from __future__ import annotations

import logging

import pytest

from musicauth_gui.core.errors import ProviderError
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.messages import error_text
from musicauth_gui.gui.tasks import spawn


async def fail_with(message: str) -> None:
    raise ProviderError(message)


def test_an_error_reaches_on_error_scrubbed_as_error_text_words_it(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    held = Secret("registered-token-value-42")  # scrubbed while something holds it (core/secret.py)
    shown: list[str] = []
    spawn(fail_with("sent client_secret=hunter2 and registered-token-value-42"), on_error=shown.append)
    qtbot.waitUntil(lambda: bool(shown))
    [line] = shown
    assert "hunter2" not in line and "registered-token-value-42" not in line
    assert line == error_text(ProviderError("sent client_secret=hunter2 and registered-token-value-42"))
    assert held.reveal() == "registered-token-value-42"


@pytest.mark.allow_warning_logs(match="^sent client_secret=\\*\\*\\*\\*")
def test_without_on_error_the_scrubbed_line_is_logged(qtbot, qloop, caplog) -> None:  # type: ignore[no-untyped-def]
    task = spawn(fail_with("sent client_secret=hunter2"))
    qtbot.waitUntil(task.done)
    qtbot.waitUntil(lambda: any(r.levelno == logging.WARNING for r in caplog.records))
    assert [r.getMessage() for r in caplog.records if r.name == "musicauth_gui.gui.tasks"] == ["sent client_secret=****"]
