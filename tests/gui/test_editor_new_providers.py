"""Profiles of this round's providers made in the profile editor, end to end in the demo world:
a Last.fm web-auth profile, a Discogs OAuth 1.0a profile signed with HMAC-SHA1 and an Apple
Music user-token profile on the demo's key. Each is checked in what the core stored (its export
and the keyring); the Last.fm and Discogs ones then sign in against the demo's emulators, and
their session key or access token shows in the detail pane."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from musicauth_gui.core.model import Profile
from musicauth_gui.demo_world import DEMO_KEY, DEMO_KID
from musicauth_gui.gui.dialogs import profiles_io
from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog
from musicauth_gui.gui.main_window import MainWindow
from tests.gui.conftest import run
from tests.gui.test_discogs_sign_in import approve_in_browser
from tests.gui.test_main_window import select, stand_in_browser


def make_dialog(qtbot, context, provider: str) -> ProfileEditorDialog:  # type: ignore[no-untyped-def]
    dialog = ProfileEditorDialog(context, provider=provider)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.choices_task.done)
    dialog.show()
    return dialog


def type_into(qtbot, dialog: ProfileEditorDialog, key: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``text`` into ``key``'s field as a user does: its row shown first."""
    assert dialog.is_field_shown(key), key
    if not dialog.endpoints_expanded():
        dialog.set_endpoints_expanded(True)
    widget = dialog.field(key)
    assert isinstance(widget, QLineEdit) and widget.isVisible(), key
    widget.clear()
    qtbot.keyClicks(widget, text)


def save_button(dialog: ProfileEditorDialog) -> QPushButton:
    button = dialog.findChild(QPushButton, "saveButton")
    assert button is not None
    return button


def name_it(dialog: ProfileEditorDialog, name: str) -> None:
    edit = dialog.findChild(QLineEdit, "nameEdit")
    assert edit is not None
    edit.setText(name)


def save(qtbot, qloop, dialog: ProfileEditorDialog, context) -> Profile:  # type: ignore[no-untyped-def]
    """Save as the window does; the profile as the store has it afterwards."""
    assert dialog.message() == "", dialog.message()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    [name] = run(qtbot, qloop, context.engine.import_profiles([dialog.result_input()]))
    return run(qtbot, qloop, context.engine.load(name)).profile


def exported(qtbot, qloop, context, name: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The profile as Export profiles writes it."""
    path = tmp_path / "out.toml"
    run(qtbot, qloop, profiles_io.export_profiles_file(None, context, [name], str(path)))
    return path.read_text(encoding="utf-8")


def assert_secret_in_the_keyring_only(qtbot, qloop, context, name: str, secret: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The client secret typed is the one stored (the keyring's), and the export lacks it; the export."""
    record = run(qtbot, qloop, context.engine.load(name, fresh=True))
    assert record.client_secret is not None and record.client_secret.reveal() == secret
    assert any(secret in value for value in context.engine.store.vault._data.values())
    text = exported(qtbot, qloop, context, name, tmp_path)
    assert secret not in text and "client_secret" not in text
    return text


def show_new(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.model.row_of(name) is not None, timeout=5000)
    select(qtbot, window, name)


def test_a_lastfm_profile_from_the_editor_signs_in(qtbot, qloop, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = window.context
    lastfm = context.demo.sandbox.lastfm
    dialog = make_dialog(qtbot, context, "lastfm")
    # Last.fm's rows: the API key, the shared secret and, under Endpoints, the page and the API.
    assert dialog.is_field_shown("api_endpoint") and not dialog.is_field_shown("signature_method")
    assert not dialog.is_field_shown("scopes") and not dialog.is_field_shown("redirect_uri")
    dialog.set_endpoints_expanded(True)
    assert dialog.field("api_endpoint").placeholderText() == "https://ws.audioscrobbler.com/2.0/"
    name_it(dialog, "My Last.fm")
    type_into(qtbot, dialog, "client_id", "demo-lastfm")
    type_into(qtbot, dialog, "client_secret", context.demo.sandbox.lastfm_secret)
    type_into(qtbot, dialog, "authorization_endpoint", lastfm.url("/api/auth/"))
    # Plain http off loopback: refused by the core, shown at the field by its label.
    type_into(qtbot, dialog, "api_endpoint", "http://ws.example.com/2.0/")
    assert dialog.message().startswith("API endpoint http://ws.example.com/2.0/ is plain http")
    assert dialog.field("api_endpoint").property("invalid") and not save_button(dialog).isEnabled()
    type_into(qtbot, dialog, "api_endpoint", lastfm.url("/2.0/"))
    profile = save(qtbot, qloop, dialog, context)
    assert (profile.provider, profile.flow, profile.client_id) == ("lastfm", "authorization_code", "demo-lastfm")
    assert profile.api_endpoint == lastfm.url("/2.0/") and profile.authorization_endpoint == lastfm.url("/api/auth/")
    secret = context.demo.sandbox.lastfm_secret
    text = assert_secret_in_the_keyring_only(qtbot, qloop, context, "My Last.fm", secret, tmp_path)
    assert f'api_endpoint = "{lastfm.url("/2.0/")}"' in text

    show_new(qtbot, window, "My Last.fm")
    detail = window.detail
    detail.open_browser = stand_in_browser
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record("My Last.fm").token is not None, timeout=15000)
    qtbot.waitUntil(lambda: detail.sign_in_banner.isHidden(), timeout=5000)
    session_key = window.model.record("My Last.fm").token.access_token.reveal()
    assert lastfm.is_session_active(session_key) and detail.token_field.text() == session_key


def test_a_discogs_profile_with_hmac_sha1_from_the_editor_signs_in(qtbot, qloop, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = window.context
    discogs = context.demo.discogs
    dialog = make_dialog(qtbot, context, "discogs")
    assert dialog.flow() == "oauth1"
    assert dialog.is_field_shown("request_token_endpoint") and dialog.is_field_shown("signature_method")
    assert not dialog.is_field_shown("api_endpoint") and not dialog.is_field_shown("musickit_js_url")
    dialog.set_endpoints_expanded(True)
    assert dialog.field("request_token_endpoint").placeholderText() == "https://api.discogs.com/oauth/request_token"
    methods = dialog.field("signature_method")
    assert isinstance(methods, QComboBox) and methods.currentData() == "PLAINTEXT"
    # Each choice says what it means.
    tips = [methods.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(methods.count())]
    assert [methods.itemData(i) for i in range(methods.count())] == ["PLAINTEXT", "HMAC-SHA1"]
    assert "TLS" in tips[0] and "binds nothing" in tips[0] and "method, the URL and the parameters" in tips[1]
    methods.setCurrentIndex(methods.findData("HMAC-SHA1"))
    assert methods.toolTip() == tips[1]
    name_it(dialog, "My Discogs")
    type_into(qtbot, dialog, "client_id", "demo-discogs")
    type_into(qtbot, dialog, "client_secret", "demo-discogs-secret")
    type_into(qtbot, dialog, "request_token_endpoint", "ftp://api.discogs.example/oauth/request_token")
    assert dialog.message().startswith("Request token endpoint 'ftp://")
    assert dialog.field("request_token_endpoint").property("invalid")
    type_into(qtbot, dialog, "request_token_endpoint", discogs.url("/oauth/request_token"))
    type_into(qtbot, dialog, "authorization_endpoint", discogs.url("/oauth/authorize"))
    type_into(qtbot, dialog, "token_endpoint", discogs.url("/oauth/access_token"))
    type_into(qtbot, dialog, "try_url", discogs.url("/oauth/identity"))
    profile = save(qtbot, qloop, dialog, context)
    assert (profile.flow, profile.signature_method) == ("oauth1", "HMAC-SHA1")
    assert profile.request_token_endpoint == discogs.url("/oauth/request_token")
    text = assert_secret_in_the_keyring_only(qtbot, qloop, context, "My Discogs", "demo-discogs-secret", tmp_path)
    assert 'signature_method = "HMAC-SHA1"' in text

    show_new(qtbot, window, "My Discogs")
    detail = window.detail
    detail.open_browser = approve_in_browser
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record("My Discogs").token is not None, timeout=15000)
    token = window.model.record("My Discogs").token
    assert discogs.is_access_token_active(token.access_token.reveal())
    qtbot.waitUntil(lambda: detail.token_field.text() == token.access_token.reveal(), timeout=5000)

    # An edit keeps the signature method (the row shows it) and the request-token endpoint.
    again = ProfileEditorDialog(context, existing=run(qtbot, qloop, context.engine.load("My Discogs")))
    qtbot.addWidget(again)
    qtbot.waitUntil(again.choices_task.done)
    assert again.field("signature_method").currentData() == "HMAC-SHA1"
    assert again.field("request_token_endpoint").text() == discogs.url("/oauth/request_token")
    assert again.build_table()["signature_method"] == "HMAC-SHA1" and not again.drops_tokens()


def test_an_apple_music_user_token_profile_from_the_editor(qtbot, qloop, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = window.context
    apple = context.demo.sandbox.apple_music
    dialog = make_dialog(qtbot, context, "apple-music")
    dialog.set_flow("music_user_token")
    assert dialog.is_field_shown("musickit_js_url") and dialog.is_field_shown("api_endpoint")
    assert not dialog.is_field_shown("signature_method") and not dialog.is_field_shown("client_id")
    dialog.set_endpoints_expanded(True)
    assert dialog.field("musickit_js_url").placeholderText() == "https://js-cdn.music.apple.com/musickit/v3/musickit.js"
    assert dialog.field("api_endpoint").placeholderText() == "https://api.music.apple.com"
    # The key comes from the key manager's store, as a developer token's does.
    keys = dialog.field("key")
    assert isinstance(keys, QComboBox) and keys.findData(DEMO_KEY) >= 0
    keys.setCurrentIndex(keys.findData(DEMO_KEY))
    name_it(dialog, "My Apple Music")
    type_into(qtbot, dialog, "team_id", "ABCDE12345")
    type_into(qtbot, dialog, "key_id", DEMO_KID)
    type_into(qtbot, dialog, "musickit_js_url", "javascript:alert(1)")
    assert dialog.message().startswith("MusicKit JS URL ") and dialog.field("musickit_js_url").property("invalid")
    type_into(qtbot, dialog, "musickit_js_url", apple.url("/musickit.js"))
    type_into(qtbot, dialog, "api_endpoint", apple.base_url)
    profile = save(qtbot, qloop, dialog, context)
    assert (profile.flow, profile.key, profile.key_id, profile.team_id) == ("music_user_token", DEMO_KEY, DEMO_KID, "ABCDE12345")
    assert (profile.musickit_js_url, profile.api_endpoint) == (apple.url("/musickit.js"), apple.base_url)
    text = exported(qtbot, qloop, context, "My Apple Music", tmp_path)
    assert f'musickit_js_url = "{apple.url("/musickit.js")}"' in text and "PRIVATE KEY" not in text
