"""Every message offers its actions as buttons, and each button does what it says: walked over
every ``Action``, then driven by real failures from the sandbox providers (a revoked grant, a
secret read from an unset variable, a key that is not there)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from musicauth_gui.core.errors import Action, InvalidGrant, MusicAuthError
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.gui.dialogs import prompts
from musicauth_gui.gui.error_actions import HANDLERS, ErrorActions
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.messages import button_label, message_text
from musicauth_gui.gui.widgets.message_line import MessageLine, action_object_name
from tests.gui.conftest import run

FAKE_BROWSER = Path(__file__).resolve().parents[1] / "support" / "fake_browser.py"


def stand_in_browser(url: str) -> None:
    import subprocess

    threading.Thread(target=subprocess.run, args=([sys.executable, str(FAKE_BROWSER), url],), daemon=True).start()


class RecordingHost:
    """Stands in for the window where only the calls matter (the table walk)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return lambda *args: self.calls.append((name, args))


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button is not None and button.isVisible() and button.isEnabled(), button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    window.select(name)
    qtbot.waitUntil(lambda: window.detail.name == name)


# -- every action ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_action_has_words_and_a_handler_that_acts(action: Action) -> None:
    exc = MusicAuthError("something happened", profile="mxm", field="client_secret", actions=(action,))
    exc.variable = "MXM_SECRET"  # type: ignore[attr-defined]  # as MissingVariable carries it
    label = button_label(action, exc)
    assert label and "_" not in label and "musicauth " not in label and len(label) <= 30, label
    assert action in HANDLERS
    host, retried = RecordingHost(), []
    run_it = ErrorActions(host, retry=lambda: retried.append(True)).handler(action, exc)  # type: ignore[arg-type]
    assert run_it is not None, action
    run_it()
    assert host.calls or retried, action  # the click reached the window or the retry


def test_a_window_is_an_action_host() -> None:
    from musicauth_gui.gui.error_actions import ActionHost

    assert isinstance(MainWindow.__new__(MainWindow), ActionHost)


def test_no_button_without_a_way_to_act_and_words_only_for_what_no_button_does(qtbot) -> None:  # type: ignore[no-untyped-def]
    line = MessageLine(object_name="line")
    qtbot.addWidget(line)
    exc = InvalidGrant("the refresh token was revoked", status=400, error="invalid_grant")  # no profile
    line.show_error(exc, ErrorActions(RecordingHost()))  # type: ignore[arg-type]
    assert line.buttons() == {} and line.text() == "the refresh token was revoked"
    unreachable = MusicAuthError("no answer", actions=(Action.CHECK_NETWORK,))
    retried: list[bool] = []
    line.show_error(unreachable, ErrorActions(RecordingHost(), retry=lambda: retried.append(True)))  # type: ignore[arg-type]
    assert line.text() == message_text(unreachable) == "no answer — check the connection and the endpoints"
    line.show()
    click(qtbot, line.button(Action.CHECK_NETWORK))
    assert retried == [True]


# -- real failures -----------------------------------------------------------------------------------


def test_a_revoked_grant_offers_sign_in_which_starts_that_profiles_sign_in(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "Musixmatch")
    window.detail.open_browser = stand_in_browser
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: window.model.record("Musixmatch").token is not None, timeout=15000)
    qtbot.waitUntil(lambda: window.running.entries("Musixmatch") == [], timeout=5000)
    window.context.demo.sandbox.musixmatch.revoke_all_for_user()  # the user withdrew consent

    click(qtbot, window.detail.renew_button)
    line = window.detail.error_line
    qtbot.waitUntil(lambda: line.button(Action.SIGN_IN) is not None and line.isVisible(), timeout=10000)
    assert line.button(Action.SIGN_IN).text() == "Sign in"
    assert "musicauth " not in line.text() and "—" not in line.text()  # the button says what to do

    select(qtbot, window, "Musixmatch app")  # the message's button acts on its own profile
    select(qtbot, window, "Musixmatch")
    opened: list[str] = []
    window.detail.open_browser = opened.append  # nobody answers: it keeps waiting
    click(qtbot, window.detail.error_line.button(Action.SIGN_IN))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert window.context.engine.signing_in("Musixmatch") is not None
    assert window.detail.sign_in_banner.isVisible()
    click(qtbot, window.detail.cancel_button)
    qtbot.waitUntil(lambda: window.context.engine.signing_in("Musixmatch") is None, timeout=5000)


@pytest.fixture
def env_profile(qtbot, qloop, window, monkeypatch):  # type: ignore[no-untyped-def]
    """A Musixmatch app profile whose client secret is read from an unset variable."""
    monkeypatch.delenv("MXM_GUI12_SECRET", raising=False)
    mxm = window.context.demo.sandbox.providers["musixmatch"]
    text = (
        '[profiles."From env"]\nprovider = "musixmatch"\nflow = "client_credentials"\n'
        f'client_id = "{mxm.client.client_id}"\nclient_secret = {{ env = "MXM_GUI12_SECRET" }}\n'
        f'issuer = "{mxm.base_url}"\n'
    )
    run(qtbot, qloop, window.context.engine.import_profiles(parse_profiles_text(text)))
    qtbot.waitUntil(lambda: window.model.record("From env") is not None, timeout=5000)
    select(qtbot, window, "From env")
    click(qtbot, window.detail.get_token_button)
    line = window.detail.error_line
    qtbot.waitUntil(lambda: line.button(Action.EDIT_FIELD) is not None, timeout=10000)
    yield mxm
    from musicauth_gui.core import env_secret

    env_secret._session_values.pop("MXM_GUI12_SECRET", None)


def test_an_unset_secret_variable_offers_edit_which_focuses_the_secret_field(qtbot, window, env_profile, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog

    line = window.detail.error_line
    assert line.button(Action.EDIT_FIELD).text() == "Edit Client secret"
    assert "MXM_GUI12_SECRET" in line.text()
    opened: list[ProfileEditorDialog] = []

    def ask(parent, context, *, existing=None, provider=None, focus_field=None):  # type: ignore[no-untyped-def]
        dialog = ProfileEditorDialog(context, existing=existing, focus_field=focus_field, parent=parent)
        qtbot.addWidget(dialog)
        dialog.show()
        opened.append(dialog)
        return None  # the user closes it without saving

    monkeypatch.setattr(ProfileEditorDialog, "ask", ask)
    click(qtbot, line.button(Action.EDIT_FIELD))
    assert opened and opened[0].windowTitle() == "Edit profile “From env”"
    assert opened[0].focusWidget() is opened[0].field("client_secret")
    opened[0].reject()


def test_an_unset_secret_variable_can_be_set_for_the_session_and_retried(qtbot, window, env_profile, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = window.detail.error_line
    asked: list[dict[str, object]] = []
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: asked.append(kw) or env_profile.client.client_secret)
    click(qtbot, line.button(Action.SET_VARIABLE))
    assert asked and asked[0]["password"] is True and "MXM_GUI12_SECRET" in str(asked[0]["label"])
    # Retried at once with the value: a token from the emulator, and the message gone.
    qtbot.waitUntil(lambda: window.model.record("From env").token is not None, timeout=10000)
    qtbot.waitUntil(lambda: line.isHidden(), timeout=5000)
    # Kept in the app, not in the environment that the browser or a terminal it starts inherits.
    assert "MXM_GUI12_SECRET" not in os.environ


def test_a_devtoken_profile_without_its_key_offers_the_signing_keys(qtbot, qloop, window, demo_context) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog
    from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog

    dialog = DevTokenDialog(demo_context, parent=window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        pass
    dialog.keyCombo.setCurrentIndex(-1)
    dialog.generate()  # no key chosen: the status says so, with its two ways out
    buttons = dialog.status_actions.buttons()
    assert [b.text() for b in buttons.values()] == ["Edit Key", "Signing keys…"]
    assert dialog.status.property("kind") == "error"
    dialog.show()
    click(qtbot, buttons[Action.EDIT_FIELD])
    assert dialog.focusWidget() is dialog.keyCombo
    click(qtbot, dialog.status_actions.button(Action.ADD_KEY))
    manager = window.findChild(KeyManagerDialog)
    assert manager is not None and manager.isVisible()
    qtbot.waitSignal(manager.refreshed, timeout=5000).wait()  # its first listing, before it goes
    manager.close()
    manager.deleteLater()  # no reload of a closed store's keys after the test
    dialog.close()
    qtbot.wait(50)


def test_the_store_banner_offers_the_vault_file_when_there_is_no_keyring(qtbot, qloop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.errors import NoKeyringError

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.show_store_error("", retry=True, error=NoKeyringError("no backend"))
    assert "gnome-keyring" in window.banner_text.text() and "musicauth " not in window.banner_text.text()
    use = window.banner.extra_buttons[action_object_name(Action.USE_FILE_VAULT)]
    assert use.text() == "Use the vault file…" and window.banner.retry_button.isVisible()
    reopened: list[bool] = []
    monkeypatch.setattr(window, "retry_store", lambda: reopened.append(True))
    monkeypatch.delenv("MUSICAUTH_STORE", raising=False)
    click(qtbot, use)
    assert os.environ.pop("MUSICAUTH_STORE") == "file" and reopened == [True]
    window._quitting = True
