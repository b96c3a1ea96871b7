"""Paints one profile row: provider icon, name, state badge, countdown and a thin life bar.

Painted, not built from widgets: a thousand rows cost nothing until they are on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ...core.presets import get_preset
from ..icons import provider_icon, state_icon
from ..profile_model import STATE_LABELS, Role

BADGE_COLOURS = {
    "valid": "#1a7f37",
    "renewing": "#0969da",
    "needs-sign-in": "#9a6700",
    "error": "#cf222e",
    "expired": "#6e7781",
    "none": "#6e7781",
}
ROW_HEIGHT = 58
ICON = 32


class ProfileDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(260, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        style = option.widget.style() if option.widget else QApplication.style()
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.icon = QIcon()  # the style draws only the background and the selection
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)

        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text_colour)
        muted.setAlphaF(0.65)
        rect = option.rect.adjusted(10, 6, -10, -6)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        provider = index.data(Role.PROVIDER) or ""
        provider_icon(provider).paint(painter, QRect(rect.left(), rect.top() + 6, ICON, ICON))
        text_left = rect.left() + ICON + 10

        name_font = QFont(option.font)
        name_font.setBold(True)
        painter.setFont(name_font)
        painter.setPen(text_colour)
        countdown = index.data(Role.COUNTDOWN) or ""
        digits = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        digits.setPointSizeF(option.font.pointSizeF())
        count_width = painter.fontMetrics().horizontalAdvance("00d 00h 00m") if countdown else 0
        name_rect = QRect(text_left, rect.top(), rect.right() - text_left - count_width - 8, 20)
        name = painter.fontMetrics().elidedText(index.data(Role.NAME) or "", Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

        if countdown:
            painter.setFont(digits)
            painter.setPen(text_colour)
            painter.drawText(
                QRect(rect.right() - count_width, rect.top(), count_width, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                countdown,
            )

        state = index.data(Role.STATE) or "none"
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))
        painter.setFont(small)
        state_icon(state).paint(painter, QRect(text_left, rect.top() + 24, 14, 14))
        badge = STATE_LABELS.get(state, state)
        colour = QColor(BADGE_COLOURS.get(state, "#6e7781"))
        painter.setPen(text_colour if selected else colour)
        badge_width = painter.fontMetrics().horizontalAdvance(badge)
        painter.drawText(QRect(text_left + 18, rect.top() + 22, badge_width + 2, 18), Qt.AlignmentFlag.AlignVCenter, badge)
        painter.setPen(muted)
        label = get_preset(provider).label if provider else ""
        rest = QRect(text_left + 18 + badge_width + 10, rect.top() + 22, rect.right() - text_left - badge_width - 28, 18)
        painter.drawText(rest, Qt.AlignmentFlag.AlignVCenter, painter.fontMetrics().elidedText(f"· {label}", Qt.TextElideMode.ElideRight, rest.width()))

        fraction = index.data(Role.FRACTION_LEFT)
        if fraction is not None:
            bar = QRect(text_left, rect.bottom() - 3, rect.right() - text_left, 3)
            track = QColor(muted)
            track.setAlphaF(0.18)
            painter.fillRect(bar, track)
            fill = QColor(BADGE_COLOURS["valid"] if fraction > 0.1 else BADGE_COLOURS["needs-sign-in"])
            painter.fillRect(QRect(bar.left(), bar.top(), int(bar.width() * fraction), bar.height()), fill)
        painter.restore()
