"""An empty, zero-sized child that tells its window when the window's font or style changes.

Not an event filter on the window, nor the window's own ``changeEvent``: PySide hands a ``QEvent*``
to Python as its most derived class, and the first plain ``QEvent`` handed over (an update
request, a title or activation change) builds all ~53 of PySide's event classes and their enums
to learn that it is none of them: ~0.6 MB of peak RSS at rest, and an event filter sees every
event of its window. This child sees only its own change events: the font it inherits from the
window, and the style (an application style sheet re-polishes every polished widget), neither of
which a window at rest has; so the classes are built only when one of them happens.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QWidget


class FontAndStyleProbe(QWidget):
    """Emits ``font_changed`` or ``style_changed`` when its parent's font or style changes."""

    font_changed = Signal()
    style_changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedSize(0, 0)
        # Shown, so polished: a new application style sheet reaches polished widgets only.
        self.show()

    def changeEvent(self, event: QEvent) -> None:  # Qt's name
        kind = event.type()
        if kind == QEvent.Type.FontChange:
            self.font_changed.emit()
        elif kind == QEvent.Type.StyleChange:
            self.style_changed.emit()
        super().changeEvent(event)
