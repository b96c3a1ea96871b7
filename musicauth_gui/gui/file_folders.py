"""Where the file dialogs start: the folder last used for that kind of file, else Documents.

An empty directory makes Qt's file dialogs start in the process's working folder, which for a
desktop app is whatever launched it (``/``, the home folder, a build tree): nowhere anyone keeps
their files. So each kind of file (``PROFILES``, ``KEYS``) remembers the folder it was last
read from or written to (``settings.Preferences``, demo mode in its own file), and starts in
the user's Documents folder, or the home folder where there is none.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QDir, QStandardPaths

from .settings import Preferences

#: The profiles files (import and export share one folder: an export is often re-imported).
PROFILES = "profiles"
#: Private keys imported and public keys saved (the key manager).
KEYS = "keys"


class FileFolders:
    """The remembered folders, read and written through ``preferences``."""

    def __init__(self, preferences: Preferences) -> None:
        self._preferences = preferences

    @classmethod
    def open(cls, *, demo: bool) -> FileFolders:
        """The user's (demo mode's own when ``demo``: exploring moves nothing of the real app)."""
        return cls(Preferences.open(demo=demo))

    def start(self, purpose: str) -> str:
        """The folder a dialog for ``purpose`` opens in: the last one used, while it exists."""
        remembered = self._preferences.last_folder(purpose)
        if remembered and os.path.isdir(remembered):
            return remembered
        return default_folder()

    def remember(self, purpose: str, path: str | os.PathLike[str]) -> None:
        """``path`` was chosen for ``purpose``: the next dialog starts in its folder."""
        self._preferences.set_last_folder(purpose, str(Path(path).parent))


def default_folder() -> str:
    """The user's Documents folder if it exists, else the home folder."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and os.path.isdir(documents):
        return documents
    return QDir.homePath()
