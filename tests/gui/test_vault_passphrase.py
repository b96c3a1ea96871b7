"""The desktop app on the encrypted vault file with no passphrase in its environment: the
passphrase dialog (asked from the store's worker thread, answered on the GUI thread), a wrong
passphrase and Cancel as a banner whose Retry asks again, a new vault made from the dialog; and
a store that cannot be opened at all, with Retry once it is fixed and the demo offered in words
a GUI user can act on. The window opens the store as the app does (``MainWindow.open_store``)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.file_vault import FileVault, KdfParams
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault
from musicauth_gui.gui.dialogs.vault_passphrase import VaultPassphraseDialog
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.sandbox import MusixmatchServer
from tests.gui.conftest import run
from tests.support.file_keyring import FileKeyring

PASSPHRASE = "correct horse battery staple"
#: A cheap scrypt for the vaults made here: the parameters live in the file's header, so the
#: app's own opens of it are cheap too (tests/core/test_file_vault.py).
CHEAP = KdfParams(n=2**10, r=8, p=1)


@pytest.fixture
def mxm():  # type: ignore[no-untyped-def]
    with MusixmatchServer() as server:
        server.register_client("cid", "csecret")
        yield server


@pytest.fixture
def vault_file(tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The vault file chosen through the environment, with no passphrase there."""
    path = tmp_path / "vaults" / "vault"
    monkeypatch.setenv("MUSICAUTH_STORE", "file")
    monkeypatch.setenv("MUSICAUTH_STORE_FILE", str(path))
    monkeypatch.delenv("MUSICAUTH_PASSPHRASE", raising=False)
    monkeypatch.delenv("MUSICAUTH_PASSPHRASE_FILE", raising=False)
    return path


def seed(store: ProfileStore, mxm, *names: str) -> None:  # type: ignore[no-untyped-def]
    """Import client-credentials profiles into ``store`` with the core, then close it."""
    text = "".join(
        f'[profiles.{name}]\nprovider = "musixmatch"\nflow = "client_credentials"\nclient_id = "cid"\n'
        f'client_secret = "csecret"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\n'
        for name in names
    )

    async def work() -> None:
        await TokenEngine(store).import_profiles(parse_profiles_text(text))
        store.close()

    # On a thread of its own: under pytest-qt the qasync loop counts as running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work()).result()


@pytest.fixture
def open_window(qtbot, qloop):  # type: ignore[no-untyped-def]
    """``open_window()``: a shown window and the task opening its store, as the app starts it."""
    windows: list[MainWindow] = []

    def open_window() -> tuple[MainWindow, asyncio.Task[bool]]:
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window, qloop.create_task(window.open_store())

    yield open_window
    for window in windows:
        window._quitting = True
        if window.context is not None:
            run(qtbot, qloop, window.context.close())


def passphrase_dialog(qtbot, window: MainWindow) -> VaultPassphraseDialog:  # type: ignore[no-untyped-def]
    """The passphrase dialog the window shows now (earlier ones may await their deletion)."""

    def shown() -> list[VaultPassphraseDialog]:
        return [d for d in window.findChildren(QDialog, "vaultPassphraseDialog") if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=10000)
    dialog = shown()[0]
    assert isinstance(dialog, VaultPassphraseDialog)
    return dialog


def answer(qtbot, dialog: VaultPassphraseDialog, passphrase: str, again: str | None = None) -> None:  # type: ignore[no-untyped-def]
    edit = dialog.findChild(object, "vaultPassphraseEdit")
    assert edit is dialog.passphrase_edit and edit.echoMode() == edit.EchoMode.Password  # masked
    qtbot.keyClicks(edit, passphrase)
    if again is not None:
        qtbot.keyClicks(dialog.findChild(object, "vaultPassphraseAgainEdit"), again)
    click(qtbot, dialog.findChild(object, "vaultPassphraseOk"))


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button is not None and button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_dialog_opens_the_vault_and_lists_its_profiles(qtbot, open_window, vault_file, mxm) -> None:  # type: ignore[no-untyped-def]
    seed(ProfileStore(FileVault.open(vault_file, Secret(PASSPHRASE), kdf=CHEAP)), mxm, "one", "two")
    window, opening = open_window()
    dialog = passphrase_dialog(qtbot, window)
    assert dialog.again_edit is None and dialog.findChild(object, "vaultPassphraseAgainEdit") is None
    assert str(vault_file) in dialog.findChild(object, "vaultPassphraseIntro").text()
    assert not dialog.ok_button.isEnabled()  # nothing typed: nothing to try
    answer(qtbot, dialog, PASSPHRASE)
    qtbot.waitUntil(opening.done, timeout=10000)
    assert opening.result() is True
    qtbot.waitUntil(lambda: window.model.names() == ["one", "two"], timeout=5000)
    assert window.banner.isHidden() and window.new_action.isEnabled()
    assert not shiboken6.isValid(dialog)  # gone, with what was typed in it
    # Auto-renew runs on the vault: both got their token from the emulator.
    qtbot.waitUntil(lambda: all(window.model.record(n).token is not None for n in ("one", "two")), timeout=10000)


def test_a_wrong_passphrase_is_a_banner_and_retry_asks_again(qtbot, open_window, vault_file, mxm) -> None:  # type: ignore[no-untyped-def]
    seed(ProfileStore(FileVault.open(vault_file, Secret(PASSPHRASE), kdf=CHEAP)), mxm, "one")
    before = vault_file.read_bytes()
    window, opening = open_window()
    answer(qtbot, passphrase_dialog(qtbot, window), "not the passphrase")
    qtbot.waitUntil(opening.done, timeout=10000)
    assert opening.result() is False and window.context is None
    text = window.banner_text.text()
    assert "the passphrase does not open the vault file" in text  # Retry is the button beside it
    assert window.banner.retry_button.isVisible() and not window.new_action.isEnabled()
    assert "then Retry" in window.empty_label.text()
    assert vault_file.read_bytes() == before  # a wrong passphrase changes nothing

    click(qtbot, window.banner.retry_button)
    dialog = passphrase_dialog(qtbot, window)  # asked again, in the same process
    assert not window.banner.retry_button.isEnabled()  # one open at a time
    answer(qtbot, dialog, PASSPHRASE)
    qtbot.waitUntil(lambda: window.model.names() == ["one"], timeout=10000)
    assert window.banner.isHidden() and window.empty_label.isHidden()
    assert window.new_action.isEnabled() and window.demo_button is not None and window.demo_button.isHidden()


def test_cancel_says_the_passphrase_is_needed_and_retry_asks_again(qtbot, open_window, vault_file, mxm) -> None:  # type: ignore[no-untyped-def]
    seed(ProfileStore(FileVault.open(vault_file, Secret(PASSPHRASE), kdf=CHEAP)), mxm, "one")
    window, opening = open_window()
    click(qtbot, passphrase_dialog(qtbot, window).cancel_button)
    qtbot.waitUntil(opening.done, timeout=10000)
    assert opening.result() is False
    assert "needs its passphrase, and none was given" in window.banner_text.text()
    assert window.banner.retry_button.isVisible()
    click(qtbot, window.banner.retry_button)
    answer(qtbot, passphrase_dialog(qtbot, window), PASSPHRASE)
    qtbot.waitUntil(lambda: window.model.names() == ["one"], timeout=10000)


def test_a_new_vault_takes_the_passphrase_twice(qtbot, open_window, vault_file) -> None:  # type: ignore[no-untyped-def]
    window, opening = open_window()
    dialog = passphrase_dialog(qtbot, window)
    assert "Make a new vault file at" in dialog.findChild(object, "vaultPassphraseIntro").text()
    answer(qtbot, dialog, "first try", again="first tyr")
    problem = dialog.findChild(object, "vaultPassphraseProblem")
    assert dialog.isVisible() and problem.isVisible() and "differ" in problem.text()
    assert not vault_file.exists() and not opening.done()
    dialog.again_edit.clear()
    assert problem.isHidden() and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.again_edit, "first try")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(opening.done, timeout=10000)
    assert opening.result() is True and vault_file.exists()
    assert window.model.rowCount() == 0 and "No profiles yet" in window.empty_label.text()
    # The vault is made with that passphrase: the core opens it with it.
    FileVault.open(vault_file, Secret("first try"))


def test_a_store_that_cannot_be_opened_offers_retry_and_the_demo_in_gui_words(qtbot, open_window, mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QProcess

    seed(ProfileStore(KeyringVault(FileKeyring())), mxm, "one")
    monkeypatch.setenv("MUSICAUTH_STORE", "bogus")
    window, opening = open_window()
    qtbot.waitUntil(opening.done, timeout=10000)
    assert opening.result() is False
    assert "MUSICAUTH_STORE is 'bogus'" in window.banner_text.text()
    assert window.banner.retry_button.isVisible() and not window.new_action.isEnabled()
    empty = window.empty_label.text()
    assert window.empty_label.isVisible() and "try the demo" in empty
    assert "--demo" not in empty and "musicauth-gui" not in empty and "`" not in empty

    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(QProcess, "startDetached", lambda program, arguments: started.append((program, list(arguments))) or (True, 4242))
    click(qtbot, window.demo_button)
    assert len(started) == 1 and started[0][1][-1] == "--demo"
    assert "demo" in window.statusBar().currentMessage()

    click(qtbot, window.banner.retry_button)  # still wrong: still the banner, Retry again
    qtbot.waitUntil(lambda: window.banner.retry_button.isEnabled(), timeout=5000)
    assert window.context is None and "bogus" in window.banner_text.text()

    monkeypatch.setenv("MUSICAUTH_STORE", "keyring")  # the user fixed the environment
    click(qtbot, window.banner.retry_button)
    qtbot.waitUntil(lambda: window.model.names() == ["one"], timeout=10000)
    assert window.banner.isHidden() and window.demo_button.isHidden() and window.new_action.isEnabled()
