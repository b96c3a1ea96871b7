"""Import and export of the profiles file (TOML, the CLI's format) from the desktop app.

Both are coroutines for an ``asyncSlot`` or ``tasks.spawn``; errors propagate as
``MusicAuthError`` for the caller to show with ``messages.error_text``.

The file dialogs are opened with ``open()`` and awaited through their ``finished`` signal,
not with the static ``QFileDialog.getOpenFileName``: that one runs a nested Qt loop, and a
nested loop inside a running coroutine makes qasync step other tasks while this one is still
executing ("Cannot enter into task ... while another task is being executed"; checked with
qasync 0.28 / PySide6 6.12). Tests monkeypatch ``ask_open_path`` / ``ask_save_path``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from ...core.errors import Action, ConfigError, MusicAuthError
from ...core.profiles_file import export_profiles, read_profiles_file
from ...core.secret import Secret
from ..context import AppContext
from ..file_folders import PROFILES, FileFolders

FILE_FILTER = "Profiles files (*.toml);;All files (*)"
DEFAULT_EXPORT_NAME = "profiles.toml"
# A secret shorter than this could match ordinary TOML text by chance; real client secrets
# are far longer, and a bug that wrote secrets would write them whole.
_MIN_CHECKED_SECRET = 8


class SecretInExport(MusicAuthError):
    """The export text would contain a client secret (a bug: Profile holds none)."""


async def _run_file_dialog(dialog: QFileDialog) -> str | None:
    future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def finished(code: int) -> None:
        if future.done():
            return
        files = dialog.selectedFiles()
        future.set_result(files[0] if code == QDialog.DialogCode.Accepted and files else None)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        if future.cancelled():
            dialog.reject()
        dialog.deleteLater()


async def ask_open_path(parent: QWidget | None, *, folder: str = "") -> str | None:
    """Ask for a profiles file to read, starting in ``folder``; None when cancelled."""
    dialog = QFileDialog(parent, "Import profiles", folder, FILE_FILTER)
    dialog.setObjectName("importProfilesFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return await _run_file_dialog(dialog)


async def ask_save_path(parent: QWidget | None, default_name: str = DEFAULT_EXPORT_NAME, *, folder: str = "") -> str | None:
    """Ask where to write the profiles file, proposing ``default_name`` in ``folder``; None
    when cancelled."""
    dialog = QFileDialog(parent, "Export profiles", folder, FILE_FILTER)
    dialog.setObjectName("exportProfilesFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix("toml")
    dialog.selectFile(default_name)
    return await _run_file_dialog(dialog)


async def import_profiles_file(parent: QWidget | None, context: AppContext, path: str | None = None) -> list[str]:
    """Read a profiles file and add (or update) its profiles; the names imported.

    Args:
        path: the file; None asks with a file dialog (and returns [] when cancelled).

    Raises:
        MusicAuthError: the file is unreadable or invalid (nothing imported), or the store failed.
    """
    if path is None:
        folders = FileFolders.open(demo=context.demo is not None)
        path = await ask_open_path(parent, folder=folders.start(PROFILES))
        if not path:
            return []
        folders.remember(PROFILES, path)
    loop = asyncio.get_running_loop()
    inputs = await loop.run_in_executor(None, read_profiles_file, path)  # file I/O off the GUI thread
    return await context.engine.import_profiles(inputs)


async def export_profiles_file(
    parent: QWidget | None, context: AppContext, names: list[str], path: str | None = None
) -> str | None:
    """Write the named profiles (all when ``names`` is empty) to a profiles file, without secrets.

    Args:
        path: the file; None asks with a save dialog proposing "profiles.toml".

    Returns:
        The path written, or None when the user cancelled.

    Raises:
        MusicAuthError: a profile is missing, the file cannot be written, or (defensively) the
            text would contain a stored client secret.
    """
    if path is None:
        folders = FileFolders.open(demo=context.demo is not None)
        path = await ask_save_path(parent, folder=folders.start(PROFILES))
        if not path:
            return None
        folders.remember(PROFILES, path)
    engine = context.engine
    if not names:
        names = await engine.profile_names()
    records = [await engine.load(name) for name in names]
    text = export_profiles(records)  # a secret read from the environment: its reference only
    # Profile carries no secret, so this never fires; it guards against a future field that
    # would (style rule 5: no export ever holds a secret). Every stored secret is checked, not
    # only the exported profiles' own: a mix-up would leak another profile's.
    for record in (await engine.scan()).records:
        secret = record.client_secret.reveal() if isinstance(record.client_secret, Secret) else ""
        if len(secret) >= _MIN_CHECKED_SECRET and secret in text:
            raise SecretInExport(f"export stopped: profile {record.name!r} would write its client secret")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, _write_text, Path(path), text)
    return str(path)


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a failed write leaves the old file whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", actions=(Action.CHOOSE_ANOTHER_FILE,)) from None
