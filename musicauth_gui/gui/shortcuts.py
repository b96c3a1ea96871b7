"""Shortcuts written down before the first paint, made into ``QKeySequence`` values after it.

The window's actions are made before the first paint and get their shortcuts once it is usable
(``setShortcut`` resolves its overloads through ``Qt.Key``, which builds the whole Qt namespace).
Until then a shortcut is text (``"Ctrl+L"``) or a standard key by name (``StandardKey("Copy")``):
naming a ``QKeySequence.StandardKey`` member builds PySide's ``QKeySequence`` class and its
enums (~0.5 ms) on its first use, before the paint it is not needed for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PySide6.QtGui import QKeySequence


class StandardKey(NamedTuple):
    """``QKeySequence.StandardKey.<name>``: the platform's binding for that command."""

    name: str


#: Portable text (``"Ctrl+Shift+C"``) or a standard key.
Shortcut = StandardKey | str


def key_sequence(shortcut: Shortcut) -> QKeySequence:
    from PySide6.QtGui import QKeySequence

    if isinstance(shortcut, StandardKey):
        return QKeySequence(QKeySequence.StandardKey[shortcut.name])
    return QKeySequence(shortcut)
