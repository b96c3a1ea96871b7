"""Paints one profile row: provider icon, name, state badge, countdown and a thin life bar.

Painted, not built from widgets: a thousand rows cost nothing until they are on screen.

The countdown tick repaints every visible row once a second, so a row is painted in two layers:
what changes with the state (icon, name, badge, provider label) is drawn once into a cached
pixmap, and each tick draws only the background, that pixmap, the countdown and the life bar.
Most of a paint used to be Python-to-Qt calls for text that had not changed.

The rows are painted before the window counts as usable, and nothing here touches PySide's
``QStyle`` class on the way: its first use builds it and every enum in it (~3.5 ms).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ...core.presets import get_preset
from ..icons import provider_icon, state_marker
from ..profile_model import STATE_LABELS, Role, RowView
from ..state_colours import bar_colour, row_colours

ROW_HEIGHT = 58
ICON = 32
PADDING_X, PADDING_Y = 10, 6
#: Screenfuls of rows whose static layer is kept (scrolling back and forth is free too). A
#: layer holds the row inside its padding and above its life bar (``_layer_area``) at 4 bytes a
#: pixel: about 55 KB, four times that on a 2x screen.
CACHED_SCREENS = 2
#: The rows at the bottom of a row's content a layer leaves out: the life bar's three, which each
#: tick draws, and the one above it.
LAYER_BOTTOM_ROOM = 4
#: The widest texts ``format_remaining`` gives a row: the countdown's room is measured on them,
#: in the font it is drawn in, so it is never cut ("23h 59m 4" once was).
COUNTDOWN_SAMPLES = ("00d 00h 00m", "00h 00m 00s", "no expiry", "unknown", "expired")
#: How much of the name a row shows at the least, elided ("Spoti…"); with the icon and the
#: countdown it makes the narrowest row, and the list never gets narrower than that.
MIN_NAME_WIDTH = 56

# Looked up once: an enum attribute chain costs more than the drawing call it feeds.
_TEXT, _HIGHLIGHTED_TEXT = QPalette.ColorRole.Text, QPalette.ColorRole.HighlightedText
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NO_PEN = Qt.PenStyle.NoPen


class _Fonts(NamedTuple):
    generation: int  # stands for the base font in cache keys (QFont.key() is slow to build)
    name: QFont
    digits: QFont
    small: QFont
    count_width: int  # room for the longest countdown (COUNTDOWN_SAMPLES), in the digits font


class ProfileDelegate(QStyledItemDelegate):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base_font: QFont | None = None
        self._fonts: _Fonts | None = None
        self._layers: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        #: The rows' size and pixel ratio the cached layers were made for.
        self._layer_geometry: tuple[int, int, float] | None = None

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        # The narrowest a row may be, not what it would like: rows take the view's width, and a
        # wider hint than the view made the list scroll sideways and cut the countdown.
        return QSize(self.minimum_row_width(option.font), ROW_HEIGHT)

    def countdown_area(self, row: QRect, font: QFont) -> tuple[QRect, QFont]:
        """Where a row at ``row`` draws its countdown, and in which font."""
        fonts = self._fonts_for(font)
        return countdown_rect(_content_area(row)[0], fonts.count_width), fonts.digits

    def minimum_row_width(self, font: QFont) -> int:
        """Icon, a few letters of the name and the whole countdown, with the row's padding."""
        return 2 * PADDING_X + ICON + 10 + MIN_NAME_WIDTH + 8 + self._fonts_for(font).count_width

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        view: RowView | None = index.data(Role.PAINT)
        if view is None:
            return
        widget = option.widget
        # The style draws only the background, hover and selection (CE_ItemViewItem, with the
        # option as the view gave it: initStyleOption below adds nothing).
        super().paint(painter, option, index)

        selected = _is_selected(option, index)
        text_colour = option.palette.color(_HIGHLIGHTED_TEXT if selected else _TEXT)
        fonts = self._fonts_for(option.font)
        rect, text_left = _content_area(option.rect)
        count_width = fonts.count_width if view.countdown else 0

        layer = self._static_layer(view, option, fonts, selected, text_colour, count_width, widget)
        painter.drawPixmap(_layer_area(rect).topLeft(), layer)

        if view.countdown:
            painter.setFont(fonts.digits)
            painter.setPen(text_colour)
            painter.drawText(countdown_rect(rect, count_width), _RIGHT, view.countdown)
        fraction = bar_fraction(view.fraction_left)
        if fraction is not None:
            bar = QRect(text_left, rect.bottom() - 3, rect.right() - text_left, 3)
            track = QColor(text_colour)
            track.setAlphaF(0.18)
            fill = bar_colour(option.palette, low=fraction <= 0.1, selected=selected)
            # drawRect with the brush, not fillRect: each of fillRect's overloads is checked
            # against a QGradient.Preset, whose first check builds QGradient and its 180-value
            # enum (~1 ms of the rows' first paint). Without a pen the same pixels.
            painter.save()
            painter.setPen(_NO_PEN)
            painter.setBrush(track)
            painter.drawRect(bar)
            painter.setBrush(fill)
            painter.drawRect(QRect(bar.left(), bar.top(), int(bar.width() * fraction), bar.height()))
            painter.restore()

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        """Nothing: paint() draws the text, icon and badge itself. The default asks the model for
        a dozen roles this row does not use, and fills in a text and an icon for the style to
        draw under the row's own."""

    def _fonts_for(self, base: QFont) -> _Fonts:
        fonts = self._fonts
        if fonts is None or base != self._base_font:
            self._base_font = QFont(base)
            name = QFont(base)
            name.setBold(True)
            digits = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            digits.setPointSizeF(base.pointSizeF())
            small = QFont(base)
            small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
            generation = fonts.generation + 1 if fonts else 0
            metrics = QFontMetrics(digits)
            count_width = max(metrics.horizontalAdvance(text) for text in COUNTDOWN_SAMPLES) + 2
            fonts = self._fonts = _Fonts(generation, name, digits, small, count_width)
        return fonts

    def _static_layer(
        self,
        view: RowView,
        option: QStyleOptionViewItem,
        fonts: _Fonts,
        selected: bool,
        text_colour: QColor,
        count_width: int,
        widget: QWidget | None,
    ) -> QPixmap:
        """The row's icon, name, badge and provider label on a transparent pixmap, cached by
        everything that changes how they look."""
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        size = option.rect.size()
        # The state's colours, the theme's own (``state_colours.py``): the key holds them, so a
        # theme changed in the Preferences repaints every row.
        colours = row_colours(option.palette, view.state, selected=selected)
        key = (
            colours.text.rgba(),
            colours.marker.rgba(),
            colours.glyph.rgba(),
            view.name,
            view.provider,
            view.state,
            view.badge,
            selected,
            count_width,
            size.width(),
            size.height(),
            text_colour.rgba(),
            fonts.generation,
            ratio,
        )
        layer = self._layers.get(key)
        if layer is not None:
            self._layers.move_to_end(key)
            return layer

        geometry = (size.width(), size.height(), ratio)
        if geometry != self._layer_geometry:
            # Every row of the list has one size: layers of another (the list before the detail
            # pane took its room at start-up, a splitter drag, another screen) are not drawn
            # again. Kept, they were most of the cache (0.8 MB of peak RSS at start-up).
            self._layers.clear()
            self._layer_geometry = geometry
        rect, text_left = _content_area(QRect(0, 0, size.width(), size.height()))
        held = _layer_area(rect)
        layer = QPixmap(held.size() * ratio)
        layer.setDevicePixelRatio(ratio)
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        painter.translate(-held.left(), -held.top())  # drawn in the row's coordinates, as before
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        provider_icon(view.provider).paint(painter, QRect(rect.left(), rect.top() + 6, ICON, ICON))

        painter.setFont(fonts.name)
        painter.setPen(text_colour)
        name_rect = QRect(text_left, rect.top(), rect.right() - text_left - count_width - 8, 20)
        name = painter.fontMetrics().elidedText(view.name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

        painter.setFont(fonts.small)
        marker = state_marker(view.state, colours.marker.name(), colours.glyph.name())
        if marker is not None:
            marker.render(painter, QRectF(text_left, rect.top() + 24, 14, 14))
        badge = view.badge or STATE_LABELS.get(view.state, view.state)
        painter.setPen(colours.text)
        badge_width = painter.fontMetrics().horizontalAdvance(badge)
        painter.drawText(QRect(text_left + 18, rect.top() + 22, badge_width + 2, 18), Qt.AlignmentFlag.AlignVCenter, badge)
        muted = QColor(text_colour)
        muted.setAlphaF(0.65)
        painter.setPen(muted)
        label = get_preset(view.provider).label if view.provider else ""
        rest = QRect(text_left + 18 + badge_width + 10, rect.top() + 22, rect.right() - text_left - badge_width - 28, 18)
        if label:  # a damaged entry has no readable provider
            shown_label = painter.fontMetrics().elidedText(f"· {label}", Qt.TextElideMode.ElideRight, rest.width())
            painter.drawText(rest, Qt.AlignmentFlag.AlignVCenter, shown_label)
        painter.end()

        self._layers[key] = layer
        while len(self._layers) > cache_limit(widget):
            self._layers.popitem(last=False)
        return layer


def _is_selected(option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> bool:
    """Whether the row is painted selected: what the view's selection model says, which is what
    a view puts in ``option.state`` (QListView::paintEvent). Reading ``option.state`` would build
    the ``QStyle`` class on the way to the first listing."""
    selection = getattr(option.widget, "selectionModel", None)
    model = selection() if selection is not None else None
    if model is not None:
        return bool(model.isSelected(index))
    from PySide6.QtWidgets import QStyle

    return bool(option.state & QStyle.StateFlag.State_Selected)


def bar_fraction(value: float | None) -> float | None:
    """The life bar's fill from 0 to 1, or None for no bar. Checked here too, not only in the
    model: an exception raised inside paint() ends the whole app (int(nan) once did)."""
    if value is None or not math.isfinite(value):
        return None
    return max(0.0, min(1.0, value))


def _content_area(row: QRect) -> tuple[QRect, int]:
    """The row inside its padding, and where its text starts (right of the provider icon); the
    same for the row on screen and for its cached layer, whose origin is the row's corner."""
    rect = row.adjusted(PADDING_X, PADDING_Y, -PADDING_X, -PADDING_Y)
    return rect, rect.left() + ICON + 10


def _layer_area(content: QRect) -> QRect:
    """What a row's cached layer holds, in the row's coordinates: its content area above the
    life bar. Neither the padding around it nor the bar's rows are ever drawn into a layer, and
    a full-row layer kept them all: a third of its pixels (0.2 MB of peak RSS at rest)."""
    return content.adjusted(0, 0, 0, -LAYER_BOTTOM_ROOM)


def countdown_rect(content: QRect, count_width: int) -> QRect:
    """Where a row's countdown is drawn: at the right of its content area, never elided."""
    return QRect(content.right() - count_width + 1, content.top(), count_width, 20)


def cache_limit(widget: QWidget | None) -> int:
    """Layers kept for a view of this height: CACHED_SCREENS screenfuls of rows, plus a few."""
    height = widget.height() if widget is not None else 600
    return CACHED_SCREENS * (height // ROW_HEIGHT + 1) + 4
