"""The profile editor and the profiles-file import/export, driven without exec() (offscreen)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QPushButton

from musicauth_gui.core.errors import Action, ConfigError
from musicauth_gui.core.model import Profile
from musicauth_gui.core.presets import PRESETS
from musicauth_gui.core.profiles_file import ProfileInput, parse_profile, read_profiles_file
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.dialogs import profiles_io
from musicauth_gui.gui.dialogs.profile_editor import KEEP_SECRET_PLACEHOLDER, ProfileEditorDialog
from musicauth_gui.gui.field_labels import FIELD_LABELS

from .conftest import run


def make_dialog(qtbot, context, **options) -> ProfileEditorDialog:  # type: ignore[no-untyped-def]
    dialog = ProfileEditorDialog(context, **options)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.choices_task.done)
    return dialog


def edit(dialog: ProfileEditorDialog, key: str) -> QLineEdit:
    widget = dialog.field(key)
    assert isinstance(widget, QLineEdit)
    return widget


def save_button(dialog: ProfileEditorDialog) -> QPushButton:
    button = dialog.findChild(QPushButton, "saveButton")
    assert button is not None
    return button


def is_invalid(dialog: ProfileEditorDialog, key: str) -> bool:
    return bool(dialog.field(key).property("invalid"))


def add_profile(qtbot, qloop, context, name: str, table: dict) -> None:  # type: ignore[no-untyped-def]
    run(qtbot, qloop, context.engine.import_profiles([parse_profile(name, table)]))


# -- fields follow the preset -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "shown", "hidden"),
    [
        ("spotify", {"client_id", "client_secret", "scopes", "redirect_uri"}, {"key", "key_id", "issuer", "team_id"}),
        (
            "musicapi",
            {"client_id", "client_secret", "key", "key_id", "subject", "devtoken_ttl"},
            {"scopes", "issuer", "team_id", "redirect_uri"},
        ),
        (
            "apple-music",
            {"key", "key_id", "team_id", "origin", "devtoken_ttl"},
            {"client_id", "client_secret", "scopes", "issuer"},
        ),
        ("oauth2", {"issuer", "client_id", "token_endpoint", "authorization_endpoint"}, {"key", "team_id"}),
        ("groove", {"client_id", "client_secret"}, {"redirect_uri", "authorization_endpoint", "key", "issuer"}),
    ],
)
def test_fields_follow_the_preset(qtbot, memory_context, provider, shown, hidden):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider=provider)
    dialog.set_endpoints_expanded(True)
    for key in shown:
        assert dialog.field(key).isVisibleTo(dialog), key
    for key in hidden:
        assert not dialog.field(key).isVisibleTo(dialog), key
    discover = dialog.findChild(QPushButton, "discoverButton")
    assert discover.isVisibleTo(dialog) == ("issuer" in shown)


def test_switching_preset_limits_flows_and_resets_default_scopes(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="musixmatch")
    assert edit(dialog, "scopes").text() == "profile email"
    dialog.set_preset("groove")
    flows = [dialog.field("flow").itemData(i) for i in range(dialog.field("flow").count())]
    assert flows == ["client_credentials"]
    assert not dialog.field("flow").isEnabled()
    dialog.set_preset("spotify")
    assert dialog.flow() == "client_credentials"  # kept: Spotify offers it too
    assert edit(dialog, "name").text() == "Spotify"  # the name follows the preset until edited
    assert not dialog.field("redirect_uri").isVisibleTo(dialog)
    assert edit(dialog, "scopes").text() == ""
    dialog.set_flow("authorization_code")
    assert dialog.field("redirect_uri").isVisibleTo(dialog)
    assert edit(dialog, "scopes").text() == "user-read-private"
    qtbot.keyClicks(edit(dialog, "name"), " mine")
    dialog.set_preset("soundcloud")
    assert edit(dialog, "name").text() == "Spotify mine"  # edited: no longer follows
    assert edit(dialog, "scopes").text() == ""  # Spotify's default went with Spotify


def test_issuer_placeholders_and_discover_button(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="oauth2")
    discover = dialog.findChild(QPushButton, "discoverButton")
    assert not discover.isEnabled()  # nothing to discover yet
    assert dialog.endpoints_expanded()  # oauth2 has no endpoints of its own
    edit(dialog, "issuer").setText("https://id.example.com")
    assert discover.isEnabled()
    assert edit(dialog, "token_endpoint").placeholderText() == "from the issuer's metadata"
    dialog.set_preset("spotify")
    assert edit(dialog, "token_endpoint").placeholderText() == "https://accounts.spotify.com/api/token"
    assert edit(dialog, "redirect_uri").placeholderText() == "http://127.0.0.1 (any free port)/callback"


# -- inline validation --------------------------------------------------------------------------


def test_missing_client_id_then_fixed(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    assert dialog.message() == "client_id is required"
    message = dialog.findChild(QLabel, "validationMessage")
    assert message.text() == "client_id is required"
    assert is_invalid(dialog, "client_id")
    assert not save_button(dialog).isEnabled()
    qtbot.keyClicks(edit(dialog, "client_id"), "my-client")
    assert dialog.message() == ""
    assert message.text() == ""
    assert not is_invalid(dialog, "client_id")
    assert save_button(dialog).isEnabled()


def test_plain_http_token_endpoint_is_refused(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    edit(dialog, "client_id").setText("my-client")
    edit(dialog, "token_endpoint").setText("http://accounts.example.com/api/token")
    assert "plain http on a host that is not loopback" in dialog.message()
    assert dialog.message().startswith("Token endpoint http://accounts.example.com")  # its label
    assert is_invalid(dialog, "token_endpoint")
    assert dialog.endpoints_expanded()  # the offending field is shown
    assert not save_button(dialog).isEnabled()
    edit(dialog, "token_endpoint").setText("http://127.0.0.1:8080/api/token")  # loopback is fine
    assert dialog.message() == ""
    assert save_button(dialog).isEnabled()


def test_apple_team_id_length(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    run(qtbot, qloop, memory_context.engine.keys.generate("apple-key"))
    dialog = make_dialog(qtbot, memory_context, provider="apple-music")
    assert dialog.field("key").currentText() == "apple-key"  # the only key is picked
    edit(dialog, "key_id").setText("ABCDE12345")
    edit(dialog, "team_id").setText("TEAM1")
    assert dialog.message() == "team_id must be Apple's 10-character id (A-Z, 0-9)"
    assert is_invalid(dialog, "team_id")
    assert not save_button(dialog).isEnabled()
    edit(dialog, "team_id").setText("TEAM123456")
    assert dialog.message() == ""
    assert save_button(dialog).isEnabled()
    edit(dialog, "devtoken_ttl").setText("200d")
    assert "exceeds" in dialog.message() and is_invalid(dialog, "devtoken_ttl")
    edit(dialog, "devtoken_ttl").setText("fortnight")
    assert dialog.message().startswith("lifetime 'fortnight'") and is_invalid(dialog, "devtoken_ttl")


def test_devtoken_needs_a_key(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="musicapi")
    edit(dialog, "client_id").setText("my-client")
    edit(dialog, "key_id").setText("KID1")
    assert dialog.message() == "key is required for DevTokens"
    assert is_invalid(dialog, "key")


def test_musixmatch_scopes_need_email(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="musixmatch")
    edit(dialog, "client_id").setText("mxm-client")
    edit(dialog, "client_secret").setText("mxm-secret")  # Musixmatch authenticates the client with it
    assert dialog.message() == ""
    edit(dialog, "scopes").setText("profile")
    assert dialog.message() == "musixmatch sign-in needs the scope(s) email"
    assert is_invalid(dialog, "scopes")
    assert not save_button(dialog).isEnabled()
    edit(dialog, "scopes").setText("profile email offline")
    assert save_button(dialog).isEnabled()


def test_name_must_be_free_when_creating(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    add_profile(qtbot, qloop, memory_context, "Spotify", {"provider": "spotify", "client_id": "a"})
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    assert edit(dialog, "name").text() == "Spotify 2"  # the suggested name avoids the clash
    edit(dialog, "client_id").setText("b")
    edit(dialog, "name").setText("Spotify")
    assert dialog.message().startswith("a profile named 'Spotify' already exists")
    assert is_invalid(dialog, "name")
    edit(dialog, "name").setText("")
    assert "profile name '' is not valid" in dialog.message()
    edit(dialog, "name").setText("Spotify work")
    assert dialog.message() == ""


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"provider": "oauth2", "client_id": "a"}, "issuer"),  # a message that opens with "provider"
        ({"provider": "spotify", "client_id": "a", "token_endpoint_auth_method": "x"}, "token_endpoint_auth_method"),
        ({"provider": "apple-music", "team_id": "TEAM123456", "key": "k", "key_id": "short"}, "key_id"),
        ({"provider": "musicapi", "client_id": "a", "key_id": "K"}, "key"),
        ({"provider": "spotify", "client_id": "a", "redirect_uri": "http://localhost:8080/cb"}, "redirect_uri"),
        ({"provider": "musicapi", "client_id": "a", "key": "k", "key_id": "K", "devtoken_ttl": "soon"}, "devtoken_ttl"),
    ],
)
def test_validation_errors_name_their_field_as_data(table, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        parse_profile("x", table)
    assert info.value.field == field and info.value.profile == "x"
    assert info.value.actions == (Action.EDIT_FIELD,)
    assert "'x'" not in info.value.message  # the profile is data; the message is about the field


def test_the_field_marked_is_the_errors_own(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    edit(dialog, "client_id").setText("my-client")
    edit(dialog, "redirect_uri").setText("http://localhost:8765/callback")
    # The message names the IP literal http://127.0.0.1 too; the field comes from the error.
    assert dialog.message().startswith("redirect_uri uses 'localhost'")
    assert [key for key in FIELD_LABELS if is_invalid(dialog, key)] == ["redirect_uri"]
    assert "profile " not in dialog.message()  # the editor names the profile itself
    edit(dialog, "redirect_uri").setText("http://127.0.0.1:8765/callback")
    assert dialog.message() == "" and not is_invalid(dialog, "redirect_uri")


def test_the_form_labels_are_the_ones_errors_use(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    form = dialog.findChild(QFormLayout)
    for key, label in FIELD_LABELS.items():
        shown = form.labelForField(dialog._rows[key])
        assert isinstance(shown, QLabel) and shown.text() == label


# -- results ------------------------------------------------------------------------------------


def test_valid_spotify_profile_gives_the_input(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    dialog.show()
    qtbot.keyClicks(edit(dialog, "client_id"), "spotify-client")
    qtbot.keyClicks(edit(dialog, "client_secret"), "s3cret-value")
    edit(dialog, "scopes").setText("user-read-private user-read-email")
    edit(dialog, "redirect_uri").setText("http://127.0.0.1:8888/callback")
    dialog.field("token_endpoint_auth_method").setCurrentIndex(
        dialog.field("token_endpoint_auth_method").findData("client_secret_basic")
    )
    assert save_button(dialog).isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(edit(dialog, "redirect_uri"), Qt.Key.Key_Return)  # Enter accepts
    result = dialog.result_input()
    assert isinstance(result, ProfileInput)
    assert result.profile == Profile(
        name="Spotify",
        provider="spotify",
        flow="authorization_code",
        client_id="spotify-client",
        scopes=("user-read-private", "user-read-email"),
        redirect_uri="http://127.0.0.1:8888/callback",
        token_endpoint_auth_method="client_secret_basic",
    )
    assert isinstance(result.client_secret, Secret)
    assert result.client_secret.reveal() == "s3cret-value"
    assert "s3cret" not in repr(result)
    assert edit(dialog, "client_secret").text() == ""  # the field was wiped on close


def test_default_scopes_stay_preset_defaults(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    edit(dialog, "client_id").setText("c")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_input().profile.scopes is None  # None: follows the preset
    assert dialog.result_input().client_secret is None


def test_invalid_form_is_not_accepted(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    dialog.show()
    qtbot.keyClick(edit(dialog, "name"), Qt.Key.Key_Return)
    dialog.accept()
    assert dialog.isVisible()
    with pytest.raises(RuntimeError):
        dialog.result_input()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(edit(dialog, "name"), Qt.Key.Key_Escape)  # Esc cancels


def test_editing_keeps_the_stored_secret(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    engine = memory_context.engine
    add_profile(
        qtbot,
        qloop,
        memory_context,
        "Work",
        {"provider": "soundcloud", "flow": "client_credentials", "client_id": "sc", "client_secret": "old-secret-1"},
    )
    record = run(qtbot, qloop, engine.store.load("Work"))
    dialog = make_dialog(qtbot, memory_context, existing=record)
    assert edit(dialog, "name").text() == "Work" and edit(dialog, "name").isReadOnly()
    assert edit(dialog, "client_secret").text() == ""
    assert edit(dialog, "client_secret").placeholderText() == KEEP_SECRET_PLACEHOLDER
    assert dialog.flow() == "client_credentials"
    assert dialog.message() == ""  # its own name is not a clash
    edit(dialog, "try_url").setText("https://api.soundcloud.com/me")
    dialog.accept()
    result = dialog.result_input()
    assert result.client_secret is None  # "keep the stored one"
    run(qtbot, qloop, engine.import_profiles([result]))
    saved = run(qtbot, qloop, engine.store.load("Work", fresh=True))
    assert saved.client_secret is not None and saved.client_secret.reveal() == "old-secret-1"
    assert saved.profile.try_url == "https://api.soundcloud.com/me"


def test_editing_prefills_devtoken_fields(qtbot, demo_context):  # type: ignore[no-untyped-def]
    record = demo_context.engine.store.cached("MusicAPI")
    assert record is not None
    dialog = make_dialog(qtbot, demo_context, existing=record)
    assert dialog.preset().id == "musicapi"
    assert dialog.field("key").currentText() == "demo-key"
    assert edit(dialog, "key_id").text() == "DEMOKID001"
    assert edit(dialog, "devtoken_ttl").text() == "14d"
    assert dialog.message() == ""
    dialog.accept()
    assert dialog.result_input().profile == record.profile


# -- discovery ----------------------------------------------------------------------------------


def test_discover_fills_the_empty_endpoints(qtbot, demo_context):  # type: ignore[no-untyped-def]
    musixmatch = demo_context.demo.sandbox.musixmatch
    dialog = make_dialog(qtbot, demo_context, provider="oauth2")
    edit(dialog, "client_id").setText("demo-musixmatch")
    edit(dialog, "revocation_endpoint").setText("https://kept.example.com/revoke")
    edit(dialog, "issuer").setText(musixmatch.base_url)
    button = dialog.findChild(QPushButton, "discoverButton")
    with qtbot.waitSignal(dialog.discovery_finished, timeout=10000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isEnabled()  # while running
    assert finished.args == [True, "found: RFC 8414 metadata"]
    assert button.isEnabled()
    assert edit(dialog, "token_endpoint").text() == musixmatch.endpoints["token_endpoint"]
    assert edit(dialog, "authorization_endpoint").text() == musixmatch.endpoints["authorization_endpoint"]
    assert edit(dialog, "revocation_endpoint").text() == "https://kept.example.com/revoke"
    assert dialog.findChild(QLabel, "discoveryStatus").text() == "found: RFC 8414 metadata"
    assert dialog.message() == ""


def test_discover_failure_is_one_line(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="oauth2")
    edit(dialog, "issuer").setText("http://127.0.0.1:9")  # nothing listens on discard
    with qtbot.waitSignal(dialog.discovery_finished, timeout=15000) as finished:
        dialog.discover()
    ok, text = finished.args
    assert not ok and text and "\n" not in text
    status = dialog.findChild(QLabel, "discoveryStatus")
    assert status.text() == text and status.property("error") is True
    assert dialog.findChild(QPushButton, "discoverButton").isEnabled()


# -- ask / ask_async ----------------------------------------------------------------------------


def test_ask_returns_none_when_cancelled(qtbot, memory_context):  # type: ignore[no-untyped-def]
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ProfileEditorDialog)
        dialog.reject()

    QTimer.singleShot(100, cancel)
    assert ProfileEditorDialog.ask(None, memory_context, provider="spotify") is None


def test_ask_async_returns_the_input(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    async def scenario() -> ProfileInput | None:
        asking = asyncio.ensure_future(ProfileEditorDialog.ask_async(None, memory_context, provider="groove"))
        await asyncio.sleep(0.05)
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ProfileEditorDialog) and w.isVisible())
        await dialog.choices_task
        dialog.field("client_id").setText("groove-app")
        dialog.field("client_secret").setText("groove-secret")  # an app token needs it
        dialog.accept()
        return await asking

    result = run(qtbot, qloop, scenario())
    assert result is not None and result.profile.provider == "groove" and result.profile.client_id == "groove-app"


# -- import / export ----------------------------------------------------------------------------

PROFILES_TOML = """
[profiles.Tunes]
provider = "spotify"
client_id = "tunes-client"
client_secret = "tunes-secret-value"
scopes = ["user-read-private", "playlist-read-private"]

[profiles."Lyrics app"]
provider = "musixmatch"
flow = "client_credentials"
client_id = "lyrics-client"
client_secret = "lyrics-secret-value"
issuer = "https://connect.musixmatch.com"
"""


def test_import_export_round_trip_without_secrets(  # type: ignore[no-untyped-def]
    qtbot, qloop, memory_context, tmp_path: Path
):
    source = tmp_path / "in.toml"
    source.write_text(PROFILES_TOML, encoding="utf-8")
    names = run(qtbot, qloop, profiles_io.import_profiles_file(None, memory_context, str(source)))
    assert names == ["Tunes", "Lyrics app"]
    record = run(qtbot, qloop, memory_context.engine.store.load("Tunes"))
    assert record.client_secret is not None and record.client_secret.reveal() == "tunes-secret-value"

    target = tmp_path / "out.toml"
    written = run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, names, str(target)))
    assert written == str(target)
    text = target.read_text(encoding="utf-8")
    assert "secret" not in text
    assert [p.profile for p in read_profiles_file(target)] == [p.profile for p in read_profiles_file(source)]


def test_import_and_export_ask_for_paths(  # type: ignore[no-untyped-def]
    qtbot, qloop, memory_context, tmp_path: Path, monkeypatch
):
    source = tmp_path / "in.toml"
    source.write_text(PROFILES_TOML, encoding="utf-8")
    target = tmp_path / "chosen.toml"
    asked: list[str] = []

    async def open_path(parent, **kw):  # type: ignore[no-untyped-def]
        asked.append("open")
        return str(source)

    async def save_path(parent, default_name="profiles.toml", **kw):  # type: ignore[no-untyped-def]
        asked.append(default_name)
        return str(target)

    monkeypatch.setattr(profiles_io, "ask_open_path", open_path)
    monkeypatch.setattr(profiles_io, "ask_save_path", save_path)
    assert run(qtbot, qloop, profiles_io.import_profiles_file(None, memory_context)) == ["Tunes", "Lyrics app"]
    assert run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, [])) == str(target)
    assert asked == ["open", "profiles.toml"]
    assert "Lyrics app" in target.read_text(encoding="utf-8")


def test_cancelled_file_dialogs_do_nothing(qtbot, qloop, memory_context, monkeypatch):  # type: ignore[no-untyped-def]
    async def cancelled(*args, **kwargs):  # type: ignore[no-untyped-def]
        return None

    monkeypatch.setattr(profiles_io, "ask_open_path", cancelled)
    monkeypatch.setattr(profiles_io, "ask_save_path", cancelled)
    assert run(qtbot, qloop, profiles_io.import_profiles_file(None, memory_context)) == []
    assert run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, ["x"])) is None


def test_import_errors_propagate(qtbot, qloop, memory_context, tmp_path: Path):  # type: ignore[no-untyped-def]
    from musicauth_gui.core.errors import ConfigError

    bad = tmp_path / "bad.toml"
    bad.write_text('[profiles.X]\nprovider = "spotify"\ntoken_endpoint = "http://example.com/t"\nclient_id = "c"\n')
    with pytest.raises(ConfigError, match="plain http"):
        run(qtbot, qloop, profiles_io.import_profiles_file(None, memory_context, str(bad)))
    assert run(qtbot, qloop, memory_context.engine.store.names()) == []


def test_export_refuses_a_secret(qtbot, qloop, memory_context, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    table = {"provider": "spotify", "client_id": "c", "client_secret": "leaky-secret-value"}
    add_profile(qtbot, qloop, memory_context, "Leaky", table)
    monkeypatch.setattr(profiles_io, "export_profiles", lambda profiles: "client_id = 'leaky-secret-value'\n")
    target = tmp_path / "out.toml"
    with pytest.raises(profiles_io.SecretInExport):
        run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, ["Leaky"], str(target)))
    assert not target.exists()



def test_tab_walks_the_visible_fields_in_order(qtbot, memory_context):  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="spotify")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.field("provider").setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.field("provider"))
    order = []
    for _ in range(12):
        order.append(QApplication.focusWidget().objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    client_id_label = dialog.findChild(QFormLayout).labelForField(dialog.field("client_id"))
    assert client_id_label.text() == "&Client id" and client_id_label.buddy() is dialog.field("client_id")
    assert order[:10] == [
        "presetCombo",
        "nameEdit",
        "flowCombo",
        "clientIdEdit",
        "clientSecretField",
        "scopesEdit",
        "redirectUriEdit",
        "authMethodCombo",
        "endpointsToggle",
        "cancelButton",  # Save is disabled until the form is valid
    ]


def test_a_new_profile_starts_on_spotify_and_lists_groove_last(qtbot, memory_context) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context)
    combo = dialog.findChild(QComboBox, "presetCombo")
    assert combo is not None and dialog.preset().id == "spotify"
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert ids == list(PRESETS)  # the one order (tests/core/test_preset_order.py)
    assert ids[0] == "spotify" and ids[-2:] == ["groove", "groove-user"]
