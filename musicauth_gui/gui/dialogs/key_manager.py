"""The key manager: the EC P-256 private keys DevTokens are signed with.

Lists the stored keys (name, fingerprint, creation time, the profiles using each) and generates,
imports (button or drag and drop), exports the public half of, and deletes them. The private keys
stay in the keyring: this dialog only ever sees their public half, through ``KeyInfo``.

Every keyring and CPU step runs through the core's async ``KeyStore`` methods (which run them on
the store's worker thread); questions (a name, a passphrase, a file, "really delete?") are asked
from plain slots through :mod:`.prompts`, never from inside a coroutine.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import Callable, Container, Coroutine
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import Action, MusicAuthError
from ...core.key_ring import KeyInUse
from ...core.keys import KeyInfo, KeyProblem, PassphraseRequired
from ..context import AppContext
from ..error_actions import ActionHost, ErrorActions
from ..file_folders import KEYS, FileFolders
from ..icons import icon
from ..tasks import spawn
from . import prompts
from .modeless import open_once
from .status_row import set_status, status_and_close

#: The file names the import accepts (dialog filter and drops alike).
KEY_SUFFIXES: tuple[str, ...] = (".pem", ".p8", ".key", ".der")
KEY_FILE_FILTER = "Private keys (*.pem *.p8 *.key *.der);;All files (*)"
#: A P-256 key file is a few hundred bytes; anything this big is something else.
MAX_KEY_FILE_BYTES = 64 * 1024

COLUMNS = ("Name", "Fingerprint", "Created", "Used by")
COL_NAME, COL_FINGERPRINT, COL_CREATED, COL_USED_BY = range(4)


def dropped_key_files(mime: QMimeData) -> list[Path]:
    """The local key files in a drop, or [] when anything in it is not one (a URL, a folder, a .txt)."""
    if not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if not url.isLocalFile():
            return []
        path = Path(url.toLocalFile())
        if path.suffix.lower() not in KEY_SUFFIXES:
            return []
        paths.append(path)
    return paths


def key_name_for(path: Path, taken: Container[str]) -> str:
    """A key name from a file name (``AuthKey_ABC123.p8`` → ``AuthKey_ABC123``), made unique."""
    base = re.sub(r"[\x00-\x1f/\\]+", "-", path.stem).strip() or "imported-key"
    base = base[:90]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _accept_key_files(event: QDragMoveEvent) -> None:
    """Take a drag (entering or moving; QDragEnterEvent is a QDragMoveEvent) only if it brings key files."""
    if dropped_key_files(event.mimeData()):
        event.acceptProposedAction()
    else:
        event.ignore()


def _read_key_file(path: Path) -> bytes:
    """The bytes of a key file (runs on a worker thread)."""
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise KeyProblem(f"{path.name} is too large to be a key file")
        return path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"cannot read {path.name}: {exc.strerror or exc}") from None


def _local_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch)) if epoch else "unknown"


class KeyManagerDialog(QDialog):
    """The stored signing keys, with generate / import / copy / save / delete.

    Usable modeless (:meth:`open_for`) or with ``exec()``. Drop a ``.pem``/``.p8``/``.key``/``.der``
    file anywhere on it to import it.

    Args:
        context: the app's shared objects (engine, clipboard, bridge).
        parent: the owning window.

    Signals:
        keys_changed(): a key was generated, imported or deleted (editors offering a key list
            should reload it).
        refreshed(): the table was reloaded from the store.
    """

    keys_changed = Signal()
    refreshed = Signal()

    def __init__(self, context: AppContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._keys = context.engine.key_ring
        self._infos: dict[str, KeyInfo] = {}
        self._generation = 0
        self._busy = 0

        self.setObjectName("keyManagerDialog")
        self.setWindowTitle("Signing keys")
        self.setWindowIcon(icon("key"))
        self.setAcceptDrops(True)
        self.resize(980, 400)

        intro = QLabel(
            "EC P-256 private keys for signing DevTokens. They stay in the system keyring; only the "
            "public key can be copied or saved. Drop a .p8, .pem, .key or .der file here to import it."
        )
        intro.setWordWrap(True)
        intro.setObjectName("intro")

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("keyTable")
        self.table.setAccessibleName("Signing keys")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Every column as wide as its content (a narrow window scrolls sideways instead of
        # squeezing "Used by" to nothing); the last one also takes what is left.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.status, self.status_actions, bottom = status_and_close(self)
        # What an error's buttons do here: the key manager carries out the key actions itself.
        host = parent if isinstance(parent, ActionHost) else None
        self._actions = ErrorActions(
            host,
            local={
                Action.DELETE_EXISTING: lambda exc: self._delete_named(exc.key_name),
                Action.REMOVE_ENTRY: lambda exc: self._delete_named(exc.key_name),
                Action.DELETE_ANYWAY: lambda exc: self._delete_named(exc.key_name),
                Action.CHOOSE_KEY_FILE: lambda exc: self.import_from_dialog(),
                Action.CHOOSE_ANOTHER_FILE: lambda exc: self.import_from_dialog(),
                Action.ADD_KEY: lambda exc: self.generate(),
            },
        )

        # Actions carry the shortcuts (window-wide), the buttons trigger the same actions.
        self.generate_action = self._action("Generate…", "generate", QKeySequence("Ctrl+G"), self.generate)
        self.import_action = self._action("Import…", "import", QKeySequence("Ctrl+I"), self.import_from_dialog)
        self.copy_action = self._action(
            "Copy public key", "copy", QKeySequence(QKeySequence.StandardKey.Copy), self.copy_public_key
        )
        self.save_action = self._action("Save public key…", "save", None, self.save_public_key)
        self.delete_action = self._action(
            "Delete…", "delete", QKeySequence(QKeySequence.StandardKey.Delete), self.delete_selected
        )

        self.generateButton = self._button(self.generate_action, "generateButton", "Generate a new P-256 key (Ctrl+G)")
        self.importButton = self._button(
            self.import_action, "importButton", "Import a private key file: .p8, .pem, .key or .der (Ctrl+I)"
        )
        self.copyPublicButton = self._button(
            self.copy_action, "copyPublicButton", "Copy the selected key's public key as PEM (Ctrl+C, or double-click)"
        )
        self.savePublicButton = self._button(
            self.save_action, "savePublicButton", "Save the selected key's public key to a .pem file"
        )
        self.deleteButton = self._button(self.delete_action, "deleteButton", "Delete the selected key (Del)")

        buttons = QHBoxLayout()
        for button in (self.generateButton, self.importButton):
            buttons.addWidget(button)
        buttons.addSpacing(16)
        for button in (self.copyPublicButton, self.savePublicButton):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.deleteButton)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        for signal in (context.bridge.profile_changed, context.bridge.store_changed_elsewhere):
            signal.connect(self._on_bridge_changed)
        self._update_buttons()
        self.refresh()

    # -- entry point --------------------------------------------------------------------------

    @classmethod
    def open_for(cls, parent: QWidget | None, context: AppContext) -> KeyManagerDialog:
        """Show the key manager modeless, owned by ``parent`` (raising the one already open there).

        Parent first, as in Qt's own static dialog functions (``QFileDialog.getOpenFileName``).
        """
        return open_once(parent, cls, lambda: cls(context, parent=parent))

    # -- what the user does -------------------------------------------------------------------

    def generate(self) -> None:
        """Ask a name, then generate a key under it."""
        name = prompts.ask_text(
            self, title="Generate key", label="Name for the new P-256 key:", text=key_name_for(Path("key"), self._infos)
        )
        if name is None:
            return
        name = name.strip()
        self._start(self._generate(name), busy=True)

    def import_from_dialog(self) -> None:
        """Ask for a key file, then import it."""
        folders = self._folders()
        path = prompts.ask_open_path(self, title="Import private key", name_filter=KEY_FILE_FILTER, folder=folders.start(KEYS))
        if path is not None:
            folders.remember(KEYS, path)
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Ask the name to keep the key in ``path`` under (one made from the file name is
        offered), then import it (asking a passphrase if needed)."""
        name = prompts.ask_text(
            self, title="Import key", label=f"Name for the key in {path.name}:", text=key_name_for(path, self._infos)
        )
        if name is None:
            self._set_status(f"Import of {path.name} cancelled.")
            return
        self._set_status(f"Importing {path.name}…")
        self._start(self._import(path, name.strip(), None, None), busy=True)

    def copy_public_key(self) -> None:
        """Copy the selected key's public key (SPKI PEM): public, so a plain copy."""
        info = self.selected_key()
        if info is None:
            return
        self._context.clipboard.copy_plain(info.public_pem, what="public key")
        self._set_status(f"Copied the public key of {info.name!r} ({info.fingerprint}).")

    def save_public_key(self) -> None:
        """Ask where, then write the selected key's public key as PEM."""
        info = self.selected_key()
        if info is None:
            return
        folders = self._folders()
        path = prompts.ask_save_path(
            self,
            title="Save public key",
            suggested=f"{info.name}.pub.pem",
            name_filter="PEM public key (*.pem);;All files (*)",
            folder=folders.start(KEYS),
        )
        if path is not None:
            folders.remember(KEYS, path)
            self._start(self._save_public(info, path))

    def _folders(self) -> FileFolders:
        return FileFolders.open(demo=self._context.demo is not None)

    def delete_selected(self) -> None:
        """Confirm (naming the profiles that would break), then delete the selected key."""
        info = self.selected_key()
        if info is None:
            return
        self._confirm_and_delete(info.name, list(info.used_by))

    def selected_key(self) -> KeyInfo | None:
        """The KeyInfo of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows(COL_NAME)
        if not rows:
            return None
        item = self.table.item(rows[0].row(), COL_NAME)
        return self._infos.get(item.text()) if item is not None else None

    def select_key(self, name: str) -> bool:
        """Select the row of ``name``; False when there is none."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_NAME)
            if item is not None and item.text() == name:
                self.table.selectRow(row)
                self.table.scrollToItem(item)
                return True
        return False

    def key_names(self) -> list[str]:
        """The names shown in the table, in order."""
        items = (self.table.item(row, COL_NAME) for row in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def refresh(self, *, select: str | None = None) -> asyncio.Task[Any]:
        """Reload the table from the store (the newest reload wins)."""
        self._generation += 1
        return self._start(self._load(self._generation, select))

    # -- drag and drop ------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt's name
        _accept_key_files(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt's name
        _accept_key_files(event)

    def dropEvent(self, event: QDropEvent) -> None:  # Qt's name
        paths = dropped_key_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.import_file(path)

    # -- coroutines (no questions asked in here) ----------------------------------------------

    async def _load(self, generation: int, select: str | None) -> None:
        try:
            infos = await self._keys.usable_keys()
        except MusicAuthError as exc:
            self._set_status("", error=exc, retry=self.refresh)
            return
        if not self._alive() or generation != self._generation:
            return
        self._fill(infos, select)
        self.refreshed.emit()

    async def _generate(self, name: str) -> None:
        try:
            info = await self._keys.generate(name)
        except MusicAuthError as exc:
            self._set_status("", error=exc, retry=self.generate, another_name=self.generate)
            return
        self._changed(f"Generated key {info.name!r} ({info.fingerprint}).", select=info.name)

    async def _import(self, path: Path, name: str, data: bytes | None, passphrase: bytes | None) -> None:
        try:
            if data is None:
                data = await asyncio.get_running_loop().run_in_executor(None, _read_key_file, path)
            info = await self._keys.import_key(name, data, passphrase)
        except PassphraseRequired:
            assert data is not None
            # Back to a plain slot before asking: a modal dialog must not run inside a task.
            QTimer.singleShot(0, self, functools.partial(self._ask_passphrase_and_retry, path, name, data))
            return
        except MusicAuthError as exc:
            again = functools.partial(self.import_file, path)  # asks the name (and passphrase) again
            self._set_status(f"{path.name}: ", error=exc, retry=again, another_name=again)
            return
        self._changed(f"Imported {path.name} as {info.name!r} ({info.fingerprint}).", select=info.name)

    async def _delete(self, name: str, *, force: bool) -> None:
        try:
            broken = await self._keys.delete(name, force=force)
        except KeyInUse as exc:
            # A profile started using the key since the table was loaded: ask again, naming it.
            QTimer.singleShot(0, self, functools.partial(self._confirm_and_delete, name, list(exc.profiles)))
            return
        except MusicAuthError as exc:
            self._set_status("", error=exc, retry=functools.partial(self._delete_named, name))
            return
        note = f" Profiles that used it: {', '.join(broken)}." if broken else ""
        self._changed(f"Deleted key {name!r}.{note}")

    async def _save_public(self, info: KeyInfo, path: Path) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, path.write_text, info.public_pem, "ascii")
        except OSError as exc:
            self._set_status(f"Could not save {path.name}: {exc.strerror or exc}", error=True)
            return
        self._set_status(f"Saved the public key of {info.name!r} to {path}.")

    # -- plain slots --------------------------------------------------------------------------

    def _delete_named(self, name: str | None) -> None:
        """A message's "Delete the existing key…", "Delete key…": that key, confirmed as from
        its row (naming the profiles that use it)."""
        info = self._infos.get(name) if name is not None else None
        if info is not None:
            self.select_key(info.name)
            self._confirm_and_delete(info.name, list(info.used_by))

    def _ask_passphrase_and_retry(self, path: Path, name: str, data: bytes) -> None:
        if not self._alive():
            return
        passphrase = prompts.ask_text(
            self, title="Encrypted key", label=f"Passphrase for {path.name}:", password=True
        )
        if passphrase is None:
            self._set_status(f"Import of {path.name} cancelled.")
            return
        self._start(self._import(path, name, data, passphrase.encode("utf-8")), busy=True)

    def _confirm_and_delete(self, name: str, users: list[str]) -> None:
        if not self._alive():
            return
        if users:
            text = f"Delete key {name!r}? It is used by {', '.join(users)}."
            informative = (
                f"{', '.join(users)} will stop producing DevTokens until given another key. "
                "The private key is removed from the keyring; this cannot be undone."
            )
            accept = "Delete anyway"
        else:
            text = f"Delete key {name!r}?"
            informative = "No profile uses it. The private key is removed from the keyring; this cannot be undone."
            accept = "Delete"
        if not prompts.confirm(
            self, title="Delete key", text=text, informative=informative, accept_text=accept, destructive=True
        ):
            self._set_status(f"Kept key {name!r}.")
            return
        # force only when the user has just confirmed breaking these profiles.
        self._start(self._delete(name, force=bool(users)), busy=True)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.selectRow(index.row())
            self.copy_public_key()

    def _on_bridge_changed(self, *_args: object) -> None:
        self.refresh()

    # -- helpers ------------------------------------------------------------------------------

    def _action(self, text: str, icon_name: str, shortcut: QKeySequence | None, slot: Any) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _button(self, action: QAction, object_name: str, tip: str) -> QPushButton:
        button = QPushButton(action.icon(), action.text(), self)
        button.setObjectName(object_name)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter in the table must not generate a key
        button.clicked.connect(action.trigger)
        return button

    def _start(self, coro: Coroutine[Any, Any, None], *, busy: bool = False) -> asyncio.Task[Any]:
        if busy:
            self._busy += 1
            self._update_buttons()
        task = spawn(coro, on_failure=lambda exc: self._set_status("", error=exc))
        if busy:
            task.add_done_callback(self._on_busy_task_done)
        return task

    def _on_busy_task_done(self, _task: asyncio.Task[Any]) -> None:
        self._busy -= 1
        if self._alive():
            self._update_buttons()

    def _changed(self, message: str, *, select: str | None = None) -> None:
        if not self._alive():
            return
        self._set_status(message)
        self.keys_changed.emit()
        self.refresh(select=select)

    def _fill(self, infos: list[KeyInfo], select: str | None) -> None:
        current = self.selected_key()
        keep = select or (current.name if current else None)
        self._infos = {info.name: info for info in infos}
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(infos))
        for row, info in enumerate(infos):
            used = ", ".join(info.used_by)
            cells = (info.name, info.fingerprint, _local_time(info.created_at), used or "—")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == COL_FINGERPRINT:
                    item.setFont(self._mono)
                    item.setToolTip("SHA-256 of the DER public key (SubjectPublicKeyInfo)")
                elif column == COL_CREATED:
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(info.created_at))
                    item.setToolTip(f"{stamp}, {info.source}")
                elif column == COL_USED_BY:
                    item.setToolTip(
                        f"Profiles signing DevTokens with this key: {used}" if used else "No profile uses this key"
                    )
                self.table.setItem(row, column, item)
        if not (keep and self.select_key(keep)) and infos and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        if not infos and not self.status.text():
            self._set_status("No keys yet: generate one, or drop a .p8 or .pem file here.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_key = self.selected_key() is not None
        idle = self._busy == 0
        self.generate_action.setEnabled(idle)
        self.import_action.setEnabled(idle)
        self.copy_action.setEnabled(has_key)
        self.save_action.setEnabled(has_key)
        self.delete_action.setEnabled(has_key and idle)
        for button, action in (
            (self.generateButton, self.generate_action),
            (self.importButton, self.import_action),
            (self.copyPublicButton, self.copy_action),
            (self.savePublicButton, self.save_action),
            (self.deleteButton, self.delete_action),
        ):
            button.setEnabled(action.isEnabled())

    def _set_status(
        self,
        text: str,
        *,
        error: bool | BaseException = False,
        retry: Callable[[], object] | None = None,
        another_name: Callable[[], object] | None = None,
    ) -> None:
        """``text``, and an error's words after it with its actions as buttons (``retry``: the
        operation again; ``another_name``: the same, asking the name again)."""
        if not self._alive():
            return
        local = {Action.CHOOSE_ANOTHER_NAME: lambda exc: another_name()} if another_name is not None else {}
        actions = self._actions.but(retry=(lambda: retry()) if retry is not None else None, local=local)
        set_status(self.status, self.status_actions, text, error=error, actions=actions)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)
