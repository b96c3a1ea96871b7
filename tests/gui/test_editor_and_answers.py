"""Issue 12, items 5, 12 and 13: the editor refuses profiles that cannot work and shows the
redirect URI to register; Try it shows status, time, headers and a pretty body; JWT times in
local time; every question before something is lost has Cancel as its default."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from musicauth_gui.core.events import ProfileChanged
from musicauth_gui.core.model import TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.dialogs import prompts
from musicauth_gui.gui.dialogs.profile_editor import KEEP_SECRET_PLACEHOLDER, NO_SECRET_STORED
from musicauth_gui.gui.local_time import local_time

from .conftest import run
from .test_profile_editor import add_profile, edit, is_invalid, make_dialog, save_button


def press_enter_on_the_question(qtbot, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """When the real question box opens, note its default button and press Enter on it."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.defaultButton().text() if box.defaultButton() else "")
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)


# -- item 5: what cannot work is refused, the field marked ---------------------------------------


def test_an_app_token_without_a_secret_is_refused(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    dialog.set_flow("client_credentials")
    edit(dialog, "client_id").setText("app")
    assert dialog.message() == "an app token (client credentials) needs the client secret"
    assert is_invalid(dialog, "client_secret") and not save_button(dialog).isEnabled()
    assert edit(dialog, "client_secret").placeholderText() == "required for app tokens"
    edit(dialog, "client_secret").setText("s3cret-value")
    assert dialog.message() == "" and not is_invalid(dialog, "client_secret") and save_button(dialog).isEnabled()


def test_a_client_auth_that_needs_a_secret_is_refused_until_none(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="musixmatch")
    edit(dialog, "client_id").setText("mxm")
    assert dialog.message().startswith("the client secret is needed") and "client_secret_post" in dialog.message()
    assert is_invalid(dialog, "client_secret")
    method = dialog.field("token_endpoint_auth_method")
    method.setCurrentIndex(method.findData("none"))  # a public client: PKCE alone
    assert dialog.message() == "" and save_button(dialog).isEnabled()


def test_the_secret_placeholder_says_whether_one_is_stored(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    add_profile(qtbot, qloop, memory_context, "public", {"provider": "spotify", "client_id": "c"})
    add_profile(
        qtbot, qloop, memory_context, "app", {"provider": "spotify", "flow": "client_credentials", "client_id": "c", "client_secret": "s"}
    )
    engine = memory_context.engine
    public = make_dialog(qtbot, memory_context, existing=run(qtbot, qloop, engine.load("public")))
    assert edit(public, "client_secret").placeholderText() == f"{NO_SECRET_STORED}: optional for public clients (PKCE)"
    assert public.message() == ""
    public.set_flow("client_credentials")  # now it would need one, and none is stored
    assert is_invalid(public, "client_secret") and "needs the client secret" in public.message()
    app = make_dialog(qtbot, memory_context, existing=run(qtbot, qloop, engine.load("app")))
    assert edit(app, "client_secret").placeholderText() == KEEP_SECRET_PLACEHOLDER
    assert app.message() == ""  # the stored secret counts


def test_the_redirect_uri_to_register_is_shown_and_copied(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    dialog.show()
    hint = dialog.redirect_hint()
    assert hint.uri_label.text() == "http://127.0.0.1/callback"
    assert "http://127.0.0.1:<port>/callback" in hint.note.text() and "RFC 8252 §7.3" in hint.note.text()
    assert "Spotify accepts any port" in hint.note.text()
    qtbot.mouseClick(hint.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "http://127.0.0.1/callback"

    edit(dialog, "redirect_uri").setText("http://127.0.0.1:8765/callback")  # pinned: exactly that
    assert hint.uri_label.text() == "http://127.0.0.1:8765/callback" and "exact URI" in hint.note.text()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(edit(dialog, "redirect_uri"), Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)  # its mnemonic
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "http://127.0.0.1:8765/callback")  # an animated click

    edit(dialog, "redirect_uri").setText("http://localhost:8765/callback")  # refused: nothing to register
    assert is_invalid(dialog, "redirect_uri") and not hint.uri_label.isVisible()

    dialog.set_preset("musixmatch")  # its documentation says nothing of ports: say how to pin one
    edit(dialog, "redirect_uri").setText("")
    assert "if Musixmatch wants the exact URI, give a fixed port" in hint.note.text()


# -- item 13 (editor): an edit that drops the token says so, and asks -----------------------------


@pytest.fixture
def signed_app(qtbot, qloop, demo_context):  # type: ignore[no-untyped-def]
    """The demo's SoundCloud app profile with a token."""
    engine = demo_context.engine
    run(qtbot, qloop, engine.get_token("SoundCloud app"))
    return run(qtbot, qloop, engine.load("SoundCloud app"))


def test_an_edit_that_drops_the_token_says_so_and_cancel_keeps_it(  # type: ignore[no-untyped-def]
    qtbot, qloop, demo_context, signed_app, monkeypatch
):
    dialog = make_dialog(qtbot, demo_context, existing=signed_app)
    dialog.show()
    edit(dialog, "scopes").setText("non-expiring")  # the same client: the token stays
    assert not dialog.drops_tokens() and not dialog.findChild(QMessageBox)
    edit(dialog, "token_endpoint").setText(signed_app.profile.token_endpoint.replace("/token", "/token2"))
    assert dialog.drops_tokens()
    assert dialog.token_note() == "Saving deletes its token: the client or an endpoint changed, so you will get a new token."

    seen: list[str] = []
    press_enter_on_the_question(qtbot, seen)
    dialog.accept()  # the real box: Enter takes its default
    assert seen == ["Cancel"] and dialog.isVisible()  # still editing
    with pytest.raises(RuntimeError):
        dialog.result_input()

    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: kw["accept_text"] == "Save and delete the tokens")
    dialog.accept()
    assert dialog.result_input().profile.token_endpoint.endswith("/token2")
    assert run(qtbot, qloop, demo_context.engine.load("SoundCloud app")).token is not None  # nothing saved yet


# -- item 12: the answer viewer --------------------------------------------------------------------


def try_it(qtbot, window, name: str) -> str:  # type: ignore[no-untyped-def]
    window.select(name)
    qtbot.waitUntil(lambda: window.detail.name == name)
    qtbot.waitUntil(lambda: window.detail.try_button.isEnabled(), timeout=10000)
    window.detail.answer_view.clear()
    window.detail.try_button.click()
    qtbot.waitUntil(lambda: bool(window.detail.answer_view.toPlainText()), timeout=10000)
    assert window.detail.tabs.currentWidget() is window.detail.answer_page
    return window.detail.answer_view.toPlainText()


def test_the_answer_view_is_made_when_its_tab_is_first_shown(qtbot, window):  # type: ignore[no-untyped-def]
    detail = window.detail
    assert detail._answer_view is None  # a window at rest holds no view for an answer (~0.1 MB)
    detail.tabs.setCurrentWidget(detail.answer_page)
    qtbot.waitUntil(lambda: detail._answer_view is not None and detail._answer_view.isVisible())
    assert detail.answer_view.toPlainText() == "" and detail.answer_view.isReadOnly()
    assert detail.answer_view.accessibleName() == "Provider answer"


def test_try_it_shows_status_time_headers_and_indented_json(qtbot, window, demo_context):  # type: ignore[no-untyped-def]
    text = try_it(qtbot, window, "SoundCloud app")
    lines = text.splitlines()
    assert re.fullmatch(r"200 OK · GET 127\.0\.0\.1:\d+/me · \d+ ms", lines[0]), lines[0]
    assert lines[2] == "Headers" and any(line.lower().startswith("content-type: application/json") for line in lines)
    assert "Body (application/json)" in lines
    body = lines[lines.index("Body (application/json)") + 1 :]
    assert body[0] == "{" and body[1].startswith('  "')  # indented, not one line
    token = demo_context.engine.record("SoundCloud app").token.access_token.reveal()
    assert token not in text


def test_try_it_shows_an_html_error_body_as_text(qtbot, window, demo_context):  # type: ignore[no-untyped-def]
    soundcloud = demo_context.demo.sandbox.providers["soundcloud"].server
    soundcloud.fail_next("/me", "500")
    text = try_it(qtbot, window, "SoundCloud app")
    assert text.startswith("500 Internal Server Error · GET ")
    assert "Body (text/html)" in text and "<h1>500 Internal Server Error</h1>" in text


def test_the_claims_show_times_in_local_time(qtbot, window, demo_context):  # type: ignore[no-untyped-def]
    window.select("MusicAPI")
    qtbot.waitUntil(lambda: "Claims" in window.detail.jwt_view.toPlainText(), timeout=10000)
    text = window.detail.jwt_view.toPlainText()
    token = demo_context.engine.record("MusicAPI").token
    for claim, value in (("iat", token.issued_at), ("exp", token.expires_at)):
        assert f'"{claim}": {int(value)},  ({local_time(value)})' in text or f'"{claim}": {int(value)}  ({local_time(value)})' in text


# -- item 13: Remove and Sign out ask, Cancel by default ------------------------------------------


def test_remove_asks_with_cancel_the_default(qtbot, qloop, window, demo_context):  # type: ignore[no-untyped-def]
    window.select("SoundCloud app")
    qtbot.waitUntil(lambda: window.detail.name == "SoundCloud app")
    seen: list[str] = []
    press_enter_on_the_question(qtbot, seen)
    window.remove_profile()
    assert seen == ["Cancel"]
    assert "SoundCloud app" in window.model.names()
    assert run(qtbot, qloop, demo_context.engine.load("SoundCloud app", fresh=True)) is not None


def test_remove_names_what_is_lost(qtbot, window, monkeypatch):  # type: ignore[no-untyped-def]
    window.select("SoundCloud app")
    qtbot.waitUntil(lambda: window.detail.name == "SoundCloud app")
    asked: list[dict] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: asked.append(kw) or True)
    window.remove_profile()
    qtbot.waitUntil(lambda: "SoundCloud app" not in window.model.names(), timeout=5000)
    assert asked[0]["destructive"] and asked[0]["accept_text"] == "Remove"
    assert "its client secret" in asked[0]["informative"]


def test_sign_out_with_a_refresh_token_asks_and_cancel_keeps_it(qtbot, qloop, window, demo_context, monkeypatch):  # type: ignore[no-untyped-def]
    engine = demo_context.engine
    signed_in = TokenSet(access_token=Secret("at-demo-value"), refresh_token=Secret("rt-demo-value"), expires_at=4e9, issued_at=1e9)

    async def sign_in_by_hand() -> None:
        # The state a browser sign-in leaves, arranged in the store (tests may reach behind
        # the door; the window may not).
        record = await engine.load("Spotify", fresh=True)
        await engine.store.save(dataclasses.replace(record, token=signed_in))
        engine.events.emit(ProfileChanged("Spotify"))  # as the engine's own sign-in does

    run(qtbot, qloop, sign_in_by_hand())
    window.select("Spotify")
    qtbot.waitUntil(lambda: window.detail.name == "Spotify")
    qtbot.waitUntil(lambda: window.detail.sign_out_button.isEnabled(), timeout=5000)
    seen: list[str] = []
    press_enter_on_the_question(qtbot, seen)
    window.detail.sign_out_button.click()
    assert seen == ["Cancel"]
    assert run(qtbot, qloop, engine.load("Spotify", fresh=True)).token is not None  # nothing lost

    asked: list[dict] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: asked.append(kw) or True)
    window.detail.open_browser = lambda url: None
    window.detail.sign_out_button.click()
    qtbot.waitUntil(lambda: engine.record("Spotify").token is None, timeout=10000)
    assert "refresh token" in asked[0]["informative"] and asked[0]["accept_text"] == "Sign out"
