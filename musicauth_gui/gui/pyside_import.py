"""Loads PySide6 without keeping its import hook.

Importing PySide6 replaces ``builtins.__import__`` with shiboken's ``__feature_import__``, which
serves ``from __feature__ import snake_case, true_property``: to learn which modules may select
such features, it reads the source of every module imported from then on (``inspect.getsource``)
and leaves it in ``linecache``. The desktop app imports most of its libraries after the window
shows (asyncio, httpx, cryptography, PyJWT, keyring and the core): 12.5 MB of source text kept
for the life of the process, and every file read once more while loading. The app selects no
feature, so the import function that was there before comes back as soon as PySide6 is in,
and the sources it read while PySide6 itself was importing (``enum``'s, shiboken's, PySide6's:
~0.25 MB) leave ``linecache`` with it.
"""

from __future__ import annotations

import builtins


def import_pyside_widgets() -> None:
    """Import PySide6.QtWidgets; a no-op (hook included) when it is imported already."""
    import linecache  # the hook reads sources through it (inspect) anyway

    before, cached = builtins.__import__, set(linecache.cache)
    import PySide6.QtWidgets  # noqa: F401

    builtins.__import__ = before
    for filename in linecache.cache.keys() - cached:
        del linecache.cache[filename]
