"""The key manager dialog over the demo world: listing, generate, import (drag and drop, file
dialog, passphrase), one-line errors, copy/save of the public key, delete with confirmation."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFontInfo, QGuiApplication
from PySide6.QtWidgets import QApplication

from musicauth_gui.core.keys import fingerprint
from musicauth_gui.demo_world import DEMO_KEY
from musicauth_gui.gui.dialogs import prompts
from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog, dropped_key_files, key_name_for

from .conftest import run


@pytest.fixture
def dialog(qtbot, demo_context):  # type: ignore[no-untyped-def]
    dlg = KeyManagerDialog(demo_context)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1)
    return dlg


def stored_names(qtbot, qloop, context) -> list[str]:  # type: ignore[no-untyped-def]
    return run(qtbot, qloop, context.engine.keys.names())


def pem_file(path: Path, key, *, password: bytes | None = None) -> Path:  # type: ignore[no-untyped-def]
    encryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    return path


def mime_for(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def drag_and_drop(dialog: KeyManagerDialog, mime: QMimeData) -> tuple[bool, bool]:
    """Send a drag-enter then (if accepted) a drop; returns (enter accepted, drop accepted)."""
    actions = Qt.DropAction.CopyAction
    # WORKAROUND (PySide6 6.12): whether QDragEnterEvent's QPointF overload is offered depends on
    # what was imported before (it is missing in a fresh interpreter), and the QPoint one is
    # marked deprecated; use the QPoint one, which is always there, without its warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(20, 20), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(dialog, enter)
    if not enter.isAccepted():
        return False, False
    drop = QDropEvent(
        QPointF(20, 20), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QEvent.Type.Drop
    )
    QApplication.sendEvent(dialog, drop)
    return True, drop.isAccepted()


@pytest.fixture(autouse=True)
def _names_as_suggested(monkeypatch):  # type: ignore[no-untyped-def]
    """An import asks the key's name: the user takes the one suggested (a test may answer
    otherwise by patching ``prompts.ask_text`` itself)."""
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: kw.get("text"))


def wait_status(qtbot, dialog, kind: str) -> str:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.status.property("kind") == kind)
    return dialog.status.text()


def test_lists_demo_key_with_fingerprint_and_users(qtbot, qloop, dialog, demo_context) -> None:  # type: ignore[no-untyped-def]
    key = run(qtbot, qloop, demo_context.engine.keys.private_key(DEMO_KEY))
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(4)] == ["Name", "Fingerprint", "Created", "Used by"]
    assert table.item(0, 0).text() == DEMO_KEY
    fp_item = table.item(0, 1)
    assert fp_item.text() == fingerprint(key)
    assert fp_item.text().startswith("SHA256:") and len(fp_item.text()) == len("SHA256:") + 43
    assert QFontInfo(fp_item.font()).fixedPitch()
    assert table.item(0, 2).text()[:2] == "20"  # a local date, 20xx-...
    assert "MusicAPI" in table.item(0, 3).text()
    assert dialog.selected_key() is not None and dialog.selected_key().name == DEMO_KEY
    for name in ("generateButton", "importButton", "copyPublicButton", "savePublicButton", "deleteButton"):
        assert dialog.findChild(type(dialog.generateButton), name) is not None, name


def test_generate_adds_a_key(qtbot, qloop, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = []

    def fake_ask(parent, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs)
        return "fresh-key"

    monkeypatch.setattr(prompts, "ask_text", fake_ask)
    with qtbot.waitSignal(dialog.keys_changed):
        qtbot.mouseClick(dialog.generateButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "fresh-key" in dialog.key_names())
    assert asked and not asked[0].get("password")
    assert dialog.selected_key().name == "fresh-key"
    assert sorted(stored_names(qtbot, qloop, demo_context)) == ["demo-key", "fresh-key"]
    assert "Generated" in dialog.status.text()


def test_generate_cancelled_or_bad_name(qtbot, qloop, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: None)
    dialog.generate()
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: "a/b")
    dialog.generate()
    text = wait_status(qtbot, dialog, "error")
    assert "not valid" in text and "\n" not in text
    assert stored_names(qtbot, qloop, demo_context) == ["demo-key"]


def test_keyboard_shortcuts(qtbot, qloop, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.table.setFocus()

    QGuiApplication.clipboard().clear()
    qtbot.keyClick(dialog.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == dialog.selected_key().public_pem

    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: "by-shortcut")
    qtbot.keyClick(dialog.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "by-shortcut" in dialog.key_names())

    opened = []
    monkeypatch.setattr(prompts, "ask_open_path", lambda parent, **kw: opened.append(kw) or None)
    qtbot.keyClick(dialog.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert opened and "*.p8" in opened[0]["name_filter"]

    confirmations = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: confirmations.append(kw) or True)
    assert dialog.select_key("by-shortcut")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "by-shortcut" not in dialog.key_names())
    assert confirmations and "by-shortcut" in confirmations[0]["text"]


def test_drop_pem_file_imports_it(qtbot, qloop, dialog, demo_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    path = pem_file(tmp_path / "partner.pem", key)
    with qtbot.waitSignal(dialog.keys_changed):
        assert drag_and_drop(dialog, mime_for(QUrl.fromLocalFile(str(path)))) == (True, True)
    qtbot.waitUntil(lambda: "partner" in dialog.key_names())
    row = dialog.key_names().index("partner")
    assert dialog.table.item(row, 1).text() == fingerprint(key)
    assert dialog.table.item(row, 3).text() == "—"
    assert "partner" in stored_names(qtbot, qloop, demo_context)
    # the same file again gets a fresh name rather than failing
    drag_and_drop(dialog, mime_for(QUrl.fromLocalFile(str(path))))
    qtbot.waitUntil(lambda: "partner-2" in dialog.key_names())


def test_drop_p384_key_is_one_clear_line_and_adds_nothing(qtbot, qloop, dialog, demo_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = pem_file(tmp_path / "wrong-curve.pem", ec.generate_private_key(ec.SECP384R1()))
    assert drag_and_drop(dialog, mime_for(QUrl.fromLocalFile(str(path)))) == (True, True)
    text = wait_status(qtbot, dialog, "error")
    assert "\n" not in text
    assert "wrong-curve.pem" in text and "P-256" in text and "secp384r1" in text
    assert stored_names(qtbot, qloop, demo_context) == ["demo-key"]
    assert dialog.key_names() == ["demo-key"]


def test_only_local_key_files_are_accepted(dialog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    assert drag_and_drop(dialog, mime_for(QUrl("https://example.com/AuthKey.p8"))) == (False, False)
    assert drag_and_drop(dialog, mime_for(QUrl.fromLocalFile(str(text_file)))) == (False, False)
    plain = QMimeData()
    plain.setText("/tmp/key.pem")
    assert drag_and_drop(dialog, plain) == (False, False)
    assert dropped_key_files(mime_for(QUrl.fromLocalFile("/x/AuthKey_ABC.P8"))) == [Path("/x/AuthKey_ABC.P8")]


def _rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _public_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_rsa_pem, "RSA"),
        (_public_pem, "public key"),
        (lambda: b"\x00\x01 certainly not a key \xff" * 3, "not a private key"),
        (lambda: b"", "empty"),
    ],
    ids=["rsa", "public", "garbage", "empty"],
)
def test_import_errors_are_one_line(qtbot, qloop, dialog, demo_context, tmp_path, monkeypatch, content, expected) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.key"
    path.write_bytes(content())
    monkeypatch.setattr(prompts, "ask_open_path", lambda parent, **kw: path)
    qtbot.mouseClick(dialog.importButton, Qt.MouseButton.LeftButton)
    text = wait_status(qtbot, dialog, "error")
    assert "\n" not in text and expected in text and text.startswith("bad.key: ")
    assert stored_names(qtbot, qloop, demo_context) == ["demo-key"]


def test_encrypted_pkcs8_asks_for_the_passphrase(qtbot, qloop, dialog, demo_context, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    path = pem_file(tmp_path / "AuthKey_LOCKED.p8", key, password=b"correct horse")
    answers = iter(["wrong horse", None, "correct horse"])
    asked = []

    def fake_ask(parent, **kwargs):  # type: ignore[no-untyped-def]
        if not kwargs.get("password"):
            return kwargs["text"]  # the key's name: the one suggested
        asked.append(kwargs)
        return next(answers)

    monkeypatch.setattr(prompts, "ask_text", fake_ask)

    dialog.import_file(path)  # a wrong passphrase: one line, nothing stored
    text = wait_status(qtbot, dialog, "error")
    assert "wrong passphrase" in text and "\n" not in text
    assert asked[0]["password"] is True and "AuthKey_LOCKED.p8" in asked[0]["label"]

    dialog.import_file(path)  # cancelled at the prompt
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text())
    assert stored_names(qtbot, qloop, demo_context) == ["demo-key"]

    with qtbot.waitSignal(dialog.keys_changed):
        dialog.import_file(path)
    qtbot.waitUntil(lambda: "AuthKey_LOCKED" in dialog.key_names())
    assert len(asked) == 3 and all(a["password"] for a in asked)
    info = dialog.selected_key()
    assert info.name == "AuthKey_LOCKED" and info.fingerprint == fingerprint(key)


def test_copy_public_key(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    info = dialog.selected_key()
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    qtbot.mouseClick(dialog.copyPublicButton, Qt.MouseButton.LeftButton)
    assert clipboard.text() == info.public_pem
    assert clipboard.text().startswith("-----BEGIN PUBLIC KEY-----")
    serialization.load_pem_public_key(clipboard.text().encode())
    # a public key is no secret: a plain copy, without the concealment marker
    assert not clipboard.mimeData().hasFormat("x-kde-passwordManagerHint")

    clipboard.clear()
    dialog.show()
    qtbot.waitExposed(dialog)
    rect = dialog.table.visualRect(dialog.table.model().index(0, 1))
    # WORKAROUND: QAbstractItemView only reports a double-click on the index it saw pressed,
    # and QTest's mouseDClick sends no press of its own (Qt 6).
    qtbot.mousePress(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clipboard.text() == info.public_pem


def test_save_public_key(qtbot, dialog, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out" / "demo.pub.pem"
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr(prompts, "ask_save_path", lambda parent, **kw: asked.append(kw) or target)
    qtbot.mouseClick(dialog.savePublicButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved" in dialog.status.text())
    assert asked[0]["suggested"] == "demo-key.pub.pem"
    assert target.read_text() == dialog.selected_key().public_pem
    assert "PRIVATE" not in target.read_text()


def test_delete_key_in_use_asks_and_respects_the_answer(qtbot, qloop, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    questions = []
    answer = {"value": False}

    def fake_confirm(parent, **kwargs):  # type: ignore[no-untyped-def]
        questions.append(kwargs)
        return answer["value"]

    monkeypatch.setattr(prompts, "confirm", fake_confirm)
    calls = []
    real_delete = demo_context.engine.keys.delete

    async def spy_delete(name, *, force=False):  # type: ignore[no-untyped-def]
        calls.append((name, force))
        return await real_delete(name, force=force)

    monkeypatch.setattr(demo_context.engine.keys, "delete", spy_delete)

    qtbot.mouseClick(dialog.deleteButton, Qt.MouseButton.LeftButton)
    assert len(questions) == 1
    assert "MusicAPI" in questions[0]["text"] + questions[0]["informative"]
    assert questions[0]["destructive"] is True
    assert "Kept" in dialog.status.text()
    assert calls == []
    assert stored_names(qtbot, qloop, demo_context) == ["demo-key"]

    answer["value"] = True
    with qtbot.waitSignal(dialog.keys_changed):
        qtbot.mouseClick(dialog.deleteButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0)
    assert calls == [("demo-key", True)]
    assert stored_names(qtbot, qloop, demo_context) == []
    assert "MusicAPI" in dialog.status.text()


def test_delete_unused_key_without_force(qtbot, qloop, dialog, demo_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run(qtbot, qloop, demo_context.engine.keys.generate("spare"))
    dialog.refresh(select="spare")
    qtbot.waitUntil(lambda: dialog.selected_key() is not None and dialog.selected_key().name == "spare")
    questions = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: questions.append(kw) or True)
    dialog.delete_selected()
    qtbot.waitUntil(lambda: dialog.key_names() == ["demo-key"])
    assert "spare" in questions[0]["text"] and "MusicAPI" not in questions[0]["text"]


def test_open_for_reuses_the_open_dialog(qtbot, demo_context) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    first = KeyManagerDialog.open_for(parent, demo_context)
    assert first.isVisible() and not first.isModal()
    assert KeyManagerDialog.open_for(parent, demo_context) is first
    qtbot.waitUntil(lambda: first.table.rowCount() == 1)
    first.close()


def test_key_name_for() -> None:
    assert key_name_for(Path("/d/AuthKey_ABC123.p8"), []) == "AuthKey_ABC123"
    assert key_name_for(Path("k.pem"), ["k", "k-2"]) == "k-3"


def test_an_import_asks_the_name_suggesting_the_file_s(qtbot, qloop, dialog, demo_context, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = pem_file(tmp_path / "AuthKey_ABC123.p8", ec.generate_private_key(ec.SECP256R1()))
    asked: list[dict[str, object]] = []
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: asked.append(kw) or None)
    dialog.import_file(path)  # cancelled at the name: nothing imported
    assert asked[0]["text"] == "AuthKey_ABC123" and "AuthKey_ABC123.p8" in str(asked[0]["label"])
    assert "cancelled" in dialog.status.text() and stored_names(qtbot, qloop, demo_context) == ["demo-key"]

    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: "partner-key")
    with qtbot.waitSignal(dialog.keys_changed):
        dialog.import_file(path)
    qtbot.waitUntil(lambda: "partner-key" in dialog.key_names())


def test_a_taken_name_offers_deleting_the_key_in_the_way_or_another_name(qtbot, qloop, dialog, demo_context, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.errors import Action

    qtbot.waitUntil(lambda: "demo-key" in dialog.key_names())
    path = pem_file(tmp_path / "other.pem", ec.generate_private_key(ec.SECP256R1()))
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: "demo-key")
    dialog.import_file(path)
    wait_status(qtbot, dialog, "error")
    buttons = dialog.status_actions.buttons()
    assert [b.text() for b in buttons.values()] == ["Delete the existing key…", "Choose another name…"]
    dialog.show()
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: "other")
    with qtbot.waitSignal(dialog.keys_changed):
        qtbot.mouseClick(buttons[Action.CHOOSE_ANOTHER_NAME], Qt.MouseButton.LeftButton)  # asks again
    qtbot.waitUntil(lambda: "other" in dialog.key_names())
    assert dialog.status_actions.isHidden()
    questions: list[dict[str, object]] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: questions.append(kw) or False)
    dialog.import_file(path)  # "other" again
    wait_status(qtbot, dialog, "error")
    qtbot.mouseClick(dialog.status_actions.button(Action.DELETE_EXISTING), Qt.MouseButton.LeftButton)
    assert questions and "'other'" in str(questions[0]["text"])  # the key in the way, confirmed first
