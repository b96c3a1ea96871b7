"""The profile editor's rows for a static key (token, placement, header name, scheme, query
parameter) and for the device flow (its authorization endpoint): typed as a person would, saved
as the window saves, then read back from the core's store; the token in the keyring only."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from musicauth_gui.core.model import Profile
from musicauth_gui.core.profiles_file import parse_profile
from musicauth_gui.gui.dialogs import profiles_io
from musicauth_gui.gui.dialogs.profile_editor import KEEP_SECRET_PLACEHOLDER, ProfileEditorDialog
from musicauth_gui.gui.field_labels import FIELD_LABELS

from .conftest import run

TOKEN = "k3y-Value-9f2c"  # a value found nowhere else, to grep for


def make_dialog(qtbot, context, **options) -> ProfileEditorDialog:  # type: ignore[no-untyped-def]
    dialog = ProfileEditorDialog(context, **options)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.choices_task.done)
    dialog.show()
    return dialog


def edit(dialog: ProfileEditorDialog, key: str) -> QLineEdit:
    widget = dialog.field(key)
    assert isinstance(widget, QLineEdit)
    return widget


def shown(dialog: ProfileEditorDialog, key: str) -> bool:
    return dialog.field(key).isVisibleTo(dialog)


def save(qtbot, qloop, dialog: ProfileEditorDialog, context) -> str:  # type: ignore[no-untyped-def]
    """Save as the window does (the dialog returns the input; the engine imports it)."""
    assert dialog.message() == "", dialog.message()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.findChild(type(dialog._save), "saveButton"), Qt.MouseButton.LeftButton)
    result = dialog.result_input()
    assert TOKEN not in repr(result)
    [name] = run(qtbot, qloop, context.engine.import_profiles([result]))
    return name


def assert_token_in_the_keyring_only(qtbot, qloop, context, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = run(qtbot, qloop, context.engine.store.load(name, fresh=True))
    assert record.static_token is not None and record.static_token.reveal() == TOKEN
    assert any(TOKEN in value for value in context.engine.store.vault._data.values())
    target = tmp_path / "out.toml"
    run(qtbot, qloop, profiles_io.export_profiles_file(None, context, [name], str(target)))
    text = target.read_text(encoding="utf-8")
    assert TOKEN not in text and "token =" not in text and f'provider = "{record.profile.provider}"' in text


def test_a_static_header_key_with_its_own_header_and_no_scheme(qtbot, qloop, memory_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="apikey")
    assert dialog.flow() == "static"
    for key in ("token", "placement", "header_name", "scheme"):
        assert shown(dialog, key), key
    for key in ("query_param", "client_id", "client_secret", "scopes", "redirect_uri"):
        assert not shown(dialog, key), key
    # The preset's defaults are the placeholders; the token is masked with an eye.
    assert edit(dialog, "header_name").placeholderText() == "Authorization"
    assert edit(dialog, "scheme").placeholderText() == "Bearer"
    token = edit(dialog, "token")
    assert token.echoMode() == QLineEdit.EchoMode.Password and token.placeholderText() != KEEP_SECRET_PLACEHOLDER
    # Nothing typed: the core says what is missing, in the form's words.
    assert "token" in dialog.message().lower() and dialog.field("token").property("invalid")
    qtbot.keyClicks(token, TOKEN)
    token.reveal_action.trigger()
    assert token.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.keyClicks(edit(dialog, "header_name"), "X-Api Key")  # a space: not an HTTP header name
    # The core's words; the row marked is the error's own field (data, not parsed text).
    assert dialog.field("header_name").property("invalid")
    assert dialog.message().startswith("Header name must be an HTTP header name")  # its label, not header_name
    assert not dialog.field("token").property("invalid")
    edit(dialog, "header_name").setText("X-Api-Key")
    dialog.findChild(QCheckBox, "bareKeyCheck").setChecked(True)
    assert not edit(dialog, "scheme").isEnabled()
    name = save(qtbot, qloop, dialog, memory_context)
    stored = run(qtbot, qloop, memory_context.engine.store.load(name, fresh=True)).profile
    assert stored == Profile(name=name, provider="apikey", flow="static", header_name="X-Api-Key", scheme="")
    assert_token_in_the_keyring_only(qtbot, qloop, memory_context, name, tmp_path)
    # Opened again: the token is kept, not shown; the rows say what is stored.
    record = run(qtbot, qloop, memory_context.engine.store.load(name, fresh=True))
    again = make_dialog(qtbot, memory_context, existing=record)
    assert edit(again, "token").text() == "" and edit(again, "token").placeholderText() == KEEP_SECRET_PLACEHOLDER
    assert again.findChild(QCheckBox, "bareKeyCheck").isChecked()
    assert again.validate().profile == record.profile and again.validate().static_token is None


def test_a_static_query_key_musixmatch_classic(qtbot, qloop, memory_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="musixmatch")
    dialog.set_flow("static")
    placement = dialog.field("placement")
    assert isinstance(placement, QComboBox)
    # Musixmatch's classic API takes ?apikey=: the preset's placement is the default.
    assert placement.currentData() == "query"
    assert shown(dialog, "query_param") and not shown(dialog, "header_name") and not shown(dialog, "scheme")
    assert edit(dialog, "query_param").placeholderText() == "apikey"
    qtbot.keyClicks(edit(dialog, "token"), TOKEN)
    name = save(qtbot, qloop, dialog, memory_context)
    stored = run(qtbot, qloop, memory_context.engine.store.load(name, fresh=True)).profile
    assert stored == Profile(name=name, provider="musixmatch", flow="static")  # follows the preset
    assert_token_in_the_keyring_only(qtbot, qloop, memory_context, name, tmp_path)


def test_an_apikey_moved_to_the_query_needs_the_parameter_name(qtbot, qloop, memory_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider="apikey")
    qtbot.keyClicks(edit(dialog, "token"), TOKEN)
    placement = dialog.field("placement")
    placement.setCurrentIndex(placement.findData("query"))
    assert shown(dialog, "query_param") and not shown(dialog, "header_name")
    assert dialog.field("query_param").property("invalid")
    assert dialog.message() == "Query parameter is required for a key sent as a query parameter"  # its label
    qtbot.keyClicks(edit(dialog, "query_param"), "api_key")
    name = save(qtbot, qloop, dialog, memory_context)
    stored = run(qtbot, qloop, memory_context.engine.store.load(name, fresh=True)).profile
    assert (stored.placement, stored.query_param, stored.header_name, stored.scheme) == ("query", "api_key", None, None)
    assert_token_in_the_keyring_only(qtbot, qloop, memory_context, name, tmp_path)


@pytest.mark.parametrize("provider", ["google", "oauth2"])
def test_a_device_profile_with_its_device_endpoint(qtbot, qloop, memory_context, provider) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, memory_context, provider=provider)
    dialog.set_flow("device")
    dialog.set_endpoints_expanded(True)
    device = edit(dialog, "device_authorization_endpoint")
    assert shown(dialog, "device_authorization_endpoint") and not shown(dialog, "redirect_uri")
    assert not shown(dialog, "authorization_endpoint")
    label = dialog.findChildren(QLabel)
    assert any(lbl.buddy() is device and lbl.text() == FIELD_LABELS["device_authorization_endpoint"] for lbl in label)
    if provider == "google":
        assert device.placeholderText() == "https://oauth2.googleapis.com/device/code"  # the preset's
    else:
        assert device.placeholderText() == "from the issuer's metadata"
    qtbot.keyClicks(edit(dialog, "client_id"), "tv-client")
    if provider == "google":
        qtbot.keyClicks(edit(dialog, "client_secret"), "tv-secret-value")
    else:
        # No issuer: the device and token endpoints are needed, and the core says which field.
        assert dialog.field("issuer").property("invalid")
        edit(dialog, "token_endpoint").setText("https://id.example/token")
    device.setText("http://id.example/device")  # plain http off loopback: refused by the core
    assert device.property("invalid")
    device.setText("https://id.example/device")
    name = save(qtbot, qloop, dialog, memory_context)
    record = run(qtbot, qloop, memory_context.engine.store.load(name, fresh=True))
    assert record.profile.flow == "device" and record.profile.device_authorization_endpoint == "https://id.example/device"
    assert record.profile.client_id == "tv-client"
    if provider == "google":
        assert record.client_secret is not None and record.client_secret.reveal() == "tv-secret-value"


def test_discover_fills_the_device_endpoint(qtbot, qloop, memory_context) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.sandbox.device import DeviceAuthorizationServer

    with DeviceAuthorizationServer() as server:
        dialog = make_dialog(qtbot, memory_context, provider="oauth2")
        dialog.set_flow("device")
        edit(dialog, "issuer").setText(server.base_url)
        with qtbot.waitSignal(dialog.discovery_finished, timeout=5000):
            dialog.discover()
        assert edit(dialog, "device_authorization_endpoint").text() == server.url("/device/code")


def test_an_edit_keeps_a_device_profiles_endpoint(qtbot, qloop, memory_context) -> None:  # type: ignore[no-untyped-def]
    table = {"provider": "oauth2", "flow": "device", "client_id": "c", "device_authorization_endpoint": "https://id.example/device",
             "token_endpoint": "https://id.example/token"}  # fmt: skip
    run(qtbot, qloop, memory_context.engine.import_profiles([parse_profile("dev", table)]))
    record = run(qtbot, qloop, memory_context.engine.store.load("dev", fresh=True))
    dialog = make_dialog(qtbot, memory_context, existing=record)
    assert dialog.endpoints_expanded()
    assert edit(dialog, "device_authorization_endpoint").text() == "https://id.example/device"
    assert dialog.validate().profile == record.profile
