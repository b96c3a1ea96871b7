"""The vault file's passphrase, asked when the app opens the encrypted vault file
(``MUSICAUTH_STORE=file``) and the environment does not give it.

The core asks for it from the thread that opens the store (``TokenEngine.from_environment``'s
``ask_passphrase``, called off the GUI thread: the key derivation takes about 0.2 s);
``thread_prompt`` hands each question over to the GUI thread and waits there for the answer.
On the GUI thread the dialog is opened with ``open()`` (window-modal, no nested event loop) and
its answer awaited, so a coroutine may ask it (CONTRIBUTING.md, "qasync and pytest-qt", trap 3).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..widgets.secret_field import SecretField

#: How the GUI thread asks: ``(new, path) -> passphrase or None``, awaited.
AsyncPassphrasePrompt = Callable[[bool, Path], Coroutine[Any, Any, "str | None"]]


class VaultPassphraseDialog(QDialog):
    """One masked field for an existing vault; two (compared before OK is taken) for a new one.

    Args:
        new: no vault file is there yet: this makes one, with the passphrase chosen here.
        path: the vault file, named in the dialog.
    """

    def __init__(self, *, new: bool, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vaultPassphraseDialog")
        self.setWindowTitle("Make a new vault file" if new else "Open the vault file")
        self.new = new
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Make a new vault file at {path}. Choose its passphrase: it encrypts your profiles, "
            "secrets and tokens, and nothing can open the file without it."
            if new
            else f"Enter the passphrase of the vault file {path}."
        )
        intro.setObjectName("vaultPassphraseIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.passphrase_edit = SecretField()
        self.passphrase_edit.setObjectName("vaultPassphraseEdit")
        form.addRow("&Passphrase:", self.passphrase_edit)
        self.again_edit: SecretField | None = None
        if new:
            self.again_edit = SecretField()
            self.again_edit.setObjectName("vaultPassphraseAgainEdit")
            form.addRow("&Again:", self.again_edit)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("vaultPassphraseProblem")
        self.problem.setProperty("banner", True)
        self.problem.setProperty("kind", "error")  # the banners' error colours (the stylesheets)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox()
        buttons.setObjectName("vaultPassphraseButtons")
        self.ok_button = buttons.addButton("Make vault" if new else "Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("vaultPassphraseOk")
        self.ok_button.setDefault(True)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("vaultPassphraseCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for field in self._fields():
            field.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(440)

    def _fields(self) -> list[SecretField]:
        return [self.passphrase_edit] + ([self.again_edit] if self.again_edit is not None else [])

    def _update(self) -> None:
        self.ok_button.setEnabled(all(field.text() for field in self._fields()))
        self.problem.hide()

    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    def accept(self) -> None:
        if not self.passphrase():
            return  # Enter on an empty field: there is nothing to try
        if self.again_edit is not None and self.again_edit.text() != self.passphrase():
            self.problem.setText("The two passphrases differ: type the same one twice.")
            self.problem.show()
            self.again_edit.setFocus()
            self.again_edit.selectAll()
            return
        super().accept()

    def clear(self) -> None:
        """Forget what was typed (the fields overwrite it)."""
        for field in self._fields():
            field.clear()


async def ask_vault_passphrase(parent: QWidget | None, new: bool, path: Path) -> str | None:
    """The passphrase of the vault file at ``path`` (a new one: typed twice), or None when the
    user cancels. Runs on the GUI thread; awaits the dialog without a nested event loop."""
    dialog = VaultPassphraseDialog(new=new, path=path, parent=parent)
    answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not answer.done():
            answer.set_result(dialog.passphrase() if result == QDialog.DialogCode.Accepted.value else None)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await answer
    finally:
        # Asked away (the app quits): the dialog goes with the question.
        dialog.finished.disconnect(finished)
        if dialog.isVisible():
            dialog.reject()
        dialog.clear()
        dialog.deleteLater()


def thread_prompt(ask: AsyncPassphrasePrompt, loop: asyncio.AbstractEventLoop) -> Callable[[bool, Path], str | None]:
    """The core's ``ask_passphrase`` for a worker thread: each call runs ``ask`` on ``loop`` (the
    GUI thread's) and blocks this thread until the user answers. None when the question was
    withdrawn (the app quitting): the core then says the passphrase is needed."""

    def prompt(new: bool, path: Path) -> str | None:
        future = asyncio.run_coroutine_threadsafe(ask(new, path), loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            return None

    return prompt
