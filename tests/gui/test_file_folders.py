"""The file dialogs start in a folder the user keeps files in: the one last used for that kind
of file, else Documents, else home; never the process's working folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from musicauth_gui.core.errors import ConfigError
from musicauth_gui.gui.dialogs import profiles_io, prompts
from musicauth_gui.gui.dialogs.key_manager import KeyManagerDialog
from tests.gui.conftest import run
from tests.gui.test_profile_editor import PROFILES_TOML


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The working folder: somewhere no dialog should start."""
    folder = tmp_path / "launched-from"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def key_dialog(qtbot, demo_context):  # type: ignore[no-untyped-def]
    dialog = KeyManagerDialog(demo_context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    dialog.table.selectRow(0)
    return dialog


def test_key_dialogs_start_at_home_then_in_the_last_folder(qtbot, key_dialog, isolated_dirs, elsewhere, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = isolated_dirs["home"]
    opened: list[str] = []
    saved: list[str] = []
    keys = tmp_path / "my-keys"
    keys.mkdir()
    chosen = {"open": "", "save": ""}

    def get_open(parent, caption, directory, name_filter):  # type: ignore[no-untyped-def]
        opened.append(directory)
        return chosen["open"], ""

    def get_save(parent, caption, directory, name_filter):  # type: ignore[no-untyped-def]
        saved.append(directory)
        return chosen["save"], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save))
    monkeypatch.setattr(prompts, "ask_text", lambda parent, **kw: None)  # the key's name: cancelled

    key_dialog.import_from_dialog()  # cancelled: nothing remembered
    key_dialog.save_public_key()
    assert opened == [str(home)] and saved == [str(home / "demo-key.pub.pem")]  # no Documents folder here

    chosen["open"] = str(keys / "AuthKey_ABC.p8")
    key_dialog.import_from_dialog()  # a key chosen in my-keys: the next dialogs start there
    key_dialog.save_public_key()
    key_dialog.import_from_dialog()
    assert opened == [str(home), str(home), str(keys)] and saved[-1] == str(keys / "demo-key.pub.pem")
    assert not any(str(elsewhere) in folder for folder in opened + saved)


def test_profiles_files_start_in_documents_then_in_the_last_folder(  # type: ignore[no-untyped-def]
    qtbot, qloop, memory_context, isolated_dirs, elsewhere, tmp_path, monkeypatch
) -> None:
    documents = isolated_dirs["home"] / "Documents"
    documents.mkdir()
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    source = exchange / "team.toml"
    source.write_text(PROFILES_TOML, encoding="utf-8")
    started: list[tuple[str, str]] = []

    async def answer(dialog: QFileDialog) -> str | None:
        started.append((dialog.objectName(), dialog.directory().absolutePath()))
        dialog.deleteLater()
        return str(source) if dialog.objectName() == "importProfilesFileDialog" else str(exchange / "out.toml")

    monkeypatch.setattr(profiles_io, "_run_file_dialog", answer)
    run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, []))
    run(qtbot, qloop, profiles_io.import_profiles_file(None, memory_context))
    run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, []))
    assert started == [
        ("exportProfilesFileDialog", str(documents)),  # nothing remembered yet: Documents
        ("importProfilesFileDialog", str(exchange)),  # where the export went
        ("exportProfilesFileDialog", str(exchange)),
    ]


def test_a_remembered_folder_since_removed_is_not_used(  # type: ignore[no-untyped-def]
    qtbot, qloop, memory_context, isolated_dirs, elsewhere, tmp_path, monkeypatch
) -> None:
    gone = tmp_path / "usb-stick"
    gone.mkdir()
    started: list[str] = []

    async def answer(dialog: QFileDialog) -> str | None:
        started.append(dialog.directory().absolutePath())
        dialog.deleteLater()
        return str(gone / "out.toml")

    monkeypatch.setattr(profiles_io, "_run_file_dialog", answer)
    run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, []))
    gone.joinpath("out.toml").unlink()
    gone.rmdir()
    with pytest.raises(ConfigError, match="cannot write"):  # the stick is gone: the export fails...
        run(qtbot, qloop, profiles_io.export_profiles_file(None, memory_context, []))
    assert started == [str(isolated_dirs["home"]), str(isolated_dirs["home"])]  # ...and starts at home
