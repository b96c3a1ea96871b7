"""A scroll area that is as tall as its content when the screen allows, and scrolls beyond.

QScrollArea caps its size hint at 24 lines of text, so a dialog around one is either cut at
that height or needs a fixed size. The profile editor with the generic OAuth 2.0 provider, its
endpoints shown and a discovery error under the issuer is about 780 px tall: on an 800 px
screen its window did not fit. Here the hint is the content's own height at the area's width;
the dialog caps its height at the screen's and the rest scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class FittingScrollArea(QScrollArea):
    """Scrolls ``content`` down only; asks for its whole height and its minimum width.

    Args:
        min_height: the least height given to the content before the rest of the dialog.
    """

    def __init__(self, content: QWidget, *, min_height: int = 160, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min_height = min_height
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the fields take the focus; it scrolls to them

    def _extra_width(self) -> int:
        return 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        width = max(content.sizeHint().width(), content.minimumSizeHint().width())
        at = max(self.viewport().width(), content.minimumSizeHint().width())
        height = content.heightForWidth(at) if content.hasHeightForWidth() else -1
        return QSize(width + self._extra_width(), (height if height > 0 else content.sizeHint().height()) + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self._extra_width(), self._min_height)
