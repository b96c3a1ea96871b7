"""The DevToken dialog over the demo world: prefill from the profile, sign, verify the token
without PyJWT, use it against the MusicAPI emulator, the countdown, the copy buttons, Apple's cap."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.core.clock import FakeClock
from musicauth_gui.core.devtoken import APPLE_MAX_TTL
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.demo_world import DEMO_KEY, DEMO_KID, DEMO_MUSICAPI_CLIENT
from musicauth_gui.gui.countdown import format_remaining
from musicauth_gui.gui.dialogs.devtoken_dialog import DevTokenDialog
from tests.support.jws import verify_es256

from .conftest import run


@pytest.fixture(autouse=True)
def clean_clipboard(qapp):  # type: ignore[no-untyped-def]
    """Leave no copied secret behind: the next test starts empty, and (PySide6 6.12) a process
    that exits while the clipboard owns a QMimeData made in Python segfaults in QClipboard's
    destructor."""
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture
def dialog(qtbot, demo_context):  # type: ignore[no-untyped-def]
    dlg = DevTokenDialog(demo_context, profile="MusicAPI")
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.profileCombo.currentText() == "MusicAPI" and dlg.keyCombo.count() > 0)
    return dlg


def generate(qtbot, dialog) -> str:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.token_generated):
        qtbot.mouseClick(dialog.generateButton, Qt.MouseButton.LeftButton)
    return dialog.tokenField.text()


def test_prefilled_from_the_profile(dialog) -> None:  # type: ignore[no-untyped-def]
    assert [dialog.profileCombo.itemText(i) for i in range(dialog.profileCombo.count())] == ["MusicAPI"]
    assert dialog.keyCombo.currentText() == DEMO_KEY
    assert dialog.kidEdit.text() == DEMO_KID
    assert dialog.issEdit.text() == DEMO_MUSICAPI_CLIENT
    assert dialog.subEdit.text() == ""
    assert dialog.ttlEdit.text() == "14d"
    assert dialog.tokenField.text() == ""
    assert not dialog.copyTokenButton.isEnabled()
    assert dialog.generateButton.isEnabled()


def test_generate_verify_and_call_the_emulator(qtbot, qloop, dialog, demo_context) -> None:  # type: ignore[no-untyped-def]
    dialog.subEdit.setText("integration-user")
    before = int(time.time())
    token = generate(qtbot, dialog)
    after = int(time.time())

    # shown masked, in full
    assert dialog.tokenField.echoMode() == dialog.tokenField.EchoMode.Password
    assert token.count(".") == 2

    public = run(qtbot, qloop, demo_context.engine.keys.private_key(DEMO_KEY)).public_key()
    header, payload = verify_es256(token, public)
    assert header == {"alg": "ES256", "kid": DEMO_KID, "typ": "JWT"}
    assert payload["iss"] == DEMO_MUSICAPI_CLIENT
    assert payload["sub"] == "integration-user"
    assert before <= payload["iat"] <= after
    assert payload["exp"] - payload["iat"] == 14 * 86400
    assert json.loads(dialog.headerView.toPlainText()) == header
    assert json.loads(dialog.payloadView.toPlainText()) == payload
    assert dialog.headerView.isReadOnly() and dialog.payloadView.isReadOnly()

    # a tampered payload does not verify: the check above really checks
    h, _, s = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({**payload, "sub": "admin"}).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        verify_es256(f"{h}.{forged}.{s}", public)

    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(dialog.copyHeaderButton, Qt.MouseButton.LeftButton)
    line = clipboard.text()
    assert line == f"Authorization: DevToken {token}"
    assert clipboard.mimeData().hasFormat("x-kde-passwordManagerHint")  # copied as a secret
    name, value = line.split(": ", 1)
    answer = httpx.get(demo_context.demo.musicapi.url("/search/introspection"), headers={name: value}, timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json()["scheme"] == "devtoken"
    assert answer.json()["sub"] == "integration-user"


def test_copy_buttons(qtbot, dialog, demo_context) -> None:  # type: ignore[no-untyped-def]
    token = generate(qtbot, dialog)
    clipboard = QGuiApplication.clipboard()
    copied = []
    demo_context.clipboard.copied.connect(copied.append)

    qtbot.mouseClick(dialog.copyTokenButton, Qt.MouseButton.LeftButton)
    assert clipboard.text() == token
    qtbot.mouseClick(dialog.copyHeaderButton, Qt.MouseButton.LeftButton)
    assert clipboard.text() == f"Authorization: DevToken {token}"
    qtbot.mouseClick(dialog.copyCurlButton, Qt.MouseButton.LeftButton)
    url = demo_context.demo.musicapi.url("/search/introspection")
    assert clipboard.text() == f"curl -H 'Authorization: DevToken {token}' {url}"
    assert clipboard.mimeData().hasFormat("x-kde-passwordManagerHint")
    assert copied == ["DevToken", "Authorization header", "curl command"]
    assert "Copied" in dialog.status.text() and token not in dialog.status.text()


def test_countdown_ticks_and_expires(qtbot, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    generate(qtbot, dialog)
    first = dialog.countdown.text()
    assert first.startswith("13d 23h 59m") or first == "14d 0h 0m 0s"
    qtbot.waitUntil(lambda: dialog.countdown.text() != first, timeout=3000)
    assert dialog.countdown.text().startswith("13d 23h 59m")
    assert dialog.findChild(type(dialog.countdown), "countdown") is dialog.countdown

    # the same ticker shows "expired" once the clock passes exp (and then stops)
    later = FakeClock()
    later.advance(15 * 86400)
    monkeypatch.setattr(demo_context.engine, "clock", later)
    qtbot.waitUntil(lambda: dialog.countdown.text() == "expired", timeout=3000)
    qtbot.waitUntil(lambda: not dialog._ticker.isActive(), timeout=3000)


def test_another_kid_can_be_tried_without_touching_the_profile(qtbot, qloop, dialog, demo_context) -> None:  # type: ignore[no-untyped-def]
    dialog.kidEdit.setText("NOTAKID999")
    token = generate(qtbot, dialog)
    public = run(qtbot, qloop, demo_context.engine.keys.private_key(DEMO_KEY)).public_key()
    header, _ = verify_es256(token, public)
    assert header["kid"] == "NOTAKID999"
    answer = httpx.get(
        demo_context.demo.musicapi.url("/search/introspection"), headers={"Authorization": f"DevToken {token}"}, timeout=5
    )
    assert answer.status_code == 401
    record = run(qtbot, qloop, demo_context.engine.store.load("MusicAPI"))
    assert record.profile.key_id == DEMO_KID


def test_lifetime_validation(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.ttlEdit.setText("two weeks")
    assert not dialog.generateButton.isEnabled()
    assert "14d" in dialog.status.text() and "\n" not in dialog.status.text()
    dialog.ttlEdit.setText("2h")
    assert dialog.generateButton.isEnabled()
    assert dialog.status.text() == ""
    generate(qtbot, dialog)
    assert dialog.countdown.text().startswith("1h 59m")


def test_empty_kid_or_iss_is_one_line(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.kidEdit.setText("")
    qtbot.mouseClick(dialog.generateButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.property("kind") == "error")
    assert "kid" in dialog.status.text()
    assert dialog.tokenField.text() == ""


APPLE_PROFILE = """
[profiles."Apple"]
provider = "apple-music"
key = "demo-key"
key_id = "APPLEKID01"
team_id = "TEAM123456"
devtoken_ttl = "180d"
origin = ["https://example.com"]
"""


def test_apple_music_profile_uses_team_id_bearer_and_the_cap(qtbot, qloop, demo_context) -> None:  # type: ignore[no-untyped-def]
    run(qtbot, qloop, demo_context.engine.import_profiles(parse_profiles_text(APPLE_PROFILE, source="test")))
    dialog = DevTokenDialog(demo_context, profile="Apple")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.profileCombo.currentText() == "Apple" and dialog.kidEdit.text() == "APPLEKID01")
    assert dialog.issEdit.text() == "TEAM123456"
    assert "Team ID" in dialog.iss_label.text()
    assert dialog.ttlEdit.text() == "180d"

    dialog.ttlEdit.setText(f"{APPLE_MAX_TTL + 1}s")
    assert not dialog.generateButton.isEnabled()
    assert "15,777,000" in dialog.status.text()
    dialog.ttlEdit.setText(f"{APPLE_MAX_TTL}s")
    token = generate(qtbot, dialog)
    public = run(qtbot, qloop, demo_context.engine.keys.private_key(DEMO_KEY)).public_key()
    header, payload = verify_es256(token, public)
    assert header["kid"] == "APPLEKID01"
    assert payload["iss"] == "TEAM123456" and payload["origin"] == ["https://example.com"]
    assert payload["exp"] - payload["iat"] == APPLE_MAX_TTL

    qtbot.mouseClick(dialog.copyHeaderButton, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"Authorization: Bearer {token}"

    # switching profile clears the token and refills the fields
    dialog.select_profile("MusicAPI")
    assert dialog.tokenField.text() == "" and not dialog.copyTokenButton.isEnabled()
    assert dialog.issEdit.text() == DEMO_MUSICAPI_CLIENT and dialog.kidEdit.text() == DEMO_KID


def test_open_for_is_modeless_with_the_profile(qtbot, demo_context) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = DevTokenDialog.open_for(parent, demo_context, profile="MusicAPI")
    assert dialog.isVisible() and not dialog.isModal() and dialog.parent() is parent
    qtbot.waitUntil(lambda: dialog.kidEdit.text() == DEMO_KID)
    dialog.close()


def test_closing_clears_the_token(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    generate(qtbot, dialog)
    dialog.reject()
    assert dialog.tokenField.text() == "" and dialog.headerView.toPlainText() == ""
    assert not dialog._ticker.isActive()


def test_no_profiles(qtbot, memory_context) -> None:  # type: ignore[no-untyped-def]
    dialog = DevTokenDialog(memory_context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded):
        pass
    assert dialog.profileCombo.count() == 0
    assert not dialog.generateButton.isEnabled()
    assert "No DevToken profiles" in dialog.status.text()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (14 * 86400 - 0.5, "13d 23h 59m 59s"),
        (86400, "1d 0h 00m 00s"),
        (3661, "1h 01m 01s"),
        (61, "1m 01s"),
        (5.9, "5s"),
        (0, "expired"),
        (-10, "expired"),
    ],
)
def test_format_remaining(seconds: float, text: str) -> None:
    assert format_remaining(seconds, precise=True) == text


def test_a_token_that_no_longer_matches_the_fields_is_cleared(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    """Issue 12 item 8: the shown token goes as soon as a field it was signed from changes."""
    assert generate(qtbot, dialog)
    dialog.subEdit.setText("user-2")
    assert dialog.tokenField.text() == "" and not dialog.copyTokenButton.isEnabled()
    assert "Generate again" in dialog.status.text()
    qtbot.waitUntil(dialog.generateButton.isEnabled)  # the first signing's end
    token = generate(qtbot, dialog)
    assert json.loads(dialog.payloadView.toPlainText())["sub"] == "user-2"
    dialog.subEdit.setText(" user-2 ")  # the same value as signed: the token stays
    assert dialog.tokenField.text() == token
