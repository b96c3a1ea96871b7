"""The small modal questions the dialogs ask: a name, a passphrase, a file, a yes/no.

Each is a plain function that the dialogs call through this module (``prompts.ask_text(...)``),
so a test replaces one with ``monkeypatch.setattr(prompts, "ask_text", ...)`` and never sees a
modal loop (pytest-qt's ``note_dialogs.rst``).

Only call these from ordinary Qt slots, never from inside a coroutine: a modal dialog spins a
nested event loop, and qasync would then re-enter a task (CONTRIBUTING.md, "qasync and pytest-qt",
trap 3). The dialogs bounce back to a plain slot with ``QTimer.singleShot(0, ...)`` first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def ask_text(
    parent: QWidget | None,
    *,
    title: str,
    label: str,
    text: str = "",
    password: bool = False,
) -> str | None:
    """One line of text, or None when cancelled.

    Args:
        password: mask what is typed (passphrases).
    """
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password if password else QLineEdit.EchoMode.Normal)
    dialog.setTextValue(text)
    try:
        if dialog.exec() != QInputDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()
    finally:
        if password:
            dialog.setTextValue("")
        dialog.deleteLater()


def ask_open_path(parent: QWidget | None, *, title: str, name_filter: str, folder: str = "") -> Path | None:
    """An existing file to open, or None when cancelled.

    Args:
        folder: where the dialog starts (``file_folders.FileFolders.start``); empty would be
            the process's working folder.
    """
    path, _ = QFileDialog.getOpenFileName(parent, title, folder, name_filter)
    return Path(path) if path else None


def ask_save_path(parent: QWidget | None, *, title: str, suggested: str, name_filter: str, folder: str = "") -> Path | None:
    """Where to write a file (the dialog asks before overwriting), or None when cancelled.

    Args:
        suggested: the file name proposed, in ``folder`` (as ``ask_open_path``).
    """
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested) if folder else suggested, name_filter)
    return Path(path) if path else None


def confirm(
    parent: QWidget | None,
    *,
    title: str,
    text: str,
    informative: str = "",
    accept_text: str = "OK",
    destructive: bool = False,
) -> bool:
    """A yes/no question; True only when the user chose ``accept_text``.

    Args:
        destructive: a warning icon, and Cancel as the default button (Enter does not destroy).
    """
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    accept = box.addButton(accept_text, role)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else accept)
    box.setEscapeButton(cancel)
    try:
        box.exec()
        return box.clickedButton() is accept
    finally:
        box.deleteLater()
